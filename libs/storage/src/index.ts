// Public surface of storage: local content-addressed blobs and artifact directories.
export { LocalStorage, writeAtomically, type StoragePaths } from './blob-store.js';
