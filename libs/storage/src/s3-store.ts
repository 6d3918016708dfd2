// Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, R2), for nodes that share no disk.
// Publishing is atomic: bytes land under a private ".incoming/<uuid>" key, are hashed on the way, and only a
// verified upload is copied to its content-addressed key (an S3 PUT/COPY makes an object visible whole or not at all).
import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  BlobIntegrityError,
  BlobNotFoundError,
  HashingStream,
  keySha256,
  type BlobBody,
  type ObjectStore,
} from './object-store.js';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket, without leading/trailing slash ('' for the bucket root). */
  prefix: string;
  region: string;
  /** Custom endpoint (MinIO, R2, s3rver); undefined means AWS. */
  endpoint?: string | undefined;
  forcePathStyle: boolean;
  /** Static credentials; undefined lets the SDK's default chain find them (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
}

// The SDK (~24 MiB of RSS once loaded) is loaded when a node is configured for S3, not by every process that
// imports @accrete/storage: most run on local disk.
const require = createRequire(import.meta.url);
const sdk = (): typeof import('@aws-sdk/client-s3') => require('@aws-sdk/client-s3');

export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  constructor(readonly options: S3StoreOptions) {
    // The pinned SDK supports Node 20 (engines >=20); its start-up notice is about later releases, which the exact
    // pin does not take, and printed it in every process's log. An operator's own setting wins.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const { S3Client } = sdk();
    this.client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Plain signed PUTs with a Content-Length: every S3-compatible server accepts them (aws-chunked CRC trailers are not universal).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private objectKey(key: string): string {
    return this.options.prefix ? `${this.options.prefix}/${key}` : key;
  }

  async put(key: string, body: BlobBody, size?: number): Promise<{ created: boolean; size: number }> {
    const sha256 = keySha256(key);
    const Bucket = this.options.bucket;
    if (!(body instanceof Readable)) {
      const actual = createHash('sha256').update(body).digest('hex');
      if (actual !== sha256) throw new BlobIntegrityError(key, actual);
      if (await this.has(key)) return { created: false, size: body.byteLength };
      await this.client.send(
        new (sdk().PutObjectCommand)({ Bucket, Key: this.objectKey(key), Body: body, ContentLength: body.byteLength }),
      );
      return { created: true, size: body.byteLength };
    }
    if (size === undefined) throw new Error('a streamed upload needs its size');
    if (await this.has(key)) {
      body.resume();
      return { created: false, size };
    }
    const incoming = this.objectKey(`.incoming/${randomUUID()}`);
    const hashing = new HashingStream();
    body.on('error', (e) => hashing.destroy(e));
    body.pipe(hashing);
    try {
      await this.client.send(
        new (sdk().PutObjectCommand)({ Bucket, Key: incoming, Body: hashing, ContentLength: size }),
      );
      const actual = hashing.digest();
      if (actual !== sha256 || hashing.bytes !== size) throw new BlobIntegrityError(key, actual);
      await this.client.send(
        new (sdk().CopyObjectCommand)({
          Bucket,
          Key: this.objectKey(key),
          CopySource: `${Bucket}/${encodeURI(incoming)}`,
        }),
      );
      return { created: true, size };
    } finally {
      await this.client.send(new (sdk().DeleteObjectCommand)({ Bucket, Key: incoming })).catch(() => undefined);
    }
  }

  async has(key: string): Promise<boolean> {
    keySha256(key);
    try {
      await this.client.send(new (sdk().HeadObjectCommand)({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async get(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.getStream(key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async getStream(key: string): Promise<Readable> {
    keySha256(key);
    try {
      const r = await this.client.send(
        new (sdk().GetObjectCommand)({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
      );
      if (!(r.Body instanceof Readable)) throw new Error('S3 response has no body stream');
      return r.Body;
    } catch (e) {
      if (isNotFound(e)) throw new BlobNotFoundError(key);
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    keySha256(key);
    await this.client.send(new (sdk().DeleteObjectCommand)({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
  }
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404;
}
