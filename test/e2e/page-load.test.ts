/**
 * How the page loads, in Chromium against the real `probebook serve`.
 * The early link: boot.js opens the WebSocket and asks for the notebook while app.js loads, and
 * the app adopts that link (one socket, one hello, one open). Without boot.js, or with boot.js
 * arriving after the app started, the app opens its own link, still only one.
 * The first screen: a long notebook paints the cells that fill the window, and makes the rest
 * once the editor has loaded, or at once when the user scrolls or moves past them before that.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page, WebSocket } from 'playwright-core';
import { canRunPageTests, cell, launchBrowser, newPage, openNotebook, screenshot } from '../support/page-browser.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { labFolder, startServe } from '../support/probebook-serve.ts';

/** The page's WebSockets and the protocol messages it sent on each. */
function watchSockets(page: Page) {
  type Message = { type: string; requestId?: string; origin?: string };
  const sockets: { socket: WebSocket; sent: Message[]; received: Message[] }[] = [];
  page.on('websocket', (socket) => {
    const entry = { socket, sent: [] as Message[], received: [] as Message[] };
    sockets.push(entry);
    socket.on('framesent', (frame) => entry.sent.push(JSON.parse(String(frame.payload)) as Message));
    socket.on('framereceived', (frame) => entry.received.push(JSON.parse(String(frame.payload)) as Message));
  });
  return sockets;
}

test('the app adopts the link boot.js opened: one socket, one hello, the notebook asked for once', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  writeNotebook(dir, 'early.ipynb', [{ source: 'echo early' }, { source: 'uname -r' }]);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);

  const { page, errors } = await newPage(browser);
  const sockets = watchSockets(page);
  await openNotebook(page, serve.pageUrl('early.ipynb'));
  assert.match(await cell(page, 1).locator('.pb-code').innerText(), /uname -r/);
  assert.equal(sockets.length, 1);
  const sent = sockets[0]!.sent;
  assert.deepEqual(
    sent.slice(0, 2).map((m) => m.type),
    ['hello', 'open_notebook'],
  );
  assert.match(sent[1]!.requestId ?? '', /^boot-/, 'sent by boot.js');
  assert.equal(sent.filter((m) => m.type === 'hello' || m.type === 'open_notebook').length, 2);
  // The adopted link is the app's: an edit goes out on it and the host takes it.
  await page.keyboard.press('Escape');
  await page.keyboard.press('b');
  await page.waitForFunction(() => document.querySelectorAll('.pb-cell').length === 3);
  // The host's answer to the edit (its notebook_changed names the edit's requestId) came back on the early link.
  const answered = () => sent.some((m) => m.type === 'edit' && sockets[0]!.received.some((r) => r.type === 'notebook_changed' && r.origin === m.requestId));
  // watchSockets' own listener has stored the frame by the time this predicate sees it.
  if (!answered()) await sockets[0]!.socket.waitForEvent('framereceived', { predicate: answered, timeout: 10_000 });
  const again = await newPage(browser);
  await openNotebook(again.page, serve.pageUrl('early.ipynb'));
  assert.equal(await again.page.locator('.pb-cell').count(), 3, 'the host has the edit');
  assert.deepEqual(errors, []);
  assert.deepEqual(again.errors, []);
});

test('without boot.js, or with boot.js after the app started, the app opens its own link: still one', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  writeNotebook(dir, 'late.ipynb', [{ source: 'echo late' }]);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);

  const missing = await newPage(browser);
  await missing.page.route('**/boot.js', (route) => route.abort());
  const missingSockets = watchSockets(missing.page);
  await openNotebook(missing.page, serve.pageUrl('late.ipynb'));
  assert.equal(missingSockets.length, 1);
  assert.deepEqual(
    missingSockets[0]!.sent.slice(0, 2).map((m) => m.type),
    ['hello', 'open_notebook'],
  );
  assert.match(missingSockets[0]!.sent[1]!.requestId ?? '', /^p/, 'sent by the app');

  // boot.js held back until the app has shown the notebook: it must not open a second link.
  const late = await newPage(browser);
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  await late.page.route('**/boot.js', async (route) => {
    const response = await route.fetch();
    await released;
    await route.fulfill({ response });
  });
  const lateSockets = watchSockets(late.page);
  await late.page.goto(serve.pageUrl('late.ipynb'), { waitUntil: 'commit' });
  await late.page.waitForSelector('.pb-cell', { timeout: 20_000 });
  release();
  await late.page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/boot.js')), undefined, { timeout: 10_000 });
  // A window for boot.js to (not) open a socket: nothing happening has no event.
  await late.page.waitForTimeout(300);
  assert.equal(lateSockets.length, 1, 'boot.js came late and did nothing');
  assert.deepEqual(late.errors, []);
});

test('a long notebook paints the cells that fill the window first; scrolling or moving on before the editor loads makes the rest', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  writeNotebook(
    dir,
    'long.ipynb',
    Array.from({ length: 300 }, (_, i) => ({
      source: `# step ${i}\nip -s link show dev lo\ntc qdisc show dev lo`,
      outputs: [{ output_type: 'stream', name: 'stdout', text: `step ${i} output\n` }],
    })),
  );
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const firstScreen = (page: Page) =>
    page.evaluate(() => {
      const cells = [...document.querySelectorAll<HTMLElement>('.pb-cell')];
      return { made: cells.length, bottom: cells.at(-1)!.getBoundingClientRect().bottom, height: innerHeight };
    });

  // The editor never loads here, so nothing but the user makes the rest.
  for (const how of ['scroll', 'keys'] as const) {
    const { page, errors } = await newPage(browser, { height: 900 });
    await page.route('**/editor.js', () => undefined);
    await page.goto(serve.pageUrl('long.ipynb'));
    await page.waitForFunction(() => performance.getEntriesByName('pb-first-paint').length > 0, undefined, { timeout: 20_000 });
    const first = await firstScreen(page);
    assert.ok(first.made >= 4 && first.made < 20, `made ${first.made} cells first`);
    assert.ok(first.bottom >= first.height, `the window is full: the last cell ends at ${first.bottom} px of ${first.height}`);
    // A window in which no more cells may be made (the editor never comes): nothing to wait for but time.
    await page.waitForTimeout(500);
    assert.equal((await firstScreen(page)).made, first.made, 'the rest waits for the editor');
    if (how === 'scroll') {
      await screenshot(page, 'load-first-screen');
      await page.mouse.wheel(0, 2000);
      await page.waitForFunction(() => document.querySelectorAll('.pb-cell').length === 300, undefined, { timeout: 10_000 });
    } else {
      await page.locator('.pb-notebook').focus();
      for (let i = 0; i < first.made + 1; i++) await page.keyboard.press('j');
      const selected = page.locator('.pb-cell.pb-selected');
      await selected.waitFor();
      assert.match(await selected.locator('.pb-code').innerText(), new RegExp(`# step ${first.made + 1}\\b`));
    }
    assert.deepEqual(errors, []);
    await page.close();
  }
});
