// Query depth/complexity measurement (no server needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getIntrospectionQuery, parse } from 'graphql';
import { getSchema } from '../src/schema/build.js';
import { DEFAULT_LIMITS, FIELD_COSTS, measure, measureCached } from '../src/limits.js';

test('depth counts nested selections through fragments; page sizes multiply complexity', async () => {
  const schema = await getSchema();
  const m1 = measure(
    schema,
    parse(`{ models(first: 5) { nodes { name versions(first: 10) { nodes { number } } } } }`),
    null,
    {},
  );
  assert.equal(m1.depth, 4);
  // models: 1 + 5 × (nodes: 1 + name 1 + versions(1 + 10 × (nodes 1 + number 1))); nodes is the page, not ×10 again
  assert.equal(m1.complexity, 1 + 5 * (1 + 1 + (1 + 10 * (1 + 1))));
  const viaVariables = measure(schema, parse(`query($n: Int) { models(first: $n) { nodes { name } } }`), null, {
    n: 50,
  });
  assert.equal(viaVariables.complexity, 1 + 50 * (1 + 1));
  const viaFragment = measure(
    schema,
    parse(`{ classNodes { nodes { ...F } } } fragment F on ClassNode { parent { parent { name } } }`),
    null,
    {},
  );
  assert.equal(viaFragment.depth, 4);
  const introspection = measure(
    schema,
    parse(`{ __schema { types { name fields { name type { ofType { ofType { name } } } } } } }`),
    null,
    {},
  );
  assert.equal(introspection.complexity, 0, 'introspection has its own budget');
  assert.ok(introspection.introspectionCost > 1000, `introspection is charged: ${introspection.introspectionCost}`);
  const standard = measure(schema, parse(getIntrospectionQuery()), null, {});
  assert.ok(
    standard.introspectionCost <= DEFAULT_LIMITS.maxIntrospection,
    `a client's introspection fits: ${standard.introspectionCost}`,
  );
  const twice = measure(
    schema,
    parse(
      `{ a: __schema { ...S } b: __schema { ...S } } fragment S on __Schema { types { name fields { name args { name } type { name ofType { name } } } } }`,
    ),
    null,
    {},
  );
  assert.ok(twice.introspectionCost > 2 * introspection.introspectionCost);
  const predicts = measure(
    schema,
    parse(`{ a: predict(input: {modelId: "x"}) { __typename } b: predict(input: {modelId: "x"}) { __typename } }`),
    null,
    {},
  );
  assert.equal(predicts.capped['Query.predict'], 2);
  assert.ok(predicts.complexity >= 2 * FIELD_COSTS['Query.predict']);
});

test('measures are kept per document and per value of the page-size variables only', async () => {
  const schema = await getSchema();
  const doc = parse(`query($n: Int, $after: String) { models(first: $n, after: $after) { nodes { name } } }`);
  const a = measureCached(schema, doc, null, { n: 50, after: 'x' });
  assert.equal(a.complexity, 1 + 50 * (1 + 1));
  assert.deepEqual(a.pageVariables, ['n']);
  assert.equal(
    measureCached(schema, doc, null, { n: 50, after: 'y' }),
    a,
    'a cursor does not change the measure: served from the cache',
  );
  const b = measureCached(schema, doc, null, { n: 5 });
  assert.equal(b.complexity, 1 + 5 * (1 + 1), 'another page size is measured again');
  assert.equal(
    measureCached(
      schema,
      parse(`query($n: Int, $after: String) { models(first: $n, after: $after) { nodes { name } } }`),
      null,
      { n: 5 },
    ).complexity,
    b.complexity,
  );
});
