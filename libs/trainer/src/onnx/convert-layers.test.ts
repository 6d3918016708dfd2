// Layer-by-layer check of the converter on small synthetic Keras-style graphs, run by onnxruntime and by TF.js:
// covers what MobileNet v1 does not exercise (ZeroPadding2D + 'valid', odd sizes, Add, ReLU layer, unfoldable BN).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { tf, initTf } from '../backend/tf-runtime.js';
import { convertToOnnx, UnsupportedLayerError } from './convert.js';

async function compare(model: tf.LayersModel, hw: number): Promise<number> {
  const x = tf.randomUniform([2, hw, hw, 3], -1, 1, 'float32', 7);
  const ref = (await (model.predict(x) as tf.Tensor).data()) as Float32Array;
  const session = await ort.InferenceSession.create(convertToOnnx(model));
  const out = await session.run({ input: new ort.Tensor('float32', (await x.data()) as Float32Array, [2, hw, hw, 3]) });
  await session.release();
  const got = out.bottleneck.data as Float32Array;
  assert.equal(got.length, ref.length);
  let max = 0;
  for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - ref[i]));
  return max;
}

/** Random, non-trivial BatchNorm statistics so folding is really tested. */
function randomizeBn(model: tf.LayersModel) {
  for (const l of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    l.setWeights(
      l
        .getWeights()
        .map((w, i) =>
          i === 3
            ? tf.randomUniform(w.shape, 0.5, 2, 'float32', i)
            : tf.randomUniform(w.shape, -0.5, 0.5, 'float32', i + 10),
        ),
    );
  }
}

describe('convertToOnnx on synthetic graphs', () => {
  it('handles TF "same" padding with stride 2 on even and odd sizes (asymmetric pads)', async () => {
    await initTf({ allowNative: false });
    for (const hw of [16, 15, 9]) {
      const input = tf.input({ shape: [hw, hw, 3] });
      let y = tf.layers
        .conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false })
        .apply(input) as tf.SymbolicTensor;
      y = tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.activation({ activation: 'relu6' }).apply(y) as tf.SymbolicTensor;
      y = tf.layers
        .depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, useBias: true })
        .apply(y) as tf.SymbolicTensor;
      y = tf.layers.conv2d({ filters: 5, kernelSize: 1, activation: 'relu' }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: y });
      randomizeBn(model);
      const diff = await compare(model, hw);
      assert.ok(diff < 1e-5, `size ${hw}: max abs diff ${diff}`);
    }
  });

  it('handles ZeroPadding2D + valid conv, ReLU(6) layers, Add, Dropout and an unfoldable BatchNorm', async () => {
    const input = tf.input({ shape: [14, 14, 3] });
    let y = tf.layers
      .zeroPadding2d({
        padding: [
          [0, 1],
          [0, 1],
        ],
      })
      .apply(input) as tf.SymbolicTensor;
    y = tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid' }).apply(y) as tf.SymbolicTensor;
    const a = tf.layers.reLU({ maxValue: 6 }).apply(y) as tf.SymbolicTensor;
    const b = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }).apply(a) as tf.SymbolicTensor;
    let s = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
    s = tf.layers.batchNormalization({}).apply(s) as tf.SymbolicTensor; // after Add: cannot be folded into a conv
    s = tf.layers.reLU({}).apply(s) as tf.SymbolicTensor;
    s = tf.layers.dropout({ rate: 0.1 }).apply(s) as tf.SymbolicTensor;
    s = tf.layers.globalAveragePooling2d({}).apply(s) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: s });
    randomizeBn(model);
    const diff = await compare(model, 14);
    assert.ok(diff < 1e-5, `max abs diff ${diff}`);
  });

  it('refuses layers it cannot convert, so the caller falls back to another backend', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const y = tf.layers.maxPooling2d({ poolSize: 2 }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
    assert.throws(() => convertToOnnx(tf.model({ inputs: input, outputs: out })), UnsupportedLayerError);
  });
});
