// The executor's introspection answers: computed once per document and variables, identical to graphql-js's,
// and never used for an operation that reads data (no server needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchema, execute, getIntrospectionQuery, parse } from 'graphql';
import { createJitExecutor, isIntrospectionOnly } from '../src/jit-executor.js';

test('isIntrospectionOnly: root selections of __schema/__type/__typename only, through fragments too', () => {
  assert.equal(isIntrospectionOnly(parse(getIntrospectionQuery())), true);
  assert.equal(isIntrospectionOnly(parse(`{ __type(name: "Query") { name } __typename }`)), true);
  assert.equal(isIntrospectionOnly(parse(`{ ...F } fragment F on Query { __schema { types { name } } }`)), true);
  assert.equal(isIntrospectionOnly(parse(`{ __typename ... on Query { hello } }`)), false);
  assert.equal(isIntrospectionOnly(parse(`{ ...F } fragment F on Query { hello }`)), false);
  assert.equal(isIntrospectionOnly(parse(`{ __schema { types { name } } hello }`)), false);
  assert.equal(isIntrospectionOnly(parse(`mutation { __typename }`)), false);
  // with several operations the named one decides
  const two = parse(`query A { __typename } query B { hello }`);
  assert.equal(isIntrospectionOnly(two, 'A'), true);
  assert.equal(isIntrospectionOnly(two, 'B'), false);
  assert.equal(isIntrospectionOnly(two), false);
});

type Resolve = (...args: unknown[]) => unknown;

test('introspection is executed once per document and variables; data queries every time', async () => {
  let hellos = 0;
  let typeNames = 0;
  const schema = buildSchema(`type Query { hello: String }`);
  // count how often the introspection resolvers run: __Type.name is resolved for every type in the answer
  const typeType = schema.getType('__Type') as unknown as { getFields(): Record<string, { resolve?: Resolve }> };
  const nameField = typeType.getFields().name!;
  const original = nameField.resolve!;
  nameField.resolve = (...args: unknown[]) => {
    typeNames++;
    return original(...args);
  };
  const run = createJitExecutor(schema);
  const rootValue = { hello: () => (hellos++, 'hi') };
  const req = (query: string, variables: Record<string, unknown> = {}) => ({
    document: parse(query),
    variables,
    context: {},
    cacheKey: query,
  });
  const q = getIntrospectionQuery();
  const first = await run(req(q));
  const afterFirst = typeNames;
  assert.ok(afterFirst > 0);
  const second = await run(req(q));
  assert.equal(typeNames, afterFirst, 'the second asker got the kept answer');
  assert.deepEqual(second, first);
  assert.deepEqual(
    JSON.parse(JSON.stringify(first)),
    JSON.parse(JSON.stringify(execute({ schema, document: parse(q) }))),
  );
  // other variables: answered anew
  const byName = `query($n: String!) { __type(name: $n) { name } }`;
  assert.deepEqual((await run(req(byName, { n: 'Query' }))).data, { __type: { name: 'Query' } });
  assert.deepEqual((await run(req(byName, { n: 'String' }))).data, { __type: { name: 'String' } });
  // a query that reads data is never answered from the kept introspection answers
  const data = `{ hello }`;
  (schema.getQueryType()!.getFields().hello as { resolve?: Resolve }).resolve = () => rootValue.hello();
  await run(req(data));
  await run(req(data));
  assert.equal(hellos, 2);
});
