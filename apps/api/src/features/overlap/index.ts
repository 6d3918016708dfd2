// Feature overlap: before growing, how a dataset overlaps a parent version (by name, by data).
export { OverlapResolver } from './overlap.resolver.js';
