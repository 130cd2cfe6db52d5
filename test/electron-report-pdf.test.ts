/**
 * File → Export as PDF in the desktop app, without the Electron binary (not installable here):
 * a real report, served as report-pdf.ts serves it to the hidden window (the HTML, with the
 * report policy rebuilt by reportPolicyOf as its header), in Debian's Chromium laid out at the
 * window size report-pdf-options.ts gives, and printed with the options it gives printToPDF
 * (Electron's printToPDF and playwright's page.pdf are the same DevTools call, Page.printToPDF).
 * The report draws under the rebuilt policy, asks for nothing, and prints an A4 PDF with its
 * title and page numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { reportPolicyOf } from '../core/common/export/report-csp.ts';
import { reportData } from '../core/common/export/report-data.ts';
import { reportAssets, reportHtml } from '../core/node/export/report-html.ts';
import { printToPdfOptions, reportTitle, reportWindowSize } from '../electron/main/report-pdf-options.ts';
import { needs } from './support/needs.ts';
import { reportNotebook } from './support/report-notebook.ts';

test('a report printed as the desktop app prints it: drawn under the rebuilt policy, no request, A4 with title and page numbers', {
  timeout: 120_000,
}, async (t) => {
  if (!needs(t, { tools: ['chromium', 'pdfinfo', 'pdftotext'] })) return;
  const html = reportHtml(reportData(reportNotebook(), { fileName: 'lab.ipynb', trusted: false }), reportAssets());
  const policy = reportPolicyOf(html);
  const server = createServer((req, res) => {
    if (req.url !== '/report.html') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': policy, 'X-Content-Type-Options': 'nosniff' });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/report.html`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: reportWindowSize('a4') });
  const others: string[] = [];
  await context.route('**/*', (route) => (route.request().url() === url ? route.continue() : (others.push(route.request().url()), route.abort())));
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (m) => /Content Security Policy/.test(m.text()) && violations.push(m.text()));
  await page.goto(url);
  await page.waitForFunction(() => document.documentElement.dataset['pbReport'], undefined, { timeout: 90_000 });
  assert.equal(await page.evaluate(() => document.documentElement.dataset['pbReport']), 'ready');
  assert.equal(await page.locator('.pb-report-plot[data-pb-drawn="true"]').count(), 2, 'both figures drawn');
  assert.deepEqual(violations, [], 'the report’s own scripts run under the rebuilt policy');
  assert.deepEqual(others, [], 'the report asks for nothing');

  const title = reportTitle(html, 'lab');
  const o = printToPdfOptions('a4', title);
  const inch = (n: number) => `${n}in`;
  const pdf = await page.pdf({
    format: o.pageSize,
    printBackground: o.printBackground,
    margin: { top: inch(o.margins.top), bottom: inch(o.margins.bottom), left: inch(o.margins.left), right: inch(o.margins.right) },
    displayHeaderFooter: o.displayHeaderFooter,
    headerTemplate: o.headerTemplate,
    footerTemplate: o.footerTemplate,
    preferCSSPageSize: o.preferCSSPageSize,
  });
  const dir = mkdtempSync(join(tmpdir(), 'pb-electron-pdf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'lab.pdf'), pdf);
  const info = execFileSync('pdfinfo', [join(dir, 'lab.pdf')], { encoding: 'utf8' });
  assert.match(info, /Page size:.*\(A4\)/);
  const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
  assert.ok(pages >= 2, info);
  const text = execFileSync('pdftotext', ['-layout', join(dir, 'lab.pdf'), '-'], { encoding: 'utf8' });
  assert.ok(text.includes(title), `the footer names ${title}`);
  assert.match(text, new RegExp(`1 / ${pages}`));
});
