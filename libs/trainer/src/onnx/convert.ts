// Converts the frozen bottleneck part of a TF.js layers model (input → GlobalAveragePooling2D) into an ONNX model,
// so onnxruntime-node can run it fast on CPU. No Python: the protobuf is written with protobufjs from onnx.proto.
// Graph: input NHWC [N,H,W,3] → Transpose → (Conv|depthwise Conv with BatchNorm folded in → Clip/Relu)* → GAP → [N,C].
// Two outputs: `bottleneck` [N,C] and `feature_map` [N,C,h,w] (the GAP's input), from which the extractor pools
// sub-windows (crop/zoom views of one pass); a caller that fetches only `bottleneck` pays nothing for the second.
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import type { LayersModel, SymbolicTensor, layers as tfLayers } from '@tensorflow/tfjs';

type Layer = tfLayers.Layer;
const FLOAT = 1;
const INT64 = 7;
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

let modelProto: protobuf.Type | undefined;
function onnxModelType(): protobuf.Type {
  if (!modelProto) {
    const text = readFileSync(new URL('./onnx.proto', import.meta.url), 'utf8');
    modelProto = protobuf.parse(text, { keepCase: true }).root.lookupType('onnx.ModelProto');
  }
  return modelProto;
}

export class UnsupportedLayerError extends Error {}

interface Tensor {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}
interface Attr {
  name: string;
  ints?: number[];
  i?: number;
  f?: number;
  s?: string;
}
interface OnnxNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Attr[];
}

/** A convolution kept open until emission so a following BatchNormalization can be folded into it. */
interface ConvRecord {
  node: OnnxNode;
  weight: Float32Array; // ONNX layout [out, in/group, kh, kw]
  outChannels: number;
  dims: number[]; // [out, in/group, kh, kw]
  bias: Float32Array;
  consumers: number;
}

const snake = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');

/** TF 'same' padding: total = max((ceil(in/s)-1)*s + k_eff - in, 0), the odd pixel goes to the end (bottom/right). */
function samePads(inH: number, inW: number, k: number[], s: number[], d: number[]): number[] {
  const one = (n: number, kk: number, ss: number, dd: number) => {
    const eff = (kk - 1) * dd + 1;
    const out = Math.ceil(n / ss);
    const total = Math.max((out - 1) * ss + eff - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const [t, b] = one(inH, k[0], s[0], d[0]);
  const [l, r] = one(inW, k[1], s[1], d[1]);
  return [t, l, b, r];
}

function inboundNames(layer: Layer): string[] {
  const node = layer.inboundNodes[0];
  return node ? node.inboundLayers.map((l) => l.name) : [];
}

/**
 * Builds ONNX bytes for `sub` (a model whose single output is the bottleneck).
 * Throws UnsupportedLayerError for layers it does not know, so callers can fall back to another backend.
 */
export function convertToOnnx(sub: LayersModel, opts: { producer?: string; docString?: string } = {}): Uint8Array {
  const nodes: OnnxNode[] = [];
  const inits: Tensor[] = [];
  const outName = new Map<string, string>(); // layer name → ONNX value name of its output
  let featureMap: string | undefined; // ONNX value the GAP pools (NCHW)
  const convs = new Map<string, ConvRecord>(); // layer name → open conv
  const consumers = new Map<string, number>();
  for (const l of sub.layers) for (const n of inboundNames(l)) consumers.set(n, (consumers.get(n) ?? 0) + 1);

  const inputLayer = sub.inputLayers[0];
  const inShape = sub.inputs[0].shape; // [null, H, W, C]
  if (sub.inputs.length !== 1 || inShape.length !== 4) throw new UnsupportedLayerError('expects one NHWC image input');
  let clipConsts = false;
  const addActivation = (name: string, act: string, input: string): string => {
    if (act === 'linear') return input;
    const out = `${name}_${act}`;
    if (act === 'relu') nodes.push({ op: 'Relu', name: out, inputs: [input], outputs: [out], attrs: [] });
    else if (act === 'relu6') {
      if (!clipConsts) {
        inits.push({ name: 'clip_min_0', dims: [], data: new Float32Array([0]) });
        inits.push({ name: 'clip_max_6', dims: [], data: new Float32Array([6]) });
        clipConsts = true;
      }
      nodes.push({ op: 'Clip', name: out, inputs: [input, 'clip_min_0', 'clip_max_6'], outputs: [out], attrs: [] });
    } else throw new UnsupportedLayerError(`activation ${act}`);
    return out;
  };

  nodes.push({
    op: 'Transpose',
    name: 'to_nchw',
    inputs: ['input'],
    outputs: ['input_nchw'],
    attrs: [{ name: 'perm', ints: [0, 3, 1, 2] }],
  });
  outName.set(inputLayer.name, 'input_nchw');

  for (const layer of sub.layers) {
    if (layer === inputLayer) continue;
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    const ins = inboundNames(layer);
    if (ins.length !== 1 && cls !== 'Add') throw new UnsupportedLayerError(`${layer.name}: ${ins.length} inputs`);
    const input = outName.get(ins[0]);
    if (input === undefined) throw new UnsupportedLayerError(`${layer.name}: input ${ins[0]} not converted`);
    const name = snake(layer.name);
    const w = layer.getWeights().map((t) => t.dataSync() as Float32Array);

    switch (cls) {
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        if (cfg.dataFormat !== 'channelsLast')
          throw new UnsupportedLayerError(`${layer.name}: ${String(cfg.dataFormat)}`);
        const k = cfg.kernelSize as number[];
        const s = cfg.strides as number[];
        const d = (cfg.dilationRate as number[] | undefined) ?? [1, 1];
        const dil = Array.isArray(d) ? d : [d, d];
        const [, H, W, C] = (layer.input as SymbolicTensor).shape as number[];
        let weight: Float32Array;
        let outC: number;
        let group = 1;
        const [kh, kw] = k;
        if (cls === 'Conv2D') {
          outC = cfg.filters as number;
          // Keras [kh, kw, in, out] → ONNX [out, in, kh, kw]
          weight = new Float32Array(outC * C * kh * kw);
          for (let y = 0; y < kh; y++)
            for (let x = 0; x < kw; x++)
              for (let i = 0; i < C; i++)
                for (let o = 0; o < outC; o++)
                  weight[((o * C + i) * kh + y) * kw + x] = w[0][((y * kw + x) * C + i) * outC + o];
        } else {
          const m = (cfg.depthMultiplier as number) ?? 1;
          outC = C * m;
          group = C;
          // Keras [kh, kw, in, mult] → ONNX [in*mult, 1, kh, kw]; output channel = in*mult + m in both.
          weight = new Float32Array(outC * kh * kw);
          for (let y = 0; y < kh; y++)
            for (let x = 0; x < kw; x++)
              for (let o = 0; o < outC; o++) weight[(o * kh + y) * kw + x] = w[0][(y * kw + x) * outC + o];
        }
        const bias = cfg.useBias ? Float32Array.from(w[1]) : new Float32Array(outC);
        const pads = cfg.padding === 'same' ? samePads(H, W, k, s, dil) : cfg.padding === 'valid' ? [0, 0, 0, 0] : null;
        if (!pads) throw new UnsupportedLayerError(`${layer.name}: padding ${String(cfg.padding)}`);
        const node: OnnxNode = {
          op: 'Conv',
          name,
          inputs: [input, `${name}_W`, `${name}_B`],
          outputs: [name],
          attrs: [
            { name: 'kernel_shape', ints: [kh, kw] },
            { name: 'strides', ints: s },
            { name: 'dilations', ints: dil },
            { name: 'pads', ints: pads },
            { name: 'group', i: group },
          ],
        };
        nodes.push(node);
        convs.set(layer.name, {
          node,
          weight,
          outChannels: outC,
          dims: [outC, cls === 'Conv2D' ? C : 1, kh, kw],
          bias,
          consumers: consumers.get(layer.name) ?? 0,
        });
        const act = (cfg.activation as string) ?? 'linear';
        outName.set(layer.name, addActivation(name, act, name));
        break;
      }
      case 'BatchNormalization': {
        const eps = cfg.epsilon as number;
        let i = 0;
        const gamma = cfg.scale !== false ? w[i++] : undefined;
        const beta = cfg.center !== false ? w[i++] : undefined;
        const mean = w[i++];
        const variance = w[i++];
        const n = mean.length;
        const scale = new Float32Array(n);
        const shift = new Float32Array(n);
        for (let c = 0; c < n; c++) {
          scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + eps);
          shift[c] = (beta ? beta[c] : 0) - mean[c] * scale[c];
        }
        const conv = convs.get(ins[0]);
        if (conv && conv.consumers === 1 && outName.get(ins[0]) === conv.node.outputs[0]) {
          // Fold: W' = W·scale[out], b' = b·scale + shift. Exact up to float rounding.
          const per = conv.weight.length / conv.outChannels;
          for (let o = 0; o < conv.outChannels; o++) {
            for (let j = 0; j < per; j++) conv.weight[o * per + j] *= scale[o];
            conv.bias[o] = conv.bias[o] * scale[o] + shift[o];
          }
          outName.set(layer.name, input);
        } else {
          // Unfoldable: y = x·scale + shift per channel, as Mul/Add with [C,1,1] constants.
          inits.push(
            { name: `${name}_scale`, dims: [n, 1, 1], data: scale },
            { name: `${name}_shift`, dims: [n, 1, 1], data: shift },
          );
          nodes.push({
            op: 'Mul',
            name: `${name}_mul`,
            inputs: [input, `${name}_scale`],
            outputs: [`${name}_mul`],
            attrs: [],
          });
          nodes.push({ op: 'Add', name, inputs: [`${name}_mul`, `${name}_shift`], outputs: [name], attrs: [] });
          outName.set(layer.name, name);
        }
        break;
      }
      case 'Activation':
        outName.set(layer.name, addActivation(name, cfg.activation as string, input));
        break;
      case 'ReLU': {
        const max = cfg.maxValue as number | null | undefined;
        outName.set(
          layer.name,
          addActivation(name, max === 6 ? 'relu6' : max == null ? 'relu' : 'unsupported-relu', input),
        );
        break;
      }
      case 'Dropout':
        outName.set(layer.name, input);
        break;
      case 'ZeroPadding2D': {
        const p = cfg.padding as number[][];
        const pads = [0, 0, p[0][0], p[1][0], 0, 0, p[0][1], p[1][1]];
        inits.push({ name: `${name}_pads`, dims: [8], data: BigInt64Array.from(pads.map(BigInt)) });
        nodes.push({ op: 'Pad', name, inputs: [input, `${name}_pads`], outputs: [name], attrs: [] });
        outName.set(layer.name, name);
        break;
      }
      case 'Add': {
        const xs = ins.map((n) => outName.get(n) as string);
        nodes.push({ op: 'Sum', name, inputs: xs, outputs: [name], attrs: [] });
        outName.set(layer.name, name);
        break;
      }
      case 'GlobalAveragePooling2D':
        featureMap = input;
        nodes.push({ op: 'GlobalAveragePool', name, inputs: [input], outputs: [`${name}_4d`], attrs: [] });
        nodes.push({
          op: 'Flatten',
          name: `${name}_flat`,
          inputs: [`${name}_4d`],
          outputs: [name],
          attrs: [{ name: 'axis', i: 1 }],
        });
        outName.set(layer.name, name);
        break;
      default:
        throw new UnsupportedLayerError(`${layer.name}: layer type ${cls}`);
    }
  }
  for (const [lname, c] of convs) {
    inits.push({ name: `${snake(lname)}_W`, dims: c.dims, data: c.weight });
    inits.push({ name: `${snake(lname)}_B`, dims: [c.outChannels], data: c.bias });
  }
  const last = sub.outputs[0];
  const final = outName.get(sub.outputLayers[0].name);
  if (!final || last.shape.length !== 2) throw new UnsupportedLayerError('output must be a [N, C] bottleneck');
  nodes.push({ op: 'Identity', name: 'bottleneck', inputs: [final], outputs: ['bottleneck'], attrs: [] });
  if (featureMap)
    nodes.push({ op: 'Identity', name: 'feature_map', inputs: [featureMap], outputs: ['feature_map'], attrs: [] });

  const dim = (v: number | null, param: string) => (v == null ? { dim_param: param } : { dim_value: v });
  const valueInfo = (name: string, shape: (number | null)[]) => ({
    name,
    type: { tensor_type: { elem_type: FLOAT, shape: { dim: shape.map((v, i) => dim(v, i === 0 ? 'N' : `d${i}`)) } } },
  });
  const model = {
    ir_version: 8,
    opset_import: [{ domain: '', version: 13 }],
    producer_name: opts.producer ?? 'accrete-trainer',
    producer_version: '1',
    doc_string: opts.docString ?? '',
    graph: {
      name: 'backbone',
      node: nodes.map((n) => ({
        op_type: n.op,
        name: n.name,
        input: n.inputs,
        output: n.outputs,
        attribute: n.attrs.map((a) =>
          a.ints
            ? { name: a.name, type: AttrType.INTS, ints: a.ints }
            : a.i !== undefined
              ? { name: a.name, type: AttrType.INT, i: a.i }
              : { name: a.name, type: AttrType.FLOAT, f: a.f },
        ),
      })),
      initializer: inits.map((t) => ({
        name: t.name,
        dims: t.dims,
        data_type: t.data instanceof BigInt64Array ? INT64 : FLOAT,
        raw_data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), // little-endian, as ONNX requires
      })),
      input: [valueInfo('input', [null, inShape[1], inShape[2], inShape[3]])],
      output: [
        valueInfo('bottleneck', [null, last.shape[1]]),
        ...(featureMap ? [valueInfo('feature_map', [null, last.shape[1], null, null])] : []),
      ],
    },
  };
  const T = onnxModelType();
  const err = T.verify(model);
  if (err) throw new Error(`internal: ONNX message invalid: ${err}`);
  return T.encode(T.fromObject(model)).finish();
}
