// Public surface of taxonomy: the ImageNet/WordNet class tree and name matching (pure, no DB).
export * from './errors.js';
export * from './data.js';
export * from './ids.js';
export * from './names.js';
export * from './tree.js';
export * from './search.js';
export * from './resolve.js';
export * from './rollup.js';
export * from './imagenet.js';
export * from './placement.js';
