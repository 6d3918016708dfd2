// Public surface of storage: local content-addressed blobs and artifact directories.
export { LocalStorage, writeAtomically, redactPaths, type StoragePaths } from './blob-store.js';
