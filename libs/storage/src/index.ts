// Public surface of storage: local content-addressed blobs and artifact directories.
export { LocalStorage, sha256Hex, writeAtomically, redactPaths, type StoragePaths } from './blob-store.js';
