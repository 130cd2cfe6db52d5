/**
 * The trust question in Debian's Chromium against the real `probebook serve`, on a notebook whose
 * cells' languages are decided by its kernelspec and a magic line and whose parameters become
 * root's environment (one of them PATH, refused): the question shows the parameters with their
 * values, each cell's language as it will run and who it runs as; Ctrl+S saves without trusting,
 * so Run All still asks, and nothing runs. Screenshot: test-artifacts/screenshots/page-trust-review.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canRunPageTests, launchBrowser, newPage, openNotebook, screenshot } from '../support/page-browser.ts';
import { labFolder, startServe } from '../support/probebook-serve.ts';

/** The notebook as Jupyter would write it: no Probebook language anywhere, the kernelspec says TypeScript. */
function writeLab(dir: string): string {
  const code = (id: string, source: string, probebook?: Record<string, unknown>) => ({
    cell_type: 'code',
    id,
    metadata: probebook ? { probebook } : {},
    source: source.split(/(?<=\n)/),
    outputs: [],
    execution_count: null,
  });
  const path = join(dir, 'lab.ipynb');
  writeFileSync(
    path,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {
        kernelspec: { name: 'tslab', display_name: 'Bash', language: 'typescript' },
        probebook: { parameters: { IFACE: 'lo', COUNT: 3, PATH: '.' } },
      },
      cells: [
        { cell_type: 'markdown', id: 'intro', metadata: {}, source: ['# Link lab'] },
        code('list', 'true // 2>/dev/null; ip -br link show "$IFACE"'),
        code('magic', '%%bash\nip -br link show "$IFACE" > links.txt'),
        code('trace', 'BEGIN { printf("%d\\n", $1); exit(); }', { language: 'bpftrace', args: ['COUNT'] }),
        code('prepare', 'echo prepared > prepared.txt', { user: true, language: 'shell' }),
      ],
    }),
  );
  return path;
}

test('the trust question shows parameters and each cell’s language as it will run; saving does not trust', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  const file = writeLab(dir);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const { page, errors } = await newPage(browser, { height: 1000 });
  const sent: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))));
  const sentTypes = () => sent.map((s) => (JSON.parse(s) as { type: string }).type);
  await openNotebook(page, serve.pageUrl('lab.ipynb'));
  const dialog = page.locator('dialog[open]');

  await t.test('the question lists the parameters with their values, the refused one marked', async () => {
    await page.locator('[data-banner="trust"] button', { hasText: 'Review and trust' }).click();
    await dialog.waitFor();
    const rows = await dialog
      .locator('.pb-trust-params tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(rows, [
      ['IFACE', 'lo', ''],
      ['COUNT', '3', ''],
      ['PATH', '.', 'refused'],
    ]);
    assert.match(await dialog.locator('.pb-trust-warn').first().innerText(), /cannot run: parameter PATH is refused: it chooses which programs run/);
  });

  await t.test('each cell shows its language as it will run (the kernelspec, the magic), who it runs as and its exact code', async () => {
    const cells = await dialog.locator('.pb-trust-cell').evaluateAll((items) =>
      items.map((el) => ({
        label: (el.querySelector('.pb-trust-label') as HTMLElement).innerText.replace(/\s+/g, ' '),
        runAs: (el as HTMLElement).dataset['runAs'],
        language: (el as HTMLElement).dataset['language'],
        code: el.querySelector('.pb-trust-code')!.textContent,
      })),
    );
    assert.deepEqual(cells, [
      {
        label: "Cell 2 TypeScript from the notebook's kernelspec as root",
        runAs: 'root',
        language: 'typescript',
        code: 'true // 2>/dev/null; ip -br link show "$IFACE"',
      },
      { label: 'Cell 3 Shell from its first line as root', runAs: 'root', language: 'shell', code: '%%bash\nip -br link show "$IFACE" > links.txt' },
      { label: 'Cell 4 bpftrace as root', runAs: 'root', language: 'bpftrace', code: 'BEGIN { printf("%d\\n", $1); exit(); }' },
      { label: 'Cell 5 Shell as you', runAs: 'user', language: 'shell', code: 'echo prepared > prepared.txt' },
    ]);
    await screenshot(page, 'trust-review');
    await dialog.locator('button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  await t.test('Ctrl+S saves the notebook and leaves it untrusted', async () => {
    await page.locator('.pb-notebook').focus();
    await page.keyboard.press('Control+s');
    await page.locator('.pb-toast', { hasText: 'Saved lab.ipynb' }).waitFor();
    assert.ok(sentTypes().includes('save_request'));
    assert.equal(await page.evaluate(() => window.probebookTest!.trusted()), false);
    assert.equal(await page.locator('.pb-app > .pb-statusbar .pb-sb-item', { hasText: /trusted/i }).innerText(), 'Not trusted');
    await page.locator('[data-banner="trust"]').waitFor();
    const db = join(dir, '.state', 'probebook', 'trust-signatures.json');
    assert.ok(!existsSync(db) || Object.keys(JSON.parse(readFileSync(db, 'utf8')).signatures).length === 0, 'no signature was recorded');
  });

  await t.test('Run All still asks, and cancelling runs nothing', async () => {
    await page.locator('.pb-tool[data-command="notebook.runAll"]').click();
    await dialog.waitFor();
    assert.equal(await dialog.locator('.pb-trust-cell').count(), 4);
    await dialog.locator('button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The page asked the host for nothing that runs or trusts.
    assert.deepEqual(
      sentTypes().filter((type) => type === 'execute_request' || type === 'trust_request'),
      [],
    );
    assert.equal(existsSync(join(dir, 'links.txt')) || existsSync(join(dir, 'prepared.txt')), false);
  });

  await t.test('reopened, the saved file is still untrusted', async () => {
    await page.reload();
    await page.waitForSelector('.pb-cell');
    await page.locator('[data-banner="trust"]').waitFor();
    assert.equal(await page.evaluate(() => window.probebookTest!.trusted()), false);
    assert.match(readFileSync(file, 'utf8'), /"tslab"/, 'the kernelspec was saved as read');
    assert.deepEqual(errors, []);
  });
});
