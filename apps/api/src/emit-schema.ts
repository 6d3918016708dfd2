// Writes the SDL to apps/api/schema.graphql (the dashboard generates its client types from it).
// Run: npx tsx apps/api/src/emit-schema.ts   (add --check to fail when the file is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchemaWithDirectives } from './schema/print.js';
import { getSchema } from './schema/build.js';

const out = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const sdl = printSchemaWithDirectives(await getSchema());
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    /* missing */
  }
  if (current !== sdl) {
    console.error(`${out} is stale: run npx tsx apps/api/src/emit-schema.ts`);
    process.exit(1);
  }
  console.log(`${out} is current`);
} else {
  writeFileSync(out, sdl);
  console.log(`wrote ${out} (${sdl.length} bytes)`);
}
