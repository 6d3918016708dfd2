// A request whose PostgreSQL connection is terminated mid-query (pg_terminate_backend, as a failover or an admin
// does): a read is retried once on a fresh connection and answers normally; a write is not retried and answers
// SERVICE_UNAVAILABLE with a clean message, never the database's text. The request is held at a table lock taken
// by the test, so the backend is terminated while that very query runs (no timing). PostgreSQL only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { skipUnlessPostgres } from '@accrete/db/testing';
import { startTestApi, type GqlResult, type TestApi } from './harness.js';

const skip = skipUnlessPostgres();

let api: TestApi;
let locker: pg.Client;
let watcher: pg.Client;

before(async () => {
  if (skip) return;
  api = await startTestApi();
  locker = new pg.Client({ connectionString: api.db.url });
  watcher = new pg.Client({ connectionString: api.db.url });
  await Promise.all([locker.connect(), watcher.connect()]);
});
after(async () => {
  await locker?.end();
  await watcher?.end();
  await api?.close();
});

/**
 * Runs `request` while `table` is locked, waits until a backend of the API is blocked on that lock, terminates that
 * backend, releases the lock and returns what the request answered.
 */
async function terminatedMidQuery<T>(table: string, request: () => Promise<T>): Promise<{ answer: T; pid: number }> {
  await locker.query('BEGIN');
  await locker.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
  const pending = request();
  let pid: number | undefined;
  try {
    // a state of the server, re-read until it holds (outside a transaction, so each read is a fresh snapshot)
    while (pid === undefined) {
      const r = await watcher.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
        [(locker as unknown as { processID: number }).processID],
      );
      pid = r.rows[0]?.pid;
    }
    await watcher.query('SELECT pg_terminate_backend($1)', [pid]);
  } finally {
    await locker.query('COMMIT');
  }
  return { answer: await pending, pid };
}

test('a read whose connection is terminated mid-query is retried once and answers', { skip }, async () => {
  // the token's check is cached after one request: the held query below is the resolver's own
  assert.equal((await api.gql(`{ models { totalCount } }`)).errors, undefined);
  const { answer, pid } = await terminatedMidQuery('Model', () =>
    api.gql<{ models: { nodes: { name: string }[] } }>(`{ models { nodes { name } } }`),
  );
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  assert.deepEqual(
    answer.data!.models.nodes.map((m) => m.name),
    [api.config.baseModelName],
  );
  const alive = await watcher.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
  assert.equal(alive.rowCount, 0, 'the backend really was terminated');
});

test(
  'a write whose connection is terminated answers SERVICE_UNAVAILABLE, cleanly, and is not applied',
  { skip },
  async () => {
    const { answer } = await terminatedMidQuery('Dataset', () =>
      api.gql(`mutation { createDataset(input: { name: "during-failover" }) { id } }`, {}, api.tokens.editor),
    );
    const r = answer as GqlResult;
    assert.equal(r.errors?.length, 1, JSON.stringify(r));
    assert.equal(r.errors![0]!.extensions?.code, 'SERVICE_UNAVAILABLE');
    assert.equal(r.errors![0]!.message, 'the database is briefly unavailable; retry the request');
    assert.doesNotMatch(JSON.stringify(r), /terminat|SELECT|INSERT|prisma|postgres|\/work|\/tmp/i);
    assert.equal(await api.db.prisma.dataset.count({ where: { name: 'during-failover' } }), 0);
    // the client's retry goes through
    const again = await api.gql(
      `mutation { createDataset(input: { name: "during-failover" }) { name } }`,
      {},
      api.tokens.editor,
    );
    assert.equal(again.errors, undefined, JSON.stringify(again.errors));
  },
);

test('REST routes and /health answer through a terminated connection too', { skip }, async () => {
  const { answer } = await terminatedMidQuery('ModelVersion', () => fetch(`${api.url}/health`));
  assert.equal(answer.status, 200, await answer.clone().text());
  assert.equal(((await answer.json()) as { status: string }).status, 'ok');
});
