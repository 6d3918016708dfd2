// Query depth/complexity measurement (no server needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'graphql';
import { getSchema } from '../src/schema/build.js';
import { measure } from '../src/limits.js';

test('depth counts nested selections through fragments; page sizes multiply complexity', async () => {
  const schema = await getSchema();
  const m1 = measure(schema, parse(`{ models(first: 5) { nodes { name versions(first: 10) { nodes { number } } } } }`), null, {});
  assert.equal(m1.depth, 4);
  // models: 1 + 5 × (nodes: 1 + name 1 + versions(1 + 10 × (nodes 1 + number 1))); nodes is the page, not ×10 again
  assert.equal(m1.complexity, 1 + 5 * (1 + 1 + (1 + 10 * (1 + 1))));
  const viaVariables = measure(schema, parse(`query($n: Int) { models(first: $n) { nodes { name } } }`), null, { n: 50 });
  assert.equal(viaVariables.complexity, 1 + 50 * (1 + 1));
  const viaFragment = measure(schema, parse(`{ classNodes { nodes { ...F } } } fragment F on ClassNode { parent { parent { name } } }`), null, {});
  assert.equal(viaFragment.depth, 4);
  const introspection = measure(schema, parse(`{ __schema { types { name fields { name type { ofType { ofType { name } } } } } } }`), null, {});
  assert.equal(introspection.complexity, 0);
});
