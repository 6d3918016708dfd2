// Child process of recovery.test.ts: prints the worker id this process would run under, then lives until its stdin
// closes (so the test decides when it dies, without timers).
import { newWorkerId } from '../src/recovery.js';

console.log(newWorkerId());
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
