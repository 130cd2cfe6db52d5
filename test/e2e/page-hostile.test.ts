/**
 * The hostile-notebook corpus (test/fixtures/hostile, every `.ipynb` there) through the whole
 * notebook page in Debian's Chromium against the real `probebook serve`: each notebook is opened
 * untrusted, rendered (markdown, outputs, their sandboxed frames), then poked at like a curious
 * user — every element of its markdown and outputs hovered and clicked, in the page and in every
 * frame, markdown cells opened for editing and closed, the page scrolled, timers and meta refreshes
 * given time, the trust question opened and cancelled. Afterwards no frame has
 * `window.__probebook_canary`, the page is where it was (no navigation, no popup, no request off
 * the server or other than GET), the page sent no state-changing protocol message, the served
 * folder is byte-identical, no audit log or trust record was written, and the trust banner, the
 * status bar and the root code in the trust question are shown with nothing laid over them. Screenshots:
 * test-artifacts/screenshots/page-hostile-*.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ElementHandle, Frame, Locator, Page, Request } from 'playwright-core';
import { canRunPageTests, launchBrowser, newPage, openNotebook, screenshot } from '../support/page-browser.ts';
import { labFolder, repoRoot, startServe } from '../support/probebook-serve.ts';

const corpus = join(repoRoot, 'test/fixtures/hostile');
const notebooks = readdirSync(corpus)
  .filter((f) => f.endsWith('.ipynb'))
  .sort();
const started = Date.now();

/** Protocol messages that change something on the host; a page that only shows a notebook sends none. */
const FORBIDDEN = ['execute_request', 'trust_request', 'restart_request', 'save_request', 'edit', 'restore_backup', 'create_notebook', 'interrupt_request'];

/** Every file under `dir` (but the server's own state and runtime folders) with its bytes. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const rel = relative(dir, full);
      if (rel === '.state' || rel === '.run') continue;
      if (statSync(full).isDirectory()) walk(full);
      else files.set(rel, readFileSync(full).toString('base64'));
    }
  };
  walk(dir);
  return files;
}

/** `typeof window.__probebook_canary` in every frame of the page (a frame that went away says so). */
async function canaries(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const frame of page.frames()) {
    const kind = await frame
      .evaluate(() => {
        const v = (window as unknown as { __probebook_canary?: unknown }).__probebook_canary;
        return v === undefined ? 'undefined' : `${typeof v}: ${String(v).slice(0, 80)}`;
      })
      .catch((e: Error) => `unreadable: ${e.message.split('\n')[0]}`);
    if (kind !== 'undefined') found.push(`${frame === page.mainFrame() ? 'page' : frame.url()} → ${kind}`);
  }
  return found;
}

/**
 * Moves the mouse onto, then clicks, every visible element the selector finds in a frame, as a
 * user would: at its middle, so the click goes to whatever is drawn there (in whichever frame).
 */
async function poke(page: Page, frame: Frame, selector: string, limit = 60): Promise<number> {
  const handles: ElementHandle[] = await frame.$$(selector).catch(() => []);
  let poked = 0;
  for (const el of handles.slice(0, limit)) {
    await el.scrollIntoViewIfNeeded({ timeout: 500 }).catch(() => undefined);
    const box = await el.boundingBox().catch(() => null);
    if (!box || box.width < 1 || box.height < 1) continue;
    const x = box.x + Math.min(box.width / 2, 20);
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.click(x, y);
    poked++;
  }
  await Promise.all(handles.map((h) => h.dispose().catch(() => undefined)));
  return poked;
}

/** Whether a click on the middle of the element reaches it (nothing is laid over it). */
function uncovered(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 10)));
  });
}

/** Waits until every cell has been drawn and every output frame has drawn what it was sent. */
async function rendered(page: Page): Promise<void> {
  const cells = page.locator('.pb-cell');
  const n = await cells.count();
  // Cells draw their markdown and outputs when they come near the viewport.
  for (let i = 0; i < n; i++) await cells.nth(i).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll('.pb-md-pending').length === 0);
  // Outputs draw once their renderers have loaded (after the first paint): wait for every one of them.
  await page.waitForFunction(() => {
    const cells = window.probebookTest?.cells();
    if (!cells) return false;
    const outputs = cells.reduce((n, c) => n + c.outputs.length, 0);
    return document.querySelectorAll('.pb-output[data-output-id] .pb-output-body').length >= outputs;
  });
  // The outputs' frames, not the page's hidden one that draws PNG fallbacks of figures for a save
  // (it appears once the outputs have been quiet a moment, and draws no theme): counting it too, the
  // count taken here could differ from the one waited for below, forever.
  const frames = await page.locator('.pb-output iframe.pb-frame').count();
  await page.waitForFunction((want) => [...document.querySelectorAll('.pb-output iframe.pb-frame')].length === want, frames);
  for (const element of await page.$$('.pb-output iframe.pb-frame')) {
    const frame = await element.contentFrame();
    // The frame script sets the theme in the same task as it draws the HTML or starts the plot.
    await frame?.waitForFunction(() => document.documentElement.dataset['theme'] !== undefined, undefined, { timeout: 40_000 });
  }
  await page.waitForFunction(
    () => [...document.querySelectorAll('.pb-output-body[data-renderer="plotly"]')].every((b) => b.querySelector('.pb-plot-ready, .pb-frame-error')),
    undefined,
    { timeout: 40_000 },
  );
}

// Two notebooks at a time: most of a notebook's time is spent waiting for frames and timers.
test('hostile notebooks render in the whole page without running anything or reaching the host', { concurrency: 2 }, async (t) => {
  if (!canRunPageTests(t)) return;
  assert.ok(notebooks.length >= 7, `the corpus is there: ${notebooks.join(', ')}`);
  const dir = labFolder(t, Object.fromEntries(notebooks.map((n) => [n, join(corpus, n)])));
  const before = snapshot(dir);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const stateDir = join(dir, '.state', 'probebook');

  const each = notebooks.map((name) =>
    t.test(name, async () => {
      const { page, context, errors } = await newPage(browser);
      const sent: string[] = [];
      page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))));
      // Requests other than GETs to the server; those the CSP stops are reported as failed ('csp'): they never left.
      const requests = new Map<Request, string>();
      page.on('request', (r) => {
        const url = r.url();
        if (!/^(data|blob|about):/.test(url) && (r.method() !== 'GET' || new URL(url).origin !== serve.origin)) requests.set(r, `${r.method()} ${url}`);
      });
      page.on('requestfailed', (r) => {
        if (/^csp$|BLOCKED_BY_CSP/.test(r.failure()?.errorText ?? '')) requests.delete(r);
      });
      const popups: string[] = [];
      context.on('page', (p) => popups.push(p.url() || '(a new page)'));
      page.on('download', (d) => void d.cancel());

      await openNotebook(page, serve.pageUrl(name));
      const url = page.url();
      assert.equal(new URL(url).searchParams.get('open'), name);
      const navigations: string[] = [];
      page.on('framenavigated', (f) => {
        if (f === page.mainFrame()) navigations.push(f.url());
      });
      await rendered(page);
      // The outputs' frames (not the page's hidden one that draws figures' PNG fallbacks, off screen).
      const frames: Frame[] = [];
      for (const element of await page.$$('.pb-output iframe.pb-frame')) {
        const frame = await element.contentFrame();
        if (frame) frames.push(frame);
      }
      const frameUrls = new Map(frames.map((f) => [f, f.url()]));

      // A curious user: hover and click everything in the markdown and the outputs, in every frame.
      let poked = await poke(page, page.mainFrame(), '.pb-md *, .pb-md, .pb-output-body *');
      for (const frame of frames) {
        // HTML outputs whole; in a plot, what the notebook wrote (titles, legend, links), not every path of the chart.
        poked += await poke(page, frame, 'body.html #root *, .gtitle, .gtitle *, .legendtext, .legendtext *, a');
      }
      // Markdown cells into the editor and back: their source shows, then renders again.
      const markdown = page.locator('.pb-cell[data-kind="markdown"] .pb-md');
      for (let i = 0; i < (await markdown.count()); i++) {
        await markdown.nth(i).scrollIntoViewIfNeeded();
        await markdown.nth(i).dblclick({ position: { x: 4, y: 4 } });
        await page.waitForFunction(() => window.probebookTest?.mode() === 'edit');
        await page.keyboard.press('Escape');
        await page.waitForFunction(() => window.probebookTest?.mode() === 'command');
      }
      await poke(page, page.mainFrame(), '.pb-md a, .pb-md img');
      await page.mouse.move(600, 400);
      for (const dy of [2000, 2000, -2000, -2000]) await page.mouse.wheel(0, dy);
      // Timers, meta refreshes and asynchronous error handlers get their chance.
      await page.waitForTimeout(600);

      // The trust banner is shown and is what a click on its middle reaches (nothing laid over it).
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, `hostile-${name.replace(/\.ipynb$/, '')}`);
      const banner = page.locator('[data-banner="trust"]');
      assert.equal(await banner.count(), 1, "one trust banner: the app's");
      assert.ok(await banner.isVisible(), 'the trust banner is shown');
      assert.match(await banner.innerText(), /not written or trusted on this machine/);
      assert.ok(await uncovered(banner), 'nothing covers the trust banner');
      const trustStatus = page.locator('.pb-app > .pb-statusbar .pb-sb-item', { hasText: /trusted/i });
      assert.equal(await trustStatus.innerText(), 'Not trusted');
      assert.ok(await uncovered(trustStatus), 'nothing covers the status bar');
      // The trust question shows the exact code of every root cell, readable, whatever the notebook's styles say; Cancel.
      const rootCode = await page.evaluate(() =>
        window
          .probebookTest!.cells()!
          .filter((c) => c.cellType === 'code' && (c.metadata['probebook'] as { user?: boolean } | undefined)?.user !== true)
          .map((c) => c.source),
      );
      if (rootCode.length > 0) {
        await page.locator('[data-banner="trust"] button', { hasText: 'Review and trust' }).click();
        const dialog = page.locator('dialog[open]');
        await dialog.waitFor();
        const codes = dialog.locator('.pb-trust-cell[data-run-as="root"] .pb-trust-code');
        assert.deepEqual(await codes.allInnerTexts(), rootCode, 'the trust question lists the root code');
        for (let i = 0; i < rootCode.length; i++) {
          assert.ok(await codes.nth(i).isVisible(), `root cell ${i + 1} is shown in the trust question`);
          assert.ok(await uncovered(codes.nth(i)), `nothing covers root cell ${i + 1} in the trust question`);
        }
        await dialog.locator('button', { hasText: 'Cancel' }).click();
        await dialog.waitFor({ state: 'detached' });
      }

      assert.deepEqual(await canaries(page), [], 'no frame has the canary');
      assert.equal(page.url(), url, 'the page is where it was');
      assert.deepEqual(navigations, [], 'the page did not navigate');
      for (const [frame, was] of frameUrls) if (!frame.isDetached()) assert.equal(frame.url(), was, 'an output frame did not navigate');
      assert.deepEqual(popups, [], 'no window was opened');
      assert.deepEqual(context.pages().length, 1);
      assert.deepEqual([...requests.values()], [], 'only GETs to the server left the page');
      const messages = sent.map((s) => {
        try {
          return (JSON.parse(s) as { type?: unknown }).type;
        } catch {
          return `not JSON: ${s.slice(0, 80)}`;
        }
      });
      assert.ok(messages.includes('open_notebook'), `the recorder sees the page's messages: ${JSON.stringify(messages)}`);
      assert.deepEqual(
        messages.filter((m) => typeof m !== 'string' || FORBIDDEN.includes(m)),
        [],
        `messages sent: ${JSON.stringify(messages)}`,
      );
      assert.equal(await page.evaluate(() => window.probebookTest?.trusted()), false);
      assert.ok(poked > 0, 'there was something to poke at');
      // Errors the page logs for blocked content (CSP reports, refused frames) are expected; uncaught exceptions are not.
      assert.deepEqual(
        errors.filter((e) => /^[A-Z]\w*Error: /.test(e)),
        [],
        'no uncaught exception in the page',
      );
      await context.close();
    }),
  );
  await Promise.all(each);

  await t.test('nothing reached the host: the folder is unchanged, no audit log, no trust recorded', async () => {
    const after = snapshot(dir);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f)).sort();
    assert.deepEqual(changed, [], 'the served folder is byte-identical');
    assert.equal(existsSync(join(stateDir, 'audit.jsonl')), false, 'no audit log');
    const db = join(stateDir, 'trust-signatures.json');
    if (existsSync(db)) assert.deepEqual((JSON.parse(readFileSync(db, 'utf8')) as { signatures: object }).signatures, {}, 'no trust recorded');
    assert.equal(existsSync(join(stateDir, 'runs')) && readdirSync(join(stateDir, 'runs')).length > 0, false, 'no run was recorded');
    assert.equal(existsSync(join(stateDir, 'backups')) && readdirSync(join(stateDir, 'backups')).length > 0, false, 'no unsaved edit was backed up');
    assert.equal(existsSync('/tmp/probebook-hostile-ran') && statSync('/tmp/probebook-hostile-ran').mtimeMs > started, false, 'the root cell did not run');
  });
});
