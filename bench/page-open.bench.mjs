// Issue 4's benchmark: the notebook page in Debian's Chromium against the real `probebook serve`.
//  (a) open a 500-cell notebook with outputs: first paint      goal ≤ 300 ms
//  (b) the same: interactive (the editor has loaded)             goal ≤ 1 s
//  (c) keypress-to-screen latency p95 while a cell streams 2,000,000 lines   goal ≤ 100 ms
// The peer measured in the same run is Chromium's own first contentful paint of the page shell
// (the browser's floor for this page), and the key latency on an idle page.
// (a) and (b) are timed in a Chromium no DevTools client watches while the page loads
// (support/bare-chromium.mjs): Playwright's instrumentation costs the page time a user's browser
// never spends. (c) types through Playwright.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { chromium } from 'playwright-core';
import { launchBareChromium } from './support/bare-chromium.mjs';

const root = resolve(import.meta.dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
// Chromium 156 gives every new window (each browser context here) two renderers of its own for the
// address bar's pop-up, which load at the same moment as the page and take ~1.2 s of CPU on a
// 2-core machine. A user's window has had them since it opened; the page under test should not
// pay for them, so the bench turns them off. (PB_BENCH_BROWSER_UI=1 keeps them, to compare.)
const BROWSER_UI_OFF = process.env.PB_BENCH_BROWSER_UI === '1' ? [] : ['--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup'];
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  ...BROWSER_UI_OFF,
];
const work = mkdtempSync(join(tmpdir(), 'probebook-page-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const goal = (ok) => (ok ? 'meets goal' : 'MISSES goal');
const ms = (x) => `${x.toFixed(0)} ms`;

/** A 500-cell lab notebook: markdown, shell cells with 20 lines of output, bpftrace maps, a few errors. */
function bigNotebook() {
  const cells = [];
  for (let i = 0; i < 500; i++) {
    const id = `b${String(i).padStart(7, '0')}`;
    if (i % 5 === 0) {
      cells.push({
        id,
        cell_type: 'markdown',
        metadata: {},
        source: [`## Step ${i / 5 + 1}\n`, '\n', `Measure the queue with **bpftrace** and \`ip -s link\`; compare with step ${i / 5}.\n`],
      });
      continue;
    }
    if (i % 5 === 3) {
      const entries = ['lo', 'eth0', 'veth0', 'br0'].map((k, j) => ({ key: [k], rawKey: k, value: { type: 'scalar', value: 1000 * (j + 1) + i } }));
      const payload = { version: 1, name: '@bytes', kind: 'map', keyless: false, entries, printIndex: 0, time: 1_700_000_000_000 };
      cells.push({
        id,
        cell_type: 'code',
        metadata: { probebook: { language: 'bpftrace', timeout: '5s' } },
        source: ['tracepoint:net:net_dev_queue {\n', '  @bytes[str(args->name)] = sum(args->len);\n', '}\n'],
        execution_count: i,
        outputs: [
          {
            output_type: 'display_data',
            metadata: {},
            data: { 'application/vnd.probebook.bpftrace+json': payload, 'text/plain': entries.map((e) => `@bytes[${e.rawKey}]: ${e.value.value}`).join('\n') },
          },
        ],
      });
      continue;
    }
    const failed = i % 50 === 7;
    cells.push({
      id,
      cell_type: 'code',
      metadata: {},
      source: [`# step ${i}\n`, 'ip -s link show dev lo\n', `tc qdisc show dev lo | head -n ${(i % 7) + 1}\n`],
      execution_count: i,
      outputs: failed
        ? [{ output_type: 'error', ename: 'ExitCode', evalue: 'tc exited with status 2', traceback: ['Error: Cannot find device "lo0"'] }]
        : [
            {
              output_type: 'stream',
              name: 'stdout',
              text: Array.from({ length: 20 }, (_, j) => `${i}:${j} RX: bytes packets errors dropped ${j * 1500} ${j * 3} 0 0\n`),
            },
          ],
    });
  }
  return { nbformat: 4, nbformat_minor: 5, metadata: { probebook: { language: 'shell' } }, cells };
}

function streamNotebook() {
  const cell = (id, source, probebook) => ({ id, cell_type: 'code', metadata: probebook ? { probebook } : {}, source, outputs: [], execution_count: null });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { probebook: { language: 'shell' } },
    cells: [
      // Starts the notebook's shell, so the measurement is of streaming, not of a kernel's start.
      cell('w0000000', 'true', { timeout: '5s' }),
      // 2,000,000 lines in 100 bursts, so the stream lasts while we type.
      cell('s0000001', 'for i in $(seq 1 100); do seq -f "line %g of 2000000" $(( (i-1)*20000+1 )) $(( i*20000 )); sleep 0.05; done'),
      cell('s0000002', '# type here\n'),
    ],
  };
}

async function startServe(dir) {
  const args = [join(root, 'bin/probebook.mjs'), 'serve', dir, '--port', '0', '--no-browser'];
  if (process.geteuid?.() === 0) args.push('--allow-root');
  const child = execa(process.execPath, args, {
    cwd: root,
    buffer: false,
    reject: false,
    stdin: 'ignore',
    env: { XDG_STATE_HOME: join(dir, '.state'), XDG_RUNTIME_DIR: join(dir, '.run') },
  });
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
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await child;
    },
  };
}

/**
 * Times one open of `url` in a new tab of `browser` (a bare Chromium: see support/bare-chromium.mjs),
 * in a new in-memory browser context when `fresh`. The page is left alone while it loads — no
 * DevTools client attached, nothing evaluated in it — for 3 s; the times are the page's own
 * performance marks, read afterwards.
 */
async function openTimes(browser, url, fresh) {
  const tab = await browser.open(url, { fresh });
  try {
    await tab.waitFor(`performance.getEntriesByName('pb-editor-ready').length > 0`);
    const t = await tab.evaluate(`({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      firstPaint: performance.getEntriesByName('pb-first-paint')[0].startTime,
      ready: performance.getEntriesByName('pb-editor-ready')[0].startTime,
      cells: window.probebookTest.cells().length,
      width: innerWidth,
    })`);
    // Then a click in another cell's code: from the mousedown to its editor having focus, timed in the page.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await tab.evaluate(`void (window.__click = new Promise((resolve) => {
      let t0 = 0;
      document.addEventListener('mousedown', (e) => (t0 = e.timeStamp), { capture: true, once: true });
      document.addEventListener('focusin', function onFocus(e) {
        if (!e.target.closest?.('.monaco-editor')) return;
        document.removeEventListener('focusin', onFocus);
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
      });
    }))`);
    await tab.click('.pb-cell:nth-child(3) .pb-code');
    t.clickToEditor = await tab.evaluate('window.__click');
    return t;
  } finally {
    await tab.close();
  }
}

/** `count` opens, each in a fresh in-memory browser context: nothing cached. */
async function coldOpens(url, count) {
  return withBareChromium(async (browser) => {
    const runs = [];
    for (let i = 0; i < count; i++) runs.push(await openTimes(browser, url, true));
    return runs;
  });
}

/**
 * Opens again in one browser profile on disk, as a user reopening notebooks does: the HTTP cache
 * answers, and V8's code cache (kept only in a profile on disk, made on a script's second load)
 * spares compiling Monaco again. Two opens prime it; the medians are of the `count` after them.
 */
async function warmOpens(url, count) {
  return withBareChromium(async (browser) => {
    for (let i = 0; i < 2; i++) await openTimes(browser, url, false);
    const runs = [];
    for (let i = 0; i < count; i++) runs.push(await openTimes(browser, url, false));
    return runs;
  });
}

async function withBareChromium(fn) {
  const profileDir = mkdtempSync(join(tmpdir(), 'probebook-page-bench-profile-'));
  const browser = await launchBareChromium({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, profileDir });
  try {
    return await fn(browser);
  } finally {
    await browser.close();
    rmSync(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

/** Latencies (ms) of `count` key presses typed into the second cell's editor. */
async function keyLatencies(page, count) {
  await page.evaluate(() => {
    window.__lat = [];
    document.addEventListener(
      'keydown',
      (e) => {
        // From the key event (queueing included) to the first task after the next frame: on screen.
        const t0 = e.timeStamp;
        requestAnimationFrame(() => setTimeout(() => window.__lat.push(performance.now() - t0), 0));
      },
      true,
    );
  });
  for (let i = 0; i < count; i++) {
    await page.keyboard.press(String.fromCharCode(97 + (i % 26)));
    await page.waitForTimeout(40);
  }
  await page.waitForFunction((n) => window.__lat.length >= n, count, { timeout: 30_000 });
  return page.evaluate(() => window.__lat);
}

let server;
let browser;
try {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: apt install chromium`);
  writeFileSync(join(work, 'big.ipynb'), JSON.stringify(bigNotebook()));
  writeFileSync(join(work, 'stream.ipynb'), JSON.stringify(streamNotebook()));
  server = await startServe(work);

  // (a), (b): five cold page loads (fresh context each), then five in a warm profile; medians.
  const bigUrl = `${server.url}&open=big.ipynb`;
  await coldOpens(bigUrl, 1); // warms the server's copy and the disk cache
  const report = (label, runs) => {
    const fp = median(runs.map((r) => r.firstPaint));
    const ready = median(runs.map((r) => r.ready));
    const fcp = median(runs.map((r) => r.fcp));
    const click = median(runs.map((r) => r.clickToEditor));
    console.log(`500-cell notebook with outputs (${runs[0].cells} cells, ${runs[0].width} px wide), ${label}, median of ${runs.length}:`);
    console.log(
      `(a) first paint of the notebook ${ms(fp)} (browser's first contentful paint of the page ${ms(fcp)}, ours ${(fp / fcp).toFixed(2)}× that) — ${goal(fp <= 300)} ≤ 300 ms`,
    );
    console.log(
      `(b) interactive (editor loaded, the selected cell editable) ${ms(ready)}; then a click in another cell → its editor ${ms(click)} — ${goal(ready <= 1000)} ≤ 1 s`,
    );
  };
  report('cold (a new browser context each time: nothing cached)', await coldOpens(bigUrl, 5));
  report('warm (reopened in the same browser profile)', await warmOpens(bigUrl, 5));

  // (c) typing while a cell streams 2,000,000 lines, driven by Playwright.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}&open=stream.ipynb`);
  await page.waitForFunction(() => performance.getEntriesByName('pb-editor-ready').length > 0, undefined, { timeout: 30_000 });
  const typeCell = page.locator('.pb-cell').nth(2).locator('.pb-code');
  await typeCell.click();
  await page.waitForFunction(() => !!document.activeElement?.closest('.monaco-editor'));
  const idle = await keyLatencies(page, 40);
  await page.keyboard.press('Escape');
  await page.locator('.pb-cell').nth(0).locator('.pb-run').click();
  const trust = page.locator('dialog[open] button', { hasText: 'Trust and run' });
  await trust.waitFor({ timeout: 10_000 });
  await trust.click();
  const status = (i) => page.evaluate((n) => document.querySelectorAll('.pb-cell')[n]?.getAttribute('data-status'), i);
  await page.waitForFunction(() => ['ok', 'failed', 'interrupted'].includes(document.querySelector('.pb-cell')?.getAttribute('data-status') ?? ''), undefined, {
    timeout: 30_000,
  });
  await page.locator('.pb-cell').nth(1).locator('.pb-run').click();
  await page
    .waitForFunction(() => (window.probebookTest.cells()[1].outputs[0]?.items[0]?.data ?? '').length > 1_000_000, undefined, { timeout: 60_000 })
    .catch(async (error) => {
      throw new Error(`the streaming cell printed too little in 60 s (its status: ${await status(1)}): ${error.message}`);
    });
  await typeCell.click();
  await page.waitForFunction(() => !!document.activeElement?.closest('.monaco-editor'));
  const streaming = await keyLatencies(page, 60);
  const stillRunning = (await status(1)) === 'running';
  await page.waitForFunction(() => document.querySelectorAll('.pb-cell')[1]?.getAttribute('data-status') === 'ok', undefined, { timeout: 180_000 });
  const lines = await page.evaluate(() => (window.probebookTest.cells()[1].outputs[0]?.items[0]?.data ?? '').split('\n').length - 1);
  const p95 = percentile(streaming, 95);
  console.log(
    `(c) keypress → screen while streaming: p50 ${ms(percentile(streaming, 50))}, p95 ${ms(p95)} (idle page p95 ${ms(percentile(idle, 95))}; ${lines.toLocaleString('en')} lines arrived${stillRunning ? '' : ', the stream ended before typing did'}) — ${goal(p95 <= 100)} ≤ 100 ms`,
  );
  await context.close();
} catch (error) {
  console.error(`page-open bench failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}
