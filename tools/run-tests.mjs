#!/usr/bin/env node
// Runs the node:test files under the given folders (default: apps, libs and tools) in one node --test run.
// Why a script: node 20's --test takes no globs, and one run gives one closing summary.
// --db-only: just the files that open a test database (see usesTestDatabase), for the second, PostgreSQL pass.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

/**
 * Whether a test file reaches the test-database module (@accrete/db/testing, which honours ACCRETE_TEST_DB) through
 * its own or its local helpers' imports. The others run the same whatever ACCRETE_TEST_DB says (or always on
 * embedded PGlite): a PostgreSQL pass would only repeat them.
 */
const here = dirname(fileURLToPath(import.meta.url));
const TEST_DB = join(here, '../libs/db/src/test-database.ts');
const seen = new Map();
function usesTestDatabase(file) {
  if (seen.has(file)) return seen.get(file);
  seen.set(file, false); // an import cycle adds nothing
  let found = false;
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*'([^']+)'/g)) {
    if (spec === '@accrete/db/testing') found = true;
    else if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      found = target === TEST_DB || (existsSync(target) && usesTestDatabase(target));
    }
    if (found) break;
  }
  seen.set(file, found);
  return found;
}
if (process.argv.includes('--db-only'))
  files.splice(0, files.length, ...files.filter((f) => usesTestDatabase(resolve(f))));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
// Files run in parallel, each in its own process: every test builds its own state (temp dirs, databases, port 0),
// and while a file waits on a child process or a browser the other one uses the CPU. ACCRETE_TEST_CONCURRENCY=1
// runs them one at a time (to read one file's output in order).
const concurrency = process.env.ACCRETE_TEST_CONCURRENCY ?? '2';
// TAP on stdout (tools/start.mjs reads its closing counts); each file's time on stderr (test-file-times.mjs)
const reporters = ['--test-reporter=tap', '--test-reporter-destination=stdout'];
reporters.push(
  `--test-reporter=${pathToFileURL(join(here, 'test-file-times.mjs'))}`,
  '--test-reporter-destination=stderr',
);
const args = ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...reporters, ...files];
const res = spawnSync(process.execPath, args, {
  stdio: 'inherit',
  // Tests wait for their training jobs: at the product's default nice 10 a busy machine (CI beside other work)
  // would starve them; the priority itself is the product's choice, not what the tests check.
  env: { ...process.env, ACCRETE_TRAINER_NICE: process.env.ACCRETE_TRAINER_NICE ?? '0' },
});
process.exit(res.status ?? 1);
