// Loads @prisma/schema-engine-wasm by hand: its package entry imports the .wasm as an ES module,
// which Node 20 cannot do, so we instantiate it ourselves and hand it to the wasm-bindgen glue.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

export async function loadSchemaEngineWasm() {
  const pkgDir = dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const glue = await import(pathToFileURL(join(pkgDir, 'schema_engine_bg.js')).href);
  const module = new WebAssembly.Module(readFileSync(join(pkgDir, 'schema_engine_bg.wasm')));
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return glue; // { SchemaEngine, version }
}
