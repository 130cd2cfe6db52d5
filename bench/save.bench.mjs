// Issue 18's save benchmark: what PNG fallbacks of figures add to a save in the app.
//  (a) a save with no figures (the floor), timed from Ctrl+S to the "Saved" toast in the page
//  (b) a save of a notebook with 3 new figures, the page drawing their PNGs (its hidden plot frame;
//      the first save of the page also loads plotly into that frame), same timing
//  (b2) the same once the page drew the PNGs ahead (it does while idle, 1.5 s after outputs settle)
//  (c) the peer: the host drawing the same 3 figures in headless Chromium, as every save did
//      before the page sent its own (addFigureFallbacks, in process)
// The host of (a) and (b) has no browser (PROBEBOOK_CHROMIUM names nothing), so (b) is the page's path only.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { chromium } from 'playwright-core';
import { addFigureFallbacks } from '../core/node/export/figure-fallbacks.ts';
import { parseNotebook } from '../core/common/notebook/ipynb.ts';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'probebook-save-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(0)} ms`;
const RUNS = 5;

function notebook(figures, seed) {
  const cells = [
    { id: 'text', cell_type: 'code', metadata: {}, source: 'echo hi', outputs: [{ output_type: 'stream', name: 'stdout', text: 'hi\n' }], execution_count: 1 },
  ];
  for (let i = 0; i < figures; i++) {
    const y = Array.from({ length: 200 }, (_, k) => Math.sin(k / 10 + i + seed) * 100);
    const figure = { data: [{ type: 'scatter', y, name: `run ${seed}` }], layout: { title: { text: `Throughput ${i}` } } };
    cells.push({
      id: `fig${i}`,
      cell_type: 'code',
      metadata: {},
      source: '// plot',
      outputs: [{ output_type: 'display_data', data: { 'application/vnd.plotly.v1+json': figure, 'text/plain': ['<Figure>'] }, metadata: {} }],
      execution_count: null,
    });
  }
  return JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });
}

async function startServe(dir) {
  const args = [join(root, 'bin/probebook.mjs'), 'serve', dir, '--port', '0', '--no-browser'];
  if (process.geteuid?.() === 0) args.push('--allow-root');
  const env = { XDG_STATE_HOME: join(dir, '.state'), XDG_RUNTIME_DIR: join(dir, '.run'), PROBEBOOK_CHROMIUM: join(dir, 'none') };
  const child = execa(process.execPath, args, { cwd: root, buffer: false, reject: false, stdin: 'ignore', env });
  const url = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]);
    });
    void child.then(() => fail(new Error(`probebook serve exited: ${out}`)));
  });
  return { url, stop: async () => (child.kill('SIGTERM'), await child) };
}

async function timedSave(page, url, ahead = false) {
  await page.goto(url);
  await page.waitForSelector('.pb-cell');
  if (ahead) {
    // As a user who looked at the notebook a moment: the page drew the PNGs while idle.
    await page.waitForSelector('iframe[title="Figure fallbacks"]', { state: 'attached', timeout: 30_000 });
    await page.waitForFunction(async () => (await window.probebookTest.figurePngsDrawn()) >= 3, undefined, { timeout: 60_000, polling: 200 });
  }
  await page.locator('.pb-cell').first().click();
  await page.keyboard.press('Escape');
  const t0 = await page.evaluate(() => performance.now());
  await page.keyboard.press('Control+s');
  await page.getByText(/^Saved /).waitFor({ timeout: 60_000 });
  return (await page.evaluate(() => performance.now())) - t0;
}

let server;
let browser;
try {
  for (let i = 0; i < RUNS; i++) {
    writeFileSync(join(work, `plain-${i}.ipynb`), notebook(0, i));
    writeFileSync(join(work, `figures-${i}.ipynb`), notebook(3, i));
    writeFileSync(join(work, `ahead-${i}.ipynb`), notebook(3, 50 + i));
  }
  server = await startServe(work);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage();
  const open = (name) => `${server.url}&open=${name}`;
  const plain = [];
  const figures = [];
  const ahead = [];
  for (let i = 0; i < RUNS; i++) {
    plain.push(await timedSave(page, open(`plain-${i}.ipynb`)));
    figures.push(await timedSave(page, open(`figures-${i}.ipynb`)));
    ahead.push(await timedSave(page, open(`ahead-${i}.ipynb`), true));
  }
  const host = [];
  for (let i = 0; i < 3; i++) {
    const nb = parseNotebook(notebook(3, 100 + i), 'bench.ipynb');
    const t0 = performance.now();
    await addFigureFallbacks(nb);
    host.push(performance.now() - t0);
  }
  console.log(`(a) save, no figures:                      median ${ms(median(plain))} (${plain.map(ms).join(', ')})`);
  console.log(
    `(b) save right after opening, 3 new figures drawn by the page: median ${ms(median(figures))} (${figures.map(ms).join(', ')}; each page load starts its frame anew)`,
  );
  console.log(
    `(b2) the same, saved once the page had drawn them ahead (idle, 1.5 s after the outputs settle): median ${ms(median(ahead))} (${ahead.map(ms).join(', ')})`,
  );
  console.log(`(c) peer: the host drawing them in headless Chromium, as saves did before: median ${ms(median(host))} (${host.map(ms).join(', ')})`);
} finally {
  await browser?.close();
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}
