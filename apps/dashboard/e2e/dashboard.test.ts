// End-to-end acceptance of the dashboard against the real API on a fresh PGlite data dir, in headless Chromium:
// sign in → models → import a tiny flowers dataset (with rejected files) → train a new version and watch it reach
// READY → its charts → point production at it and roll back → playground top-5 → taxonomy.
// Screenshots of each main page go to test-artifacts/dashboard/. The dashboard is built first when
// apps/dashboard/.next is missing or older than its sources.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  artifactsDir,
  createToken,
  createTokenViaApi,
  ensureDashboardBuilt,
  ensureDir,
  makeRehearsalDir,
  openBrowser,
  repoRoot,
  startApi,
  startDashboard,
  stopStack,
  type Proc,
} from './stack.js';

const FLOWERS = join(repoRoot, '../shared/datasets/flowers');
const LABELS = ['daisy', 'dandelion', 'sunflowers'];
const TRAIN_PER_CLASS = 8;
const VAL_PER_CLASS = 4;
const log = (m: string) => console.log(`# e2e: ${m}`);

let tmp: string;
let api: { proc: Proc; url: string } | undefined;
let dash: { proc: Proc; url: string } | undefined;
let browser: Browser | undefined;
let page: Page;
let adminToken: string;
let readerToken: string;
const state: { modelId?: string; datasetId?: string; jobId?: string; newVersionId?: string } = {};

/** <tmp>/imports/mini-flowers/{train,val}/<label>/*.jpg as symlinks into the shared flowers set, plus bad files. */
function makeMiniDataset(root: string): string {
  const dir = join(root, 'mini-flowers');
  for (const [split, n] of [
    ['train', TRAIN_PER_CLASS],
    ['val', VAL_PER_CLASS],
  ] as const) {
    for (const label of LABELS) {
      const src = join(FLOWERS, split, label);
      const dst = join(dir, split, label);
      mkdirSync(dst, { recursive: true });
      for (const f of readdirSync(src)
        .filter((x) => x.endsWith('.jpg'))
        .sort()
        .slice(0, n))
        symlinkSync(join(src, f), join(dst, f));
    }
  }
  // Rejected on import, each with its reason: not an image, a dangling link.
  writeFileSync(join(dir, 'train/sunflowers/notes.jpg'), 'this is not a JPEG\n');
  symlinkSync(join(root, 'does-not-exist.jpg'), join(dir, 'train/daisy/broken-link.jpg'));
  return dir;
}

async function shot(name: string) {
  await page.evaluate(() => window.scrollTo(0, 0)); // the sticky sidebar is drawn where the page is scrolled
  await page.waitForTimeout(150); // let charts finish their layout
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}

async function go(path: string) {
  await page.goto(`${dash!.url}${path}`, { waitUntil: 'domcontentloaded' });
}

before(async () => {
  const t0 = Date.now();
  const lap = (m: string) => log(`${m} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  ensureDir(artifactsDir);
  const built = await ensureDashboardBuilt(log);
  lap(`dashboard build: ${built}`);
  tmp = mkdtempSync(join(tmpdir(), 'accrete-e2e-'));
  const dataDir = join(tmp, 'data');
  const imports = ensureDir(join(tmp, 'imports'));
  makeMiniDataset(imports);
  const rehearsalDir = makeRehearsalDir(tmp);
  adminToken = createToken(dataDir, 'ADMIN', 'e2e-admin'); // before the API: PGlite admits one process
  lap('admin token created');
  api = await startApi({ dataDir, importRoots: [imports, join(repoRoot, '../shared/datasets')], rehearsalDir });
  lap(`API at ${api.url}`);
  readerToken = await createTokenViaApi(api.url, adminToken, 'READER', 'e2e-reader');
  dash = await startDashboard(api.url);
  lap(`dashboard at ${dash.url}`);
  ({ browser, page } = await openBrowser());
});

after(() => stopStack({ browser, dash, api, tmp }));

test('a reader sees data but no mutating buttons', async () => {
  const t0 = Date.now();
  const lap = (m: string) => log(`reader: ${m} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  await go('/sign-in');
  await page.getByLabel('API token').fill(readerToken);
  lap('sign-in page ready');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/models');
  await page.getByTestId('session').locator('.badge-info', { hasText: 'reader' }).waitFor();
  lap('signed in');
  const link = page.getByRole('table').getByRole('link').first();
  await link.click();
  await page.getByRole('heading', { name: 'Lineage' }).waitFor();
  lap('model page');
  assert.equal(await page.getByRole('button', { name: /Rollback/ }).count(), 0, 'a reader must not see Rollback');
  assert.equal(await page.getByRole('link', { name: 'New version' }).count(), 0, 'a reader must not see New version');
  await go('/training');
  await page.getByText('Read-only', { exact: true }).waitFor();
  lap('training page (read-only)');
  await page.getByTestId('session').getByRole('button', { name: 'Sign out' }).click();
});

test('sign in as admin and browse the models', async () => {
  await go('/sign-in');
  await page.getByLabel('API token').fill('acc_not-a-real-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#signin-error').waitFor();
  await page.getByLabel('API token').fill(adminToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/models');
  await page.getByTestId('session').locator('.badge-info', { hasText: 'admin' }).waitFor();
  await page.getByText('production → v1').waitFor();
  await shot('01-models');
  // the search box filters the list on the server
  await page.getByLabel('Search models').fill('no-such-model');
  await page.getByText('No models matching “no-such-model” yet.', { exact: false }).waitFor();
  await page.getByLabel('Search models').fill('mobilenet');
  await page
    .getByRole('table')
    .getByRole('link', { name: /mobilenet/ })
    .first()
    .waitFor();
  await page.getByRole('table').getByRole('link').first().click();
  await page.getByRole('heading', { name: 'Lineage' }).waitFor();
  state.modelId = page.url().split('/models/')[1];
  assert.ok(state.modelId);
  await page.getByTestId('lineage-v1').waitFor();
});

test('create a dataset, import a server folder with rejected files, freeze it', async () => {
  await go('/datasets');
  await page.getByLabel('Name').fill('e2e-flowers');
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await page.waitForURL('**/datasets/*');
  state.datasetId = page.url().split('/datasets/')[1];
  await page.getByLabel('Folder on the API server').fill('mini-flowers');
  await page.getByRole('button', { name: 'Import folder' }).click();
  const outcome = page.getByTestId('import-outcome');
  await outcome.waitFor({ timeout: 60_000 });
  const text = await outcome.innerText();
  assert.match(text, new RegExp(`${LABELS.length * (TRAIN_PER_CLASS + VAL_PER_CLASS)} accepted`), text);
  assert.match(text, /2 rejected/, text);
  // counts per label, the grid and the rejections with their reasons
  const counts = page.getByTestId('class-counts');
  for (const l of LABELS) await counts.getByText(l, { exact: true }).waitFor();
  const grid = page.getByTestId('image-grid').getByRole('listitem');
  await grid.nth(LABELS.length * (TRAIN_PER_CLASS + VAL_PER_CLASS) - 1).waitFor();
  assert.equal(await grid.count(), LABELS.length * (TRAIN_PER_CLASS + VAL_PER_CLASS));
  await page
    .getByTestId('imports')
    .getByRole('button', { name: /2 rejected/ })
    .click();
  const rejections = page.getByTestId('rejections');
  await rejections.waitFor();
  assert.match(await rejections.innerText(), /notes\.jpg/);
  assert.match(await rejections.innerText(), /broken-link\.jpg/);
  // uploading plain images needs a label: the form says so instead of leaving Upload greyed without a reason
  await page.getByRole('tab', { name: 'Upload' }).click();
  await page
    .locator('#up-files')
    .setInputFiles(join(FLOWERS, 'val/daisy', readdirSync(join(FLOWERS, 'val/daisy')).sort()[0]!));
  await page.getByTestId('upload-needs-label').waitFor();
  assert.ok(await page.getByRole('button', { name: 'Upload', exact: true }).isDisabled());
  await page.locator('#up-label').fill('daisy');
  await page.getByTestId('upload-needs-label').waitFor({ state: 'detached' });
  assert.ok(await page.getByRole('button', { name: 'Upload', exact: true }).isEnabled());
  await page.getByRole('tab', { name: 'Server folder' }).click();
  await page.getByRole('button', { name: 'Freeze version' }).click();
  await page.getByText(/Frozen as v1/).waitFor();
  await page.getByTestId('image-grid').scrollIntoViewIfNeeded();
  await shot('02-dataset');
});

test('train a new version from the form and watch the job reach READY', async () => {
  await go(`/training?model=${state.modelId}`);
  const form = page.getByTestId('new-version-form');
  await form.waitFor();
  await form.getByLabel('Dataset', { exact: true }).selectOption(state.datasetId!);
  // every label is selected; the overlap table shows the API's name rule and defaults: daisy IS ImageNet's daisy
  // (merged by default), sunflowers is a new class filed where WordNet puts it; the parent's answers on each label's
  // images arrive once the server has run it (the dataOverlap query, polled)
  await form.getByText('name: = daisy (same name)').waitFor();
  const daisy = form.getByLabel('How “daisy” joins the new version');
  assert.equal(await daisy.inputValue(), 'auto');
  assert.match(await daisy.locator('option[value="auto"]').innerText(), /^default: merge into daisy \(same name\)/);
  await form
    .locator('#res-sunflowers option[value="auto"]', { hasText: 'default: new class (WordNet sense)' })
    .waitFor({ state: 'attached' });
  await form
    .getByText(/parent answers: daisy \d/)
    .first()
    .waitFor({ timeout: 120_000 }); // one row per label
  // a class the default does not win over, though it answers a quarter of the images, says why in the server's
  // words: daisy is merged into ImageNet's daisy, and a merge takes nothing over
  assert.match(
    await form.getByTestId('takeover-notes-daisy').innerText(),
    /daisy: not won over: this label is merged into an existing class/,
  );
  // a new class can be named apart from its label: the name is what the version calls its unit
  await form.getByLabel('Name of the class “dandelion” becomes').fill('golden weed');
  assert.equal(await form.locator('#res-dandelion option[value="new"]').innerText(), 'new class “golden weed”');
  await form.getByLabel(/Retention knob/).fill('0.2'); // lean towards the new classes: 8 images each is little
  await form.getByLabel('Augmentations per image (optional)').fill('1');
  // the view kinds are the server's list (Query.growthViewKinds), offered after the backend's default
  const views = form.getByLabel('How views are made (optional)');
  assert.deepEqual(await views.locator('option').allInnerTexts(), [
    'default',
    'feature-map',
    'mirror-and-map',
    'image',
  ]);
  await views.selectOption('mirror-and-map');
  await form.getByLabel('Note').fill('e2e: daisy merged, dandelion (as golden weed) and sunflowers added');
  await shot('03-training-form');
  await form.getByRole('button', { name: 'Start training' }).click();
  await page.waitForURL('**/jobs/*');
  state.jobId = page.url().split('/jobs/')[1];
  // live progress: the status line changes while the job runs, then the job ends
  const status = page.getByTestId('job-status');
  await status.waitFor();
  const seen = new Set<string>();
  const t0 = Date.now();
  let midShot = false;
  while (Date.now() - t0 < 240_000) {
    const s = await status.innerText();
    seen.add(s);
    if (!midShot && /running/.test(s) && !/preparing|queued/.test(s)) {
      midShot = true;
      await shot('04a-job-running');
    }
    if (await page.getByTestId('job-done').count()) break;
    if (await page.getByText('The job failed').count())
      assert.fail(`training failed: ${await page.getByRole('alert').innerText()}`);
    await page.waitForTimeout(400);
  }
  log(`job statuses seen: ${[...seen].join(' | ')}`);
  await page.getByTestId('job-done').waitFor({ timeout: 1000 });
  assert.match(await page.getByTestId('job-done').innerText(), /v2 is READY/);
  assert.equal(
    await page.locator('dt:text-is("Views") + dd').innerText(),
    'mirror-and-map',
    'the option the form sent',
  );
  // a merge names the class it went into (the server resolves it), not just an output unit
  assert.match(await page.getByTestId('job-merges').innerText(), /^daisy → daisy \(unit \d+\)$/);
  await shot('04b-job-done');
  await page.getByRole('link', { name: 'Open v2' }).click();
  await page.waitForURL('**/versions/*');
  state.newVersionId = page.url().split('/versions/')[1];
});

test('the version page shows its evaluation charts and compares with the parent', async () => {
  await go(`/versions/${state.newVersionId}`);
  for (const id of ['chart-accuracy', 'chart-retention', 'chart-per-class', 'chart-confusion']) {
    const section = page.getByTestId(id);
    await section.waitFor();
    assert.ok((await section.locator('svg, .empty').count()) > 0, `${id} has a chart (or its empty state)`);
  }
  assert.ok((await page.getByTestId('chart-accuracy').locator('svg rect').count()) >= 4, 'accuracy bars drawn');
  assert.ok(
    (await page.getByTestId('chart-per-class').locator('svg rect').count()) >= LABELS.length,
    'per-class bars drawn',
  );
  await page.getByText('Top-1 at parent class').waitFor(); // the taxonomy roll-up (sunflowers were filed under flower)
  // the knob's trade-off on the growth's held-out split, with the knob the form sent (0.2) marked among the five
  const knob = page.getByTestId('knob-tradeoff');
  await knob.waitFor();
  assert.equal(await knob.locator('tbody tr').count(), 6);
  assert.match(await knob.locator('tr[aria-current="true"]').innerText(), /0\.2 \(this version\)/);
  // the cumulative figure the server measured against the base the lineage started from
  await page.getByText('Drop since the base').waitFor();
  assert.match(await page.getByTestId('chart-retention').innerText(), /Since the base[^\n]*\n?[^\n]*% → [\d.]+%/);
  const compare = page.getByTestId('compare');
  await compare.getByRole('cell', { name: 'overall.top1' }).first().waitFor();
  assert.match(await compare.innerText(), /\+ golden weed/, 'the name the form gave, not the label');
  assert.match(await compare.innerText(), /\+ sunflowers/);
  await shot('05-version');
  // a stale link: "not found" with a way on, not a "Try again" that cannot help
  await go('/versions/00000000-0000-4000-8000-000000000000');
  await page.getByTestId('not-found').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Try again' }).count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Back to the models' }).count(), 1);
});

test('point production at v2, then roll it back to v1', async () => {
  await go(`/versions/${state.newVersionId}`);
  await page.getByRole('button', { name: 'Point alias here…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Alias').fill('production');
  await dialog.getByRole('button', { name: 'Move alias' }).click();
  await page.getByRole('status').filter({ hasText: 'production → v2' }).waitFor();

  await go(`/models/${state.modelId}`);
  // the versions table: v2's ImageNet drop since the base (the server's figure), none for the base itself
  const v2Row = page
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name: 'v2', exact: true }) })
    .first();
  assert.match(await v2Row.innerText(), /\d+\.\d pp/);
  // top-1 per version: the base has no validation split (it was imported) and says so; its measured top-1 is the
  // one on the held-out ImageNet photos, which every version has
  assert.equal(await page.getByTestId('val-top1-v1').innerText(), 'n/a (base)');
  assert.match(await page.getByTestId('val-top1-v2').innerText(), /^\d+\.\d%$/);
  for (const n of [1, 2]) assert.match(await page.getByTestId(`imagenet-top1-v${n}`).innerText(), /^\d+\.\d%$/);
  const v1Href = await page
    .locator('tr', { has: page.getByTestId('val-top1-v1') })
    .getByRole('link', { name: 'v1', exact: true })
    .getAttribute('href');
  await go(v1Href!);
  const card = (label: string) => page.locator('.stat', { has: page.locator('dt', { hasText: label }) });
  await card('Top-1 overall').waitFor();
  assert.match(await card('Top-1 overall').innerText(), /n\/a[\s\S]*not measured for the base model/);
  assert.match(await card('Top-1 on held-out ImageNet photos').locator('dd').innerText(), /^\d+\.\d%/);
  await go(`/models/${state.modelId}`);
  const prod = page.getByTestId('alias-production');
  await prod.getByTestId('alias-target').filter({ hasText: 'v2' }).waitFor();
  await prod.getByRole('button', { name: /Rollback/ }).click();
  const confirm = page.getByRole('dialog');
  assert.match(await confirm.innerText(), /moves it to\s+v1/);
  await confirm.getByRole('button', { name: 'Roll back' }).click();
  await page.getByText('“production” now points at v1.').waitFor();
  await prod.getByTestId('alias-target').filter({ hasText: /^v1$/ }).waitFor();
  await prod.getByText('Rolled back').waitFor();
  await shot('06-model-after-rollback');
});

test('the playground classifies an uploaded image with a top-5', async () => {
  await go(`/playground?version=${state.newVersionId}`);
  const img = join(FLOWERS, 'val/sunflowers', readdirSync(join(FLOWERS, 'val/sunflowers')).sort()[VAL_PER_CLASS + 1]!);
  await page.locator('#pg-file').setInputFiles(img);
  const list = page.getByTestId('predictions');
  await list.waitFor({ timeout: 60_000 });
  const items = list.getByRole('listitem');
  assert.equal(await items.count(), 5);
  const text = await list.innerText();
  assert.match(text, /%/);
  const top = await items.evaluateAll((lis) =>
    lis.map((li) => `${li.querySelector('strong')?.textContent} ${li.querySelector('.mono')?.textContent}`),
  );
  log(`playground top-5: ${top.join(', ')}`);
  await shot('07-playground');
});

test('upload images from the browser into the dataset (XHR to /upload, with progress)', async () => {
  await go(`/datasets/${state.datasetId}`);
  const form = page.getByTestId('import-form');
  await form.getByRole('tab', { name: 'Upload' }).click();
  const dir = join(FLOWERS, 'train/tulips');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(0, 3)
    .map((f) => join(dir, f));
  await form.getByLabel('Files').setInputFiles(files);
  await form.getByLabel('Label', { exact: true }).fill('tulips');
  await form.getByRole('button', { name: 'Upload' }).click();
  const outcome = page.getByTestId('import-outcome');
  await outcome.waitFor({ timeout: 60_000 });
  assert.match(await outcome.innerText(), /3 accepted, 0 duplicates, 0 rejected/);
  await page.getByTestId('class-counts').getByText('tulips', { exact: true }).waitFor();
  await page
    .getByTestId('imports')
    .getByText(/^upload:/)
    .waitFor();
});

test('the taxonomy finds a class, shows its path and highlights user classes', async () => {
  await go('/taxonomy');
  await page.getByTestId('taxonomy-tree').waitFor();
  await page.getByLabel('Search classes').fill('daisy');
  await page
    .getByRole('button', { name: /^daisy/ })
    .first()
    .click();
  const node = page.getByTestId('taxonomy-node');
  await node.getByRole('heading', { name: /daisy/ }).waitFor();
  assert.ok(
    (await node.getByRole('navigation', { name: 'Class path' }).getByRole('listitem').count()) >= 2,
    'a path breadcrumb',
  );
  await page.getByRole('heading', { name: 'User classes' }).waitFor();
  await page.getByRole('button', { name: 'sunflowers', exact: true }).waitFor();
  await shot('08-taxonomy');
  // keyboard (ARIA tree): ← on a leaf moves to its parent, ← again collapses it, Enter selects it
  const selected = page.locator('[role="treeitem"][aria-selected="true"]');
  await selected.focus();
  await page.keyboard.press('ArrowLeft');
  const focused = page.locator('[role="treeitem"]:focus');
  await focused.and(page.locator('[aria-expanded="true"]')).waitFor();
  const parentName = (await focused.locator('.tree-name').first().innerText()).trim();
  await page.keyboard.press('ArrowLeft');
  await page.locator('[role="treeitem"]:focus[aria-expanded="false"]').waitFor();
  await page.keyboard.press('Enter');
  await node.getByRole('heading', { name: parentName }).waitFor();
});

test('an admin creates a token on the tokens page, and revoking it locks it out', async () => {
  await go('/tokens');
  await page.getByLabel('Name (who uses it)').fill('e2e-editor');
  await page.getByLabel('Role').selectOption('EDITOR');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.getByTestId('new-token').innerText()).trim();
  const viewer = async () => {
    const r = await fetch(`${api!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query: '{ viewer { name role } }' }),
    });
    return (await r.json()) as { data?: { viewer: { name: string | null; role: string | null } }; errors?: unknown[] };
  };
  assert.deepEqual((await viewer()).data?.viewer, { name: 'e2e-editor', role: 'EDITOR' });
  const row = page.getByRole('row').filter({ hasText: 'e2e-editor' });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await row.waitFor({ state: 'detached' }); // revoked tokens are hidden by default
  const after = await viewer();
  assert.ok(
    after.errors || !after.data?.viewer.role,
    `a revoked token must not authenticate: ${JSON.stringify(after)}`,
  );
  await shot('09-tokens');
});
