// The new-column objective on onnxruntime: its two products (multi-threaded MLAS GEMM: S = X·W and X^T·G, rows × dim ×
// k each) and everything between them (softmax against the frozen columns, per-row loss, G) in one graph, so an
// evaluation is one call with no n × k buffer crossing into JS; on 2 cores this runs several times faster than the
// tfjs wasm backend or a JS loop. X is fed per call from the caller's buffer, so no second copy of the rows is kept.
import { availableParallelism } from 'node:os';
import { onnxAttrInt, onnxAttrInts, onnxModelType } from './onnx-stats.js';
import type { FeatureMatrix } from './types.js';

const FLOAT = 1;
const INT64 = 7;
const DOUBLE = 11;

type ValueInfo = [name: string, dims: (number | string)[], elemType?: number];

function graph(name: string, nodes: object[], inputs: ValueInfo[], outputs: ValueInfo[]): Uint8Array {
  const info = (n: string, dims: (number | string)[], elemType = FLOAT) => ({
    name: n,
    type: {
      tensor_type: {
        elem_type: elemType,
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
      input: inputs.map(([n, d, t]) => info(n, d, t)),
      output: outputs.map(([n, d, t]) => info(n, d, t)),
    },
  };
  const T = onnxModelType();
  const err = T.verify(model);
  if (err) throw new Error(`internal: ONNX message invalid: ${err}`);
  return T.encode(T.fromObject(model)).finish();
}

/** Per-fit constants of the objective (new-columns.ts `newColumnObjective` builds them from its rows). */
export interface ObjectiveConstants {
  /** Rows × k: 1 at each row's target column (rows with no target column: all 0). */
  hard: Float32Array;
  /** Rows × k: the soft target mass on the trained columns (0 on rows with a target column). */
  soft: Float32Array;
  /** Per row: log Σ exp of the frozen units that also count as right; SOFTPLUS_NONE where none do. */
  alsoRight: Float32Array;
  /** Per row: the part of the target's log-likelihood that W does not move (frozen mass × their log-sum-exp). */
  frozenFit: Float32Array;
  /** Per row: the row's weight over the sum of weights. */
  weight: Float32Array;
  /** Per row: log Σ exp(logits of the frozen columns). */
  frozenLse: Float32Array;
}
/** Stands for −∞ where a finite number must pass Softplus / Sigmoid unharmed (exp underflows to exactly 0). */
export const SOFTPLUS_NONE = -1e30;

export interface ObjectiveTerms {
  /** Per row: weight × (log-sum-exp of all − target log-likelihood); summed in float64 by the caller. */
  rowLoss: Float32Array;
  /** X^T·G (dim × k) and the column sums of G (k): the gradient of the data term in W and b. */
  gw: Float32Array;
  gb: Float64Array;
}

export interface OnnxRows {
  project(w: Float32Array, k: number): Promise<Float32Array>;
  /** The objective's data term for fixed rows and targets: call the result with (W, b) once per evaluation. */
  objective(c: ObjectiveConstants, k: number): (w: Float32Array, b: Float32Array) => Promise<ObjectiveTerms>;
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
  // S = XW + b; P = softmax of S against the frozen columns (their lse L); the fit (target log-likelihood) of a row is
  // s_t + softplus(A − s_t) for a target column t (A: descendants also right; s_t alone without), Σ Q⊙S on the soft
  // targets, plus the constant frozen part F; G = R ⊙ (P − H·σ(s_t − A) − Q). The bias gradient
  // (G's column sums) is summed in float64: in float32 it lost ~2e-6 of itself, enough to move a growth's fitted
  // columns (v3 of bench/growth-oxford.ts: Oxford valid 92.8 % instead of 93.3 %); the loss's sum is the caller's.
  const node = (op_type: string, input: string[], output: string, attribute: object[] = []) => ({
    op_type,
    name: output,
    input,
    output: [output],
    attribute,
  });
  const rowSum = (input: string, output: string) =>
    node('ReduceSum', [input, 'AX1'], output, [onnxAttrInt('keepdims', 1)]);
  const objective = await ort.InferenceSession.create(
    graph(
      'objective',
      [
        node('MatMul', ['X', 'W'], 'XW'),
        node('Add', ['XW', 'B'], 'S'),
        node('Concat', ['S', 'L'], 'SL', [onnxAttrInt('axis', 1)]),
        node('ReduceLogSumExp', ['SL'], 'LSE', [onnxAttrInts('axes', [1]), onnxAttrInt('keepdims', 1)]),
        node('Sub', ['S', 'LSE'], 'LOGP'),
        node('Exp', ['LOGP'], 'P'),
        node('Mul', ['H', 'S'], 'HS'),
        rowSum('HS', 'ST'),
        node('Sub', ['A', 'ST'], 'D'),
        node('Softplus', ['D'], 'SPD'),
        node('Add', ['ST', 'SPD'], 'FH'),
        node('Mul', ['Q', 'S'], 'QS'),
        rowSum('QS', 'FQ'),
        node('Add', ['FH', 'FQ'], 'FHQ'),
        node('Add', ['FHQ', 'F'], 'FIT'),
        node('Sub', ['LSE', 'FIT'], 'NLL'),
        node('Mul', ['R', 'NLL'], 'ROWLOSS'),
        node('Neg', ['D'], 'ND'),
        node('Sigmoid', ['ND'], 'QT'),
        node('Mul', ['H', 'QT'], 'HQT'),
        node('Add', ['HQT', 'Q'], 'TG'),
        node('Sub', ['P', 'TG'], 'PT'),
        node('Mul', ['R', 'PT'], 'G'),
        node('Gemm', ['X', 'G'], 'GW', [onnxAttrInt('transA', 1)]),
        node('Cast', ['G'], 'G64', [onnxAttrInt('to', DOUBLE)]),
        node('ReduceSum', ['G64', 'AX0'], 'GB', [onnxAttrInt('keepdims', 0)]),
      ],
      [
        ['X', ['N', dim]],
        ['W', [dim, 'K']],
        ['B', ['K']],
        ['L', ['N', 1]],
        ['H', ['N', 'K']],
        ['Q', ['N', 'K']],
        ['A', ['N', 1]],
        ['F', ['N', 1]],
        ['R', ['N', 1]],
        ['AX0', [1], INT64],
        ['AX1', [1], INT64],
      ],
      [
        ['ROWLOSS', ['N', 1]],
        ['GW', [dim, 'K']],
        ['GB', ['K'], DOUBLE],
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
    objective(c, k) {
      const column = (v: Float32Array) => new ort.Tensor('float32', v, [n, 1]);
      const constants = {
        X,
        L: column(c.frozenLse),
        H: new ort.Tensor('float32', c.hard, [n, k]),
        Q: new ort.Tensor('float32', c.soft, [n, k]),
        A: column(c.alsoRight),
        F: column(c.frozenFit),
        R: column(c.weight),
        AX0: new ort.Tensor('int64', BigInt64Array.of(0n), [1]),
        AX1: new ort.Tensor('int64', BigInt64Array.of(1n), [1]),
      };
      return async (w, b) => {
        const out = await objective.run({
          ...constants,
          W: new ort.Tensor('float32', w, [dim, k]),
          B: new ort.Tensor('float32', b, [k]),
        });
        return {
          rowLoss: out.ROWLOSS.data as Float32Array,
          gw: out.GW.data as Float32Array,
          gb: out.GB.data as Float64Array,
        };
      };
    },
    async release() {
      await forward.release();
      await objective.release();
    },
  };
}
