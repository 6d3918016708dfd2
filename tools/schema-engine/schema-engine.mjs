#!/usr/bin/env node
// A stand-in for Prisma's native `schema-engine` binary, for offline machines: the Prisma 7 CLI
// cannot download the native engine here, so PRISMA_SCHEMA_ENGINE_BINARY points at this program,
// which speaks the same protocol over the wasm build of the same engine (@prisma/schema-engine-wasm,
// same git hash as prisma 7.10.0) and @prisma/adapter-pg. See README.md next to it.
//
// Invocations made by the CLI:
//   schema-engine --version
//   schema-engine --datasource '{"url":…}' cli can-connect-to-database|create-database|drop-database
//   schema-engine [--datamodels <file>]… [--datasource '{"url":…,"shadowDatabaseUrl":…}'] …
//     → JSON-RPC 2.0, one JSON object per line on stdin/stdout; logs as JSON lines on stderr.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createEngineSession } from './rpc.mjs';
import { runCliCommand } from './cli-commands.mjs';
import { loadSchemaEngineWasm } from './wasm-engine.mjs';

function parseArgs(argv) {
  const args = { datamodels: [], datasource: undefined, positional: [], version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--version' || a === '-V') args.version = true;
    else if (a === '--datamodels') args.datamodels.push(argv[++i]);
    else if (a === '--datasource') args.datasource = JSON.parse(argv[++i]);
    else if (a === '--enabled-preview-features' || a === '--extension-types')
      i++; // not used by the wasm engine
    else args.positional.push(a);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));

if (args.version) {
  const { version } = await loadSchemaEngineWasm();
  process.stdout.write(`schema-engine-cli ${version()} (wasm, via tools/schema-engine)\n`);
  process.exit(0);
}

if (args.positional[0] === 'cli') {
  process.exit(await runCliCommand(args.positional[1], args.datasource));
}

// JSON-RPC mode.
const datamodels = args.datamodels.map((path) => [path, readFileSync(path, 'utf8')]);
const send = (message) => process.stdout.write(JSON.stringify(message) + '\n');

// Like the native engine, `diff` output is not returned but printed by the CLI on our request
// (a JSON-RPC request from us to it, `print`), so that `--output` capture works.
const pendingHost = new Map();
let hostRequestId = 0;
const host = {
  print(content) {
    const id = `host-${++hostRequestId}`;
    return new Promise((resolve) => {
      pendingHost.set(id, resolve);
      send({ jsonrpc: '2.0', method: 'print', params: { content }, id });
    });
  },
};
const session = createEngineSession({ datasource: args.datasource, datamodels, host });

// Requests are served one at a time, in order: the engine holds one connection.
let queue = Promise.resolve();
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  if (!line.trim()) return;
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    return;
  }
  if (request.method === undefined) {
    pendingHost.get(request.id)?.(request.result);
    pendingHost.delete(request.id);
    return;
  }
  queue = queue.then(async () => {
    try {
      const result = await session.call(request.method, request.params ?? {});
      send({ jsonrpc: '2.0', id: request.id, result: result ?? null });
    } catch (error) {
      send({ jsonrpc: '2.0', id: request.id, error: session.toRpcError(error) });
    }
  });
});
lines.on('close', () => {
  queue
    .then(() => session.dispose())
    .catch(() => undefined)
    .finally(() => process.exit(0));
});
