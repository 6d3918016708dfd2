#!/usr/bin/env node
// Runs the node:test files under the given folders (default: apps and libs) in one node --test run.
// Why a script: node 20's --test takes no globs, and one run gives one closing summary.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === '.next' || name === 'generated') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.test\.tsx?$/.test(name)) files.push(p);
  }
};
for (const r of roots.length ? roots : ['libs', 'apps', 'tools']) walk(r);
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  // Tests wait for their training jobs: at the product's default nice 10 a busy machine (CI beside other work)
  // would starve them; the priority itself is the product's choice, not what the tests check.
  env: { ...process.env, ACCRETE_TRAINER_NICE: process.env.ACCRETE_TRAINER_NICE ?? '0' },
});
process.exit(res.status ?? 1);
