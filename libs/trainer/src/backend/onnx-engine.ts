// Fast CPU path: onnxruntime-node running the ONNX form of the frozen backbone, both cores for intra-op work.
import { availableParallelism } from 'node:os';
import type { InferenceSession } from 'onnxruntime-node';
import type { BottleneckEngine } from './engine.js';

type InferenceSessionOptions = InferenceSession.SessionOptions;

export async function onnxEngine(onnxPath: string, size: number, dim: number): Promise<BottleneckEngine> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(onnxPath, {
    intraOpNumThreads: Math.max(1, Math.min(availableParallelism(), 8)),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
    // No busy-waiting: sharp decodes on the same cores, and spinning threads starve it (2-3x slower measured).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  } as InferenceSessionOptions);
  // onnxruntime runs one session.run at a time well; serialise so concurrent callers don't fight over threads.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    name: 'onnx',
    preferredBatch: 1, // single images stay in cache: measured faster per image than batches of 4-32 on MobileNet
    run(input, n) {
      const job = queue.then(async () => {
        const feeds = { input: new ort.Tensor('float32', input.subarray(0, n * size * size * 3), [n, size, size, 3]) };
        const out = await session.run(feeds);
        const data = out.bottleneck.data as Float32Array;
        if (data.length !== n * dim) throw new Error(`onnx bottleneck has ${data.length} values, expected ${n * dim}`);
        return data;
      });
      queue = job.catch(() => undefined);
      return job;
    },
    async dispose() {
      await session.release();
    },
  };
}
