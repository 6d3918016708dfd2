// Runs in a FRESH node process with nothing but plain @tensorflow/tfjs: serves an exported artifact directory over
// http (like a browser would fetch it), loads it with tf.loadLayersModel and prints top-1 units for raw inputs.
// argv: artifactDir inputsFile(float32 NHWC) count
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

const [dir, inputsFile, count] = process.argv.slice(2);
const server = createServer((req, res) => {
  try {
    const body = readFileSync(join(dir, new URL(req.url, 'http://x').pathname));
    res.writeHead(200).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
try {
  const model = await tf.loadLayersModel(`http://127.0.0.1:${server.address().port}/model.json`);
  const buf = readFileSync(inputsFile);
  const n = Number(count);
  const x = tf.tensor4d(new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4), [n, 224, 224, 3]);
  const probs = model.predict(x);
  const top1 = Array.from(await probs.argMax(-1).data());
  const sums = Array.from(await probs.sum(-1).data());
  console.log(JSON.stringify({ backend: tf.getBackend(), top1, sums, outputShape: probs.shape }));
} finally {
  server.close();
}
