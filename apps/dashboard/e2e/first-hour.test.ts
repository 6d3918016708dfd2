// A newcomer's first hour, end to end in headless Chromium against the real API on an EMPTY data dir:
// the API prints a one-time sign-in link → it signs the first ADMIN in → the admin creates an EDITOR token on the
// Tokens page → the editor previews a train/-only folder (validation derived by content hash, shown per class),
// imports and freezes it → trains with the form's defaults (the API's) → v1 and v2 show metric cards with values.
// Screenshots: test-artifacts/dashboard/first-hour-*.png.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  artifactsDir,
  ensureDashboardBuilt,
  ensureDir,
  makeRehearsalDir,
  openBrowser,
  freePort,
  repoRoot,
  startApi,
  startDashboard,
  stopStack,
  waitForOutput,
  type Proc,
} from './stack.js';

const SHARED = join(repoRoot, '../shared');
const FLOWERS = join(SHARED, 'datasets/flowers');
const LABELS = ['dandelion', 'sunflowers'];
const PER_CLASS = 15;
const log = (m: string) => console.log(`# first-hour: ${m}`);

let tmp: string;
let api: { proc: Proc; url: string } | undefined;
let dash: { proc: Proc; url: string } | undefined;
let browser: Browser | undefined;
let page: Page;
let signInLink: string;
const state: { editorToken?: string; datasetId?: string; modelId?: string; v1Id?: string; v2Id?: string } = {};

/** imports/garden/train/<label>/*.jpg (links into the shared flowers set): a train/-only folder, no val/. */
function makeTrainOnlyFolder(imports: string): void {
  for (const label of LABELS) {
    const src = join(FLOWERS, 'train', label);
    const dst = join(imports, 'garden/train', label);
    mkdirSync(dst, { recursive: true });
    for (const f of readdirSync(src)
      .filter((x) => x.endsWith('.jpg'))
      .sort()
      .slice(0, PER_CLASS))
      symlinkSync(join(src, f), join(dst, f));
  }
}

async function shot(name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(150); // let charts finish their layout
  const path = join(artifactsDir, `first-hour-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  log(`screenshot ${path}`);
}

async function gql<T>(query: string, token?: string): Promise<T> {
  const r = await fetch(`${api!.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await r.json()) as { data?: T; errors?: unknown[] };
  if (!body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The value shown on a metric card (the <dd> of the stat labelled `label`), without its hint. */
async function card(label: string): Promise<string> {
  const dd = page.locator('.stat', { has: page.locator('dt', { hasText: label }) }).locator('dd');
  await dd.waitFor();
  return (await dd.evaluate((el) => el.firstChild?.textContent ?? '')).trim();
}

before(async () => {
  const t0 = Date.now();
  const lap = (m: string) => log(`${m} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  ensureDir(artifactsDir);
  lap(`dashboard build: ${await ensureDashboardBuilt(log)}`);
  tmp = mkdtempSync(join(tmpdir(), 'accrete-first-hour-'));
  const imports = ensureDir(join(tmp, 'imports'));
  makeTrainOnlyFolder(imports);
  const dashPort = await freePort();
  // an empty data dir: no token, no model, nothing
  api = await startApi({
    dataDir: join(tmp, 'data'),
    importRoots: [imports, join(SHARED, 'datasets')],
    rehearsalDir: makeRehearsalDir(tmp),
    env: { ACCRETE_DASHBOARD_PORT: String(dashPort) },
  });
  lap(`API at ${api.url}`);
  signInLink = (await waitForOutput(api.proc, /http:\/\/\S+\/sign-in#code=[\w-]+/))[0];
  lap(`printed sign-in link ${signInLink.replace(/code=.*/, 'code=…')}`);
  dash = await startDashboard(api.url, dashPort);
  lap(`dashboard at ${dash.url}`);
  ({ browser, page } = await openBrowser());
});

after(() => stopStack({ browser, dash, api, tmp }));

test('the printed one-time link signs the first admin in, once', async () => {
  assert.ok(signInLink.startsWith(`${dash!.url}/sign-in#code=`), `the link points at the dashboard: ${signInLink}`);
  await page.goto(signInLink, { waitUntil: 'domcontentloaded' });
  const welcome = page.getByTestId('first-run');
  await welcome.waitFor();
  assert.match(await welcome.innerText(), /first admin/);
  await page.getByTestId('session').locator('.badge-info', { hasText: 'admin' }).waitFor();
  assert.equal(new URL(page.url()).hash, '', 'the code is removed from the address bar');
  await shot('01-first-run');
  // spent: the same link in another browser context is refused
  const other = await browser!.newContext();
  const p2 = await other.newPage();
  await p2.goto(signInLink, { waitUntil: 'domcontentloaded' });
  await p2.locator('#signin-error').waitFor();
  assert.match(await p2.locator('#signin-error').innerText(), /used up|not from the running API/);
  await other.close();
});

test('the admin creates an EDITOR token on the Tokens page, and it signs in', async () => {
  await page.getByRole('link', { name: 'Create tokens' }).click();
  await page.waitForURL('**/tokens');
  await page.getByLabel('Name (who uses it)').fill('newcomer');
  await page.getByLabel('Role').selectOption('EDITOR');
  await page.getByRole('button', { name: 'Create token' }).click();
  state.editorToken = (await page.getByTestId('new-token').innerText()).trim();
  assert.deepEqual((await gql<{ viewer: unknown }>('{ viewer { name role } }', state.editorToken)).viewer, {
    name: 'newcomer',
    role: 'EDITOR',
  });
  await page.getByTestId('session').getByRole('button', { name: 'Sign out' }).click();
  await page.goto(`${dash!.url}/sign-in`, { waitUntil: 'domcontentloaded' });
  await page.getByLabel('API token').fill(state.editorToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/models');
  await page.getByTestId('session').locator('.badge-info', { hasText: 'editor' }).waitFor();
});

test('a train/-only folder: the preview shows the derived validation split per class, then the import matches it', async () => {
  await page.goto(`${dash!.url}/datasets`, { waitUntil: 'domcontentloaded' });
  await page.getByLabel('Name').fill('garden');
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await page.waitForURL('**/datasets/*');
  state.datasetId = page.url().split('/datasets/')[1];
  await page.getByLabel('Folder on the API server').fill('garden');
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByTestId('import-preview');
  await preview.waitFor({ timeout: 60_000 });
  const text = await preview.innerText();
  assert.match(
    text,
    new RegExp(
      `${LABELS.length * PER_CLASS} files found — ${LABELS.length * PER_CLASS} would be added, 0 duplicates, 0 rejected`,
    ),
    text,
  );
  assert.match(
    text,
    /train\/ without val\/: about 20% of each class's images go to validation, chosen by content hash/,
  );
  const rows = await preview
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent!.trim())));
  assert.deepEqual(
    rows.map((r) => r[0]),
    LABELS,
  );
  let val = 0;
  for (const [, files, train, v] of rows) {
    assert.equal(Number(files), PER_CLASS);
    assert.equal(Number(train) + Number(v), PER_CLASS);
    val += Number(v);
  }
  assert.ok(val > 0, 'validation images are derived, never silently none');
  assert.equal(
    (
      await gql<{ dataset: { imageCount: number } }>(
        `{ dataset(id: "${state.datasetId}") { imageCount } }`,
        state.editorToken,
      )
    ).dataset.imageCount,
    0,
    'the preview wrote nothing',
  );
  await preview.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'first-hour-02-import-preview.png'), fullPage: true });
  log(`screenshot ${join(artifactsDir, 'first-hour-02-import-preview.png')}`);

  await page.getByRole('button', { name: `Import ${LABELS.length * PER_CLASS} images` }).click();
  const outcome = page.getByTestId('import-outcome');
  await outcome.waitFor({ timeout: 60_000 });
  assert.match(
    await outcome.innerText(),
    new RegExp(`${LABELS.length * PER_CLASS} accepted, 0 duplicates, 0 rejected`),
  );
  for (const label of LABELS) await page.getByTestId('class-counts').getByText(label, { exact: true }).waitFor(); // refetched after the import
  const counts = await page
    .getByTestId('class-counts')
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from(tr.querySelectorAll('td'))
          .slice(0, 3)
          .map((td) => td.textContent!.trim()),
      ),
    );
  assert.deepEqual(
    counts,
    rows.map((r) => [r[0], r[2], r[3]]),
    'the import did what the preview said',
  );
  await page.getByRole('button', { name: 'Freeze version' }).click();
  await page.getByText(/Frozen as v1/).waitFor();
});

test("training with the form as it opens (= the API's growthDefaults) makes v2", async () => {
  const models = await gql<{ models: { nodes: { id: string; version: { id: string } }[] } }>(
    '{ models(first: 1) { nodes { id version(number: 1) { id } } } }',
    state.editorToken,
  );
  state.modelId = models.models.nodes[0]!.id;
  state.v1Id = models.models.nodes[0]!.version.id;
  await page.goto(`${dash!.url}/training?model=${state.modelId}`, { waitUntil: 'domcontentloaded' });
  const form = page.getByTestId('new-version-form');
  await form.waitFor();
  await form.getByLabel('Dataset', { exact: true }).selectOption(state.datasetId!);
  // every label is selected; each one's decision stays the form's default (the overlap table is H10api's)
  for (const label of LABELS) await form.getByText(label, { exact: true }).first().waitFor();
  const strategy = await form.getByLabel('Strategy').inputValue();
  const knob = Number(await form.locator('#nv-knob').inputValue());
  // the form opens on the product's defaults: the ones the API serves (and a request without options runs with)
  const served = (
    await gql<{ growthDefaults: { strategy: string; retentionKnob: number } }>(
      '{ growthDefaults { strategy retentionKnob } }',
      state.editorToken,
    )
  ).growthDefaults;
  assert.deepEqual({ strategy, knob }, { strategy: served.strategy, knob: served.retentionKnob });
  log(`form defaults = API defaults: strategy ${strategy}, retention knob ${knob}`);
  await form.getByRole('button', { name: 'Start training' }).click();
  await page.waitForURL('**/jobs/*');
  const jobId = page.url().split('/jobs/')[1]!;
  const job = await gql<{ trainingJob: { strategy: string; growth: { options: { retentionKnob: number | null } } } }>(
    `{ trainingJob(id: "${jobId}") { strategy growth { options { retentionKnob } } } }`,
    state.editorToken,
  );
  assert.equal(job.trainingJob.strategy, strategy, 'the job runs with the strategy the form showed');
  assert.equal(job.trainingJob.growth.options.retentionKnob, knob);
  await page.getByTestId('job-done').waitFor({ timeout: 420_000 });
  assert.match(await page.getByTestId('job-done').innerText(), /v2 is READY/);
  await page.getByRole('link', { name: 'Open v2' }).click();
  await page.waitForURL('**/versions/*');
  state.v2Id = page.url().split('/versions/')[1];
});

test('v1 and v2 show metric cards with values; absent figures are absent, not 0', async () => {
  await page.goto(`${dash!.url}/versions/${state.v1Id}`, { waitUntil: 'domcontentloaded' });
  // the base version was scored on the retention photos after the first start
  for (let t0 = Date.now(); (await card('Top-1 on held-out ImageNet photos')) === '—' && Date.now() - t0 < 60_000;) {
    await page.waitForTimeout(1000);
    await page.reload({ waitUntil: 'domcontentloaded' });
  }
  assert.match(await card('Top-1 on held-out ImageNet photos'), /^\d+(\.\d)?%$/);
  await shot('03-version-v1');

  await page.goto(`${dash!.url}/versions/${state.v2Id}`, { waitUntil: 'domcontentloaded' });
  for (const label of [
    'Top-1 overall',
    'Top-1 new classes',
    'Retention vs parent',
    'Top-1 on held-out ImageNet photos',
  ]) {
    assert.match(await card(label), /^\d+(\.\d)?%$/, `${label} has a value on v2`);
  }
  // no old-class image in this dataset's validation split: shown as absent, not 0 %
  assert.equal(await card('Top-1 old classes'), '—');
  const compare = page.getByTestId('compare');
  await compare.getByRole('cell', { name: 'top1', exact: true }).first().waitFor();
  const row = compare
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: 'imagenet-retention' }) })
    .filter({ has: page.getByRole('cell', { name: 'top1', exact: true }) });
  const cells = await row.first().locator('td').allInnerTexts();
  log(`compare v1 → v2, imagenet-retention top1: ${cells.join(' | ')}`);
  assert.ok(
    cells.filter((c) => /%/.test(c)).length >= 2,
    `v1 and v2 both have a retention top-1: ${cells.join(' | ')}`,
  );
  await shot('04-version-v2');
});
