/**
 * File → Export as PDF in the desktop app: the report's HTML (made by the session host, handed
 * over by the page) is printed by Electron's own Chromium with `webContents.printToPDF` in a hidden
 * window, so no system Chromium is needed (docs/export.md, docs/desktop-app.md). The hidden window
 * is as locked down as a notebook window and more: sandboxed, context-isolated, no Node, no
 * preload, in an in-memory session of its own whose only answer is the report, on an origin of its
 * own (never the app's), served with the report's policy rebuilt from its script hashes; every
 * other request is cancelled, every permission and download refused, and it cannot navigate (the
 * app's web-contents hardening in security.ts applies to it as to every web contents).
 * The pure parts are in report-pdf-options.ts.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { BrowserWindow, dialog, session } from 'electron';
import { reportPolicyOf } from '../../core/common/export/report-csp.ts';
import type { PaperSize } from '../../core/common/export/report-data.ts';
import { pdfFileName, printToPdfOptions, reportTitle, reportUrl, reportWindowSize } from './report-pdf-options.ts';

/** How long the report may take to draw (as the command line waits). */
const READY_TIMEOUT_MS = 120_000;
const POLL_MS = 100;

/** Prints the report `html` to PDF bytes in a hidden, locked-down window. */
async function printReportPdf(html: string, paper: PaperSize, fallbackTitle: string): Promise<Buffer> {
  const policy = reportPolicyOf(html);
  const token = randomUUID();
  const url = reportUrl(token);
  // In memory (no "persist:"), used once.
  const ses = session.fromPartition(`probebook-report-${token}`, { cache: false });
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.on('will-download', (event) => event.preventDefault());
  // Only the report itself; the report's own data: and blob: images stay inside the page.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const own = details.url === url || details.url.startsWith('data:') || details.url.startsWith('blob:');
    if (!own) process.stderr.write(`probebook: blocked a request of the PDF report: ${details.url.slice(0, 200)}\n`);
    callback({ cancel: !own });
  });
  ses.protocol.handle('app', (request) =>
    request.url === url
      ? new Response(html, {
          headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': policy, 'X-Content-Type-Options': 'nosniff' },
        })
      : new Response('Not found', { status: 404 }),
  );
  const size = reportWindowSize(paper);
  const window = new BrowserWindow({
    show: false,
    paintWhenInitiallyHidden: true,
    useContentSize: true,
    width: size.width,
    height: size.height,
    webPreferences: {
      // These four are checked as literals by test/electron-lint.test.ts; keep them literal.
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      partition: `probebook-report-${token}`,
      spellcheck: false,
      // Hidden, it must still draw its figures.
      backgroundThrottling: false,
    },
  });
  try {
    await window.loadURL(url);
    const contents = window.webContents;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let state = '';
    while (!state) {
      if (Date.now() > deadline) throw new Error('The report took more than 2 minutes to draw.');
      state = String(await contents.executeJavaScript('document.documentElement.dataset.pbReport ?? ""'));
      if (!state) await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (state !== 'ready') throw new Error('The report could not be drawn (export it as HTML to see why).');
    return await contents.printToPDF(printToPdfOptions(paper, reportTitle(html, fallbackTitle)));
  } finally {
    window.destroy();
    ses.protocol.unhandle('app');
    await ses.clearStorageData();
  }
}

/** Asks where to save the PDF (a sheet of `parent`), prints the report and writes it; the path, or null when cancelled. */
export async function exportReportPdf(parent: BrowserWindow, request: { html: string; fileName: string; paper: PaperSize }): Promise<string | null> {
  const name = pdfFileName(request.fileName);
  const chosen = await dialog.showSaveDialog(parent, {
    title: 'Export as PDF Report',
    defaultPath: name,
    filters: [{ name: 'PDF', extensions: ['pdf'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  });
  if (chosen.canceled || !chosen.filePath) return null;
  const path = chosen.filePath.endsWith('.pdf') ? chosen.filePath : `${chosen.filePath}.pdf`;
  await writeFile(path, await printReportPdf(request.html, request.paper, name.replace(/\.pdf$/, '')));
  return path;
}
