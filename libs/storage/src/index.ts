// Public surface of storage: local content-addressed blobs and artifact directories, the object-store interface
// (local directory or S3) and the node-local read-through cache.
export { LocalStorage, openStorage, writeAtomically, type StoragePaths, type StorageLocation } from './blob-store.js';
export {
  LocalObjectStore,
  BlobIntegrityError,
  BlobNotFoundError,
  blobKey,
  keySha256,
  type BlobKind,
  type BlobBody,
  type ObjectStore,
} from './object-store.js';
export { S3ObjectStore, type S3StoreOptions } from './s3-store.js';
export { BlobCache } from './blob-cache.js';
