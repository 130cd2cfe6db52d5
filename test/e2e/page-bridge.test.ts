/**
 * The page as the Electron app runs it, without the Electron binary: a stand-in
 * `window.probebookBridge` (core/common/bridge.ts) hands the page a MessagePort whose other end
 * relays to the real `probebook serve`, names the launch file, answers the native dialogs and
 * sends menu commands (`app_command`). The page must then use the port, not its WebSocket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BRIDGE_PORT_MESSAGE } from '../../core/common/bridge.ts';
import { reportPolicyOf } from '../../core/common/export/report-csp.ts';
import { canRunPageTests, launchBrowser, newPage, screenshot } from '../support/page-browser.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { labFolder, startServe } from '../support/probebook-serve.ts';

/**
 * Runs in the page before its scripts: the bridge the preload would expose. A string, not a
 * function: tsx's transpiled functions call helpers that do not exist in the page.
 */
const BRIDGE_SCRIPT = `(() => {
  const log = [];
  let relay = null;
  window.__bridgeLog = log;
  window.__appCommand = (command) => relay && relay.postMessage({ type: 'app_command', command });
  window.probebookBridge = {
    bridgeVersion: 1,
    platform: 'linux',
    async connect() {
      log.push('connect');
      const channel = new MessageChannel();
      relay = channel.port1;
      // The app's side of the port: a socket to the session host (what Electron's main process does).
      const socket = new WebSocket(new URL('/ws', location.href).href.replace(/^http/, 'ws'));
      const early = [];
      socket.onmessage = (e) => channel.port1.postMessage(JSON.parse(String(e.data)));
      socket.onopen = () => early.splice(0).forEach((m) => socket.send(JSON.stringify(m)));
      channel.port1.onmessage = (e) => {
        log.push('page→host ' + e.data.type);
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(e.data));
        else early.push(e.data);
      };
      window.postMessage({ type: ${JSON.stringify(BRIDGE_PORT_MESSAGE)}, bridgeVersion: 1 }, location.origin, [channel.port2]);
    },
    launchFile: async () => 'bridge.ipynb',
    openFileDialog: async () => { log.push('openFileDialog'); return []; },
    saveFileDialog: async (defaultPath) => { log.push('saveFileDialog ' + defaultPath); return 'saved-by-dialog.ipynb'; },
    openNotebookWindow: async (path) => { log.push('openNotebookWindow ' + path); },
    openExternal: async () => undefined,
    exportPdf: async (html, fileName, paper) => {
      log.push('exportPdf ' + fileName + ' ' + paper);
      window.__pdfHtml = html;
      return '/home/u/' + fileName.replace(/[.]html$/, '.pdf');
    },
  };
})();`;

test('with the Electron bridge the page talks over its MessagePort and runs menu commands', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  writeNotebook(dir, 'bridge.ipynb', [{ source: 'echo over the port' }, { type: 'markdown', source: '# Menus' }]);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const { page, errors } = await newPage(browser);
  // Sign in first (the cookie the stand-in's socket needs), then load the page with the bridge.
  await page.goto(serve.pageUrl());
  await page.addInitScript(BRIDGE_SCRIPT);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(`${serve.origin}/`);
  await page.waitForSelector('.pb-cell');

  await t.test('opens the file the app launched it for, over the port', async () => {
    assert.equal(await page.locator('.pb-title-text').textContent(), 'bridge.ipynb');
    const log = (await page.evaluate(() => (window as unknown as { __bridgeLog: string[] }).__bridgeLog)) as string[];
    assert.deepEqual(log.slice(0, 3), ['connect', 'page→host hello', 'page→host open_notebook']);
    assert.equal(sockets.length, 1, 'only the stand-in opened a socket: the page used the port');
    assert.equal(await page.locator('.pb-sb-connection').textContent(), 'Connected');
  });

  await t.test('menu commands arrive as app_command and run the same commands as the keys', async () => {
    const count = () => page.evaluate(() => window.probebookTest!.cells()!.length);
    await page.evaluate(() => (window as unknown as { __appCommand(c: string): void }).__appCommand('cell.insertBelow'));
    await page.waitForFunction(() => window.probebookTest!.cells()!.length === 3);
    await page.evaluate(() => (window as unknown as { __appCommand(c: string): void }).__appCommand('cell.toMarkdown'));
    await page.waitForFunction(() => window.probebookTest!.cells()![1]!.cellType === 'markdown');
    await page.evaluate(() => (window as unknown as { __appCommand(c: string): void }).__appCommand('cell.delete'));
    await page.waitForFunction(() => window.probebookTest!.cells()!.length === 2);
    assert.equal(await count(), 2);
    await page.evaluate(() => (window as unknown as { __appCommand(c: string): void }).__appCommand('view.commandPalette'));
    await page.locator('dialog[open].pb-palette').waitFor();
    await page.keyboard.press('Escape');
  });

  await t.test('Save As uses the native dialog of the app, Open asks the app too', async () => {
    await page.evaluate(() => (window as unknown as { __appCommand(c: string): void }).__appCommand('notebook.saveAs'));
    await page.locator('.pb-toast', { hasText: 'Saved saved-by-dialog.ipynb' }).waitFor();
    assert.equal(await page.locator('.pb-title-text').textContent(), 'saved-by-dialog.ipynb');
    await page.evaluate(() => (window as unknown as { __appCommand(c: string): void }).__appCommand('notebook.open'));
    await page.waitForFunction(() => (window as unknown as { __bridgeLog: string[] }).__bridgeLog.includes('openFileDialog'));
    const log = (await page.evaluate(() => (window as unknown as { __bridgeLog: string[] }).__bridgeLog)) as string[];
    assert.ok(log.includes('saveFileDialog bridge.ipynb'), `the dialog got the current path: ${JSON.stringify(log)}`);
    await screenshot(page, 'bridge');
  });

  await t.test('File → Export as PDF hands the host’s HTML report to the app to print (Electron’s printToPDF): no PDF from the host, no download', async () => {
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await page.evaluate(() => (window as unknown as { __appCommand(c: string): void }).__appCommand('notebook.exportPdf'));
    await page.locator('.pb-toast', { hasText: 'Exported /home/u/saved-by-dialog.pdf' }).waitFor({ timeout: 60_000 });
    const log = (await page.evaluate(() => (window as unknown as { __bridgeLog: string[] }).__bridgeLog)) as string[];
    assert.ok(log.includes('exportPdf saved-by-dialog.html undefined'), JSON.stringify(log));
    const html = (await page.evaluate(() => (window as unknown as { __pdfHtml: string }).__pdfHtml)) as string;
    assert.match(html, /^<!doctype html>/i);
    // What main will print: a report with its policy (report-pdf.ts refuses anything else).
    assert.match(reportPolicyOf(html), /^default-src 'none'; script-src 'sha256-/);
    assert.deepEqual(downloads, []);
    assert.doesNotMatch(serve.stderr(), /Chromium/);
  });

  assert.deepEqual(errors, []);
});
