/**
 * The app's CSP enforced by a real Chromium: the renderer folder is served exactly as the app://
 * handler serves it (readAppFile, same headers), over loopback HTTP because Electron itself is
 * not installed here; 'self' means the same in both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { readAppFile } from '../electron/main/app-files.ts';
import { needs } from './support/needs.ts';

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>csp</title>
<script src="probe.js"></script></head><body>
<script>window.inlineRan = true;</script>
<img src="https://example.invalid/tracker.png">
<object data="https://example.invalid/plugin.swf"></object>
<iframe src="https://example.invalid/"></iframe>
</body></html>`;

const PROBE = `window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.effectiveDirective));
window.selfRan = true;
try { eval('1'); window.evalRan = true; } catch { window.evalRan = false; }
window.fetchResult = fetch('https://example.invalid/x').then(() => 'loaded', () => 'blocked');`;

function serve(rendererRoot: string): Promise<Server> {
  const server = createServer((req, res) => {
    void readAppFile(rendererRoot, `app://probebook${req.url ?? '/'}`).then((file) => {
      res.writeHead(file.status, file.headers);
      res.end(file.body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('Chromium runs the app’s own scripts and blocks inline script, eval and every outside origin', { timeout: 60_000 }, async (t) => {
  if (!needs(t, { tools: ['chromium'] })) return;
  const dir = mkdtempSync(join(tmpdir(), 'pb-csp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'index.html'), PAGE);
  writeFileSync(join(dir, 'probe.js'), PROBE);
  const server = await serve(dir);
  t.after(() => server.close());
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const { port } = server.address() as { port: number };
  await page.goto(`http://127.0.0.1:${port}/`);

  const expected = ['connect-src', 'frame-src', 'img-src', 'object-src', 'script-src', 'script-src-elem'];
  // Violation events arrive asynchronously; wait for them, then report whatever is missing.
  await page
    .waitForFunction((names) => names.every((n) => (window as unknown as { violations: string[] }).violations.includes(n)), expected, { timeout: 5000 })
    .catch(() => undefined);
  const state = await page.evaluate(async () => {
    const w = window as unknown as Record<string, unknown>;
    const fetchResult = await (w.fetchResult as Promise<string>);
    return { selfRan: w.selfRan, inlineRan: w.inlineRan ?? false, evalRan: w.evalRan, fetchResult, violations: [...new Set(w.violations as string[])].sort() };
  });
  assert.equal(state.selfRan, true, "scripts from 'self' run");
  assert.equal(state.inlineRan, false, 'inline script is blocked');
  assert.equal(state.evalRan, false, 'eval is blocked');
  assert.equal(state.fetchResult, 'blocked', 'no connection to other origins');
  for (const directive of expected) {
    assert.ok(state.violations.includes(directive), `${directive} violation reported (got ${state.violations.join(', ')})`);
  }
});
