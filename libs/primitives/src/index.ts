// Public surface of primitives: small pure helpers every layer needs once, the trainer included (no DB, HTTP or
// framework imports; node built-ins only).
export { sha256Hex } from './hash.js';
export { parseCsv } from './csv.js';
export { redactPaths } from './redact.js';
export { cacheTiming, type CacheTiming, type CacheTimingSetting } from './timing.js';
