import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { TurnGate, isUrgentOperation } from '../src/turn-gate.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

test('at most perTurn operations start per event-loop turn, in arrival order', async () => {
  const gate = new TurnGate(2);
  const started: number[] = [];
  const arrive = (n: number) => {
    const turn = gate.admit();
    if (!turn) started.push(n);
    else void turn.then(() => started.push(n));
  };
  for (let n = 1; n <= 5; n++) arrive(n);
  assert.deepEqual(started, [1, 2], 'the first two run at once');
  assert.equal(gate.waiting, 3);
  await nextTurn();
  assert.deepEqual(started, [1, 2, 3, 4]);
  await nextTurn();
  assert.deepEqual(started, [1, 2, 3, 4, 5]);
  assert.equal(gate.waiting, 0);
});

test('a newcomer waits behind queued operations even when the turn has budget left', async () => {
  const gate = new TurnGate(1);
  const order: string[] = [];
  assert.equal(gate.admit(), undefined);
  void gate.admit()!.then(() => order.push('queued'));
  await nextTurn(); // the refill admits 'queued' and leaves no budget in that turn
  const late = gate.admit();
  if (late) await late.then(() => order.push('late'));
  else order.push('late');
  assert.deepEqual(order, ['queued', 'late']);
});

test('an idle gate admits without a promise', () => {
  const gate = new TurnGate(8);
  for (let i = 0; i < 8; i++) assert.equal(gate.admit(), undefined);
  assert.ok(gate.admit() instanceof Promise);
});

test('urgent operations are admitted ahead of queued ones, in their own order', async () => {
  const gate = new TurnGate(1);
  const started: string[] = [];
  const arrive = (name: string, urgent = false) => {
    const turn = gate.admit(urgent);
    if (!turn) started.push(name);
    else void turn.then(() => started.push(name));
  };
  arrive('read 1');
  arrive('read 2');
  arrive('read 3');
  arrive('predict 1', true);
  arrive('predict 2', true);
  for (let i = 0; i < 4; i++) await nextTurn();
  assert.deepEqual(started, ['read 1', 'predict 1', 'predict 2', 'read 2', 'read 3']);
});

test('only operations selecting predict at the root are urgent', () => {
  const op = (q: string) => parse(q).definitions[0] as OperationDefinitionNode;
  assert.equal(isUrgentOperation(op('{ predict(input: {imageId: "x"}) { versionId } }')), true);
  assert.equal(isUrgentOperation(op('{ models { edges { cursor } } }')), false);
  assert.equal(isUrgentOperation(op('mutation { rollback(alias: "a") { name } }')), false);
  assert.equal(isUrgentOperation(undefined), false);
});

test('predict reached at the root through an inline fragment or a named fragment spread is urgent', () => {
  const urgent = (q: string) => {
    const document = parse(q);
    const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    return isUrgentOperation(operation, document);
  };
  assert.equal(urgent('{ ... on Query { predict(input: {imageId: "x"}) { versionId } } }'), true);
  assert.equal(urgent('{ ...F } fragment F on Query { predict(input: {imageId: "x"}) { versionId } }'), true);
  assert.equal(urgent('fragment F on Query { predict(input: {imageId: "x"}) { versionId } } query { ...F }'), true);
  assert.equal(
    urgent(
      '{ ...G } fragment G on Query { ...F } fragment F on Query { predict(input: {imageId: "x"}) { versionId } }',
    ),
    true,
  );
  assert.equal(urgent('{ ... { ...F } } fragment F on Query { predict(input: {imageId: "x"}) { versionId } }'), true);
  // fragments that select no predict at the root (an alias named predict is not the field) stay in the queue
  assert.equal(urgent('{ ... on Query { models { edges { cursor } } } }'), false);
  assert.equal(urgent('{ ...F } fragment F on Query { models { edges { cursor } } }'), false);
  assert.equal(urgent('{ models { edges { node { ...P } } } } fragment P on Model { predict: id }'), false);
  assert.equal(urgent('{ ...Missing }'), false);
});
