// Converts the frozen backbone of a TF.js layers model (dir or http(s) URL) into ONNX and checks it against TF.js.
// loadBackbone does this automatically (cached by backbone id); this tool is for inspecting or pre-building the file.
// Run: node --import tsx tools/onnx/convert.ts <model dir | url> [out.onnx [image.jpg ...]]
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { convertToOnnx, loadBackbone, preprocess, backboneInternals } from '@accrete/trainer/internals';

const { positionals } = parseArgs({ allowPositionals: true });
const [source, outArg, ...images] = positionals;
if (!source) {
  console.error('usage: node --import tsx tools/onnx/convert.ts <model dir | url> [out.onnx [image.jpg ...]]');
  process.exit(2);
}
const backbone = await loadBackbone(source, { backend: 'wasm', log: (m) => console.error(m) });
const { features } = backboneInternals(backbone);
const bytes = convertToOnnx(features, { docString: `bottleneck of backbone ${backbone.id}` });
const out = outArg ?? `${backbone.id}.onnx`;
await writeFile(out, bytes);
console.error(`wrote ${out} (${(bytes.length / 1e6).toFixed(1)} MB), backbone ${backbone.id}`);

// Verify: same bottlenecks from onnxruntime and TF.js on the given images (or a deterministic pattern).
const size = backbone.inputSize;
const inputs = images.length
  ? await Promise.all(images.map((p) => preprocess(p, { size })))
  : [Float32Array.from({ length: size * size * 3 }, (_, i) => Math.sin(i * 0.37))];
const session = await ort.InferenceSession.create(out);
let maxDiff = 0;
for (const x of inputs) {
  const a = (await session.run({ input: new ort.Tensor('float32', x, [1, size, size, 3]) })).bottleneck
    .data as Float32Array;
  const b = await backbone.computeBottlenecks(x, 1);
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
}
console.log(
  JSON.stringify({
    out,
    backboneId: backbone.id,
    bytes: bytes.length,
    checkedImages: inputs.length,
    maxAbsDiff: maxDiff,
  }),
);
await session.release();
await backbone.dispose();
if (maxDiff > 1e-4) process.exit(1);
