// Public surface of worker: the pg-boss worker process (see main.ts).
export { main } from './main.js';
