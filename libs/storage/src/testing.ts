// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- s3rver ships no types; the declaration must travel with this file into every project that imports it
/// <reference path="./s3rver.d.ts" />
// Test support (not part of the product surface): a real S3 protocol server (s3rver) on 127.0.0.1, a free port and a fresh directory, for tests and benches.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  /** Env for an Accrete process that should use this server. */
  env: Record<string, string>;
  /** Client options for this server's bucket under `prefix` (S3ObjectStore / openStorage's s3 kind). */
  options(prefix: string): {
    bucket: string;
    prefix: string;
    region: string;
    endpoint: string;
    forcePathStyle: true;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  close(): Promise<void>;
}

export async function startS3Server(bucket = 'accrete-test'): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'accrete-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    // s3rver accepts these fixed development credentials.
    env: {
      ACCRETE_S3_ENDPOINT: endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    },
    options: (prefix) => ({
      bucket,
      prefix,
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    }),
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
