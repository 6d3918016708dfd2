#!/usr/bin/env node
// Runs the project's Prisma CLI offline: `node tools/prisma.mjs migrate dev --name add_x`.
// The CLI wants a native schema engine it would download; we point it at tools/schema-engine,
// a Node program serving the same JSON-RPC protocol with the wasm engine and @prisma/adapter-pg.
// Runs from the repo root (where prisma.config.ts is); DATABASE_URL overrides the dev database.
import { chmodSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const engine = join(root, 'tools', 'schema-engine', 'schema-engine.mjs');
// The CLI spawns the engine directly, so it must be executable (a checkout may lose the bit).
if ((statSync(engine).mode & 0o111) === 0) chmodSync(engine, 0o755);

const prismaCli = createRequire(join(root, 'package.json')).resolve('prisma/build/index.js');
const res = spawnSync(process.execPath, [prismaCli, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: engine,
    CHECKPOINT_DISABLE: '1', // no update/telemetry calls: we are offline
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
process.exit(res.status ?? 1);
