// The two products of the new-column objective on onnxruntime (multi-threaded MLAS GEMM): S = X·W and X^T·G. They are
// the whole cost of a growth fit (rows × dim × k each, per evaluation); on 2 cores MLAS runs them several times faster
// than the tfjs wasm backend. X is fed per call from the caller's buffer, so no second copy of the rows is kept.
import { availableParallelism } from 'node:os';
import { onnxAttrInt, onnxAttrInts, onnxModelType } from './onnx-stats.js';
import type { FeatureMatrix } from './types.js';

const FLOAT = 1;

function graph(
  name: string,
  nodes: object[],
  inputs: [string, (number | string)[]][],
  outputs: [string, (number | string)[]][],
): Uint8Array {
  const info = (n: string, dims: (number | string)[]) => ({
    name: n,
    type: {
      tensor_type: {
        elem_type: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) },
      },
    },
  });
  const model = {
    ir_version: 8,
    opset_import: [{ domain: '', version: 13 }],
    producer_name: 'accrete-trainer',
    graph: {
      name,
      node: nodes,
      initializer: [],
      input: inputs.map(([n, d]) => info(n, d)),
      output: outputs.map(([n, d]) => info(n, d)),
    },
  };
  const T = onnxModelType();
  const err = T.verify(model);
  if (err) throw new Error(`internal: ONNX message invalid: ${err}`);
  return T.encode(T.fromObject(model)).finish();
}

export interface OnnxRows {
  project(w: Float32Array, k: number): Promise<Float32Array>;
  /** Scores S = X·W + b of the trained columns, their softmax P against the frozen columns (whose log-sum-exp per
   *  row is `frozenLse`), and the log-sum-exp of all: the objective's exponentials run multi-threaded in MLAS
   *  instead of one at a time in JS (they were the larger half of an evaluation). */
  softmax(
    w: Float32Array,
    b: Float32Array,
    frozenLse: Float32Array,
    k: number,
  ): Promise<{ s: Float32Array; p: Float32Array; lse: Float32Array }>;
  backProject(g: Float32Array, k: number): Promise<Float32Array>;
  release(): Promise<void>;
}

export async function onnxRows(x: FeatureMatrix): Promise<OnnxRows> {
  const ort = await import('onnxruntime-node');
  const options = {
    intraOpNumThreads: Math.max(1, Math.min(availableParallelism(), 8)),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all' as const,
  };
  const { n, dim } = x;
  const forward = await ort.InferenceSession.create(
    graph(
      'project',
      [{ op_type: 'MatMul', name: 'S', input: ['X', 'W'], output: ['S'] }],
      [
        ['X', ['N', dim]],
        ['W', [dim, 'K']],
      ],
      [['S', ['N', 'K']]],
    ),
    options,
  );
  const backward = await ort.InferenceSession.create(
    graph(
      'back_project',
      [
        {
          op_type: 'Gemm',
          name: 'GW',
          input: ['X', 'G'],
          output: ['GW'],
          attribute: [onnxAttrInt('transA', 1)],
        },
      ],
      [
        ['X', ['N', dim]],
        ['G', ['N', 'K']],
      ],
      [['GW', [dim, 'K']]],
    ),
    options,
  );
  const softmax = await ort.InferenceSession.create(
    graph(
      'softmax',
      [
        { op_type: 'MatMul', name: 'XW', input: ['X', 'W'], output: ['XW'] },
        { op_type: 'Add', name: 'S', input: ['XW', 'B'], output: ['S'] },
        {
          op_type: 'Concat',
          name: 'C',
          input: ['S', 'L'],
          output: ['C'],
          attribute: [onnxAttrInt('axis', 1)],
        },
        {
          op_type: 'ReduceLogSumExp',
          name: 'LSE',
          input: ['C'],
          output: ['LSE'],
          attribute: [onnxAttrInts('axes', [1]), onnxAttrInt('keepdims', 1)],
        },
        { op_type: 'Sub', name: 'SL', input: ['S', 'LSE'], output: ['SL'] },
        { op_type: 'Exp', name: 'P', input: ['SL'], output: ['P'] },
      ],
      [
        ['X', ['N', dim]],
        ['W', [dim, 'K']],
        ['B', ['K']],
        ['L', ['N', 1]],
      ],
      [
        ['S', ['N', 'K']],
        ['P', ['N', 'K']],
        ['LSE', ['N', 1]],
      ],
    ),
    options,
  );
  const X = new ort.Tensor('float32', x.data, [n, dim]);
  return {
    async project(w, k) {
      const out = await forward.run({ X, W: new ort.Tensor('float32', w, [dim, k]) });
      return out.S.data as Float32Array;
    },
    async softmax(w, b, frozenLse, k) {
      const out = await softmax.run({
        X,
        W: new ort.Tensor('float32', w, [dim, k]),
        B: new ort.Tensor('float32', b, [k]),
        L: new ort.Tensor('float32', frozenLse, [n, 1]),
      });
      return { s: out.S.data as Float32Array, p: out.P.data as Float32Array, lse: out.LSE.data as Float32Array };
    },
    async backProject(g, k) {
      const out = await backward.run({ X, G: new ort.Tensor('float32', g, [n, k]) });
      return out.GW.data as Float32Array;
    },
    async release() {
      await forward.release();
      await softmax.release();
      await backward.release();
    },
  };
}
