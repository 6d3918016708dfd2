// The base version is scored once on the held-out retention photos (odd class indices of the rehearsal dir's
// index.csv): v1 then serves real figures, with the parent-relative fields absent (null), not 0.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { evaluateBaseVersion } from '@accrete/jobs';
import { SHARED, startTestApi, type TestApi } from './harness.js';

let api: TestApi;
let rehearsal: string;

/** The first `rows` rows of imagenet-sample (odd class indices of them are the retention photos). */
function smallRehearsalDir(rows: number): string {
  const src = join(SHARED, 'datasets/imagenet-sample');
  const dir = mkdtempSync(join(tmpdir(), 'accrete-rehearsal-'));
  const lines = readFileSync(join(src, 'index.csv'), 'utf8').trim().split('\n');
  const keep = lines.slice(1, rows + 1);
  writeFileSync(join(dir, 'index.csv'), [lines[0], ...keep].join('\n') + '\n');
  for (const l of keep) symlinkSync(join(src, l.split(',')[0]!), join(dir, l.split(',')[0]!));
  return dir;
}

before(async () => {
  rehearsal = smallRehearsalDir(40);
  api = await startTestApi({ ACCRETE_REHEARSAL_DIR: rehearsal });
});
after(async () => {
  await api?.close();
  rmSync(rehearsal, { recursive: true, force: true });
});

test(
  'the base version gets an imagenet-retention evaluation once, with its own top-1/top-5 and no parent figures',
  { timeout: 300_000 },
  async () => {
    const q = `{ model(name: "${api.config.baseModelName}") { version(number: 1) { id evaluations { name imagenetRetention { images top1 top5 parentTop1 retention agreement } } } } }`;
    const before = (await api.gql(q)).data.model.version;
    assert.deepEqual(
      before.evaluations,
      [],
      'nothing measured yet (the harness starts without the background evaluation)',
    );
    // scored in the API's own training process, as at start
    const deps = {
      prisma: api.db.prisma,
      config: api.config,
      score: api.app.runner.trainer.scoreBase.bind(api.app.runner.trainer),
    };
    assert.equal(await evaluateBaseVersion(deps, before.id), 'recorded');
    assert.equal(await evaluateBaseVersion(deps, before.id), 'already-recorded');
    const [ev] = (await api.gql(q)).data.model.version.evaluations;
    assert.equal(ev.name, 'imagenet-retention');
    const r = ev.imagenetRetention;
    assert.equal(r.images, 20, 'the odd class indices of the 40 rows');
    assert.ok(r.top1 > 0.5 && r.top1 <= 1, `the pretrained model knows most of its own classes: top-1 ${r.top1}`);
    assert.ok(r.top5 >= r.top1);
    assert.equal(r.parentTop1, null);
    assert.equal(r.retention, null);
    assert.equal(r.agreement, null);
  },
);

test('without retention photos (no index.csv) the base version is left unevaluated, and says so', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'accrete-no-index-'));
  try {
    const lines: string[] = [];
    const deps = {
      prisma: api.db.prisma,
      config: { ...api.config, rehearsalDir: empty },
      score: api.app.runner.trainer.scoreBase.bind(api.app.runner.trainer),
      log: (m: string) => lines.push(m),
    };
    const other = await api.db.prisma.modelVersion.findFirstOrThrow({ where: { number: 1 } });
    await api.db.prisma.evaluation.deleteMany({ where: { versionId: other.id } });
    assert.equal(await evaluateBaseVersion(deps, other.id), 'no-retention-images');
    assert.match(lines.join('\n'), /no retention photos/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
