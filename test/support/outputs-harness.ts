/**
 * Shared by the output renderer e2e tests: builds the outputs harness into a temp folder, serves
 * it on 127.0.0.1 with the app's CSP (frame documents with the frame CSP), drives Debian's
 * Chromium with playwright-core, and turns real bpftrace JSON captures into payloads with the
 * project's parser.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { TestContext } from 'node:test';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CONTENT_SECURITY_POLICY } from '../../electron/main/csp.ts';
import { OUTPUT_FRAME_CSP, OUTPUT_FRAME_DOCUMENTS } from '../../core/common/output-frames.ts';
import type { BpftraceMapPayload } from '../../core/common/parsers/bpftrace/types.ts';
import { createBpftraceParser } from '../../core/common/parsers/bpftrace/stream-parser.ts';
import type { Output } from '../../core/common/notebook/model.ts';
import type { OutputEdit } from '../../core/common/protocol.ts';
import { needs } from './needs.ts';
import { CHROMIUM_ARGS } from './page-browser.ts';

const root = resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(root, 'test-artifacts/screenshots');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

async function buildHarness(outdir: string): Promise<void> {
  const { harnessTargets } = (await import(pathToFileURL(join(root, 'test/e2e/harness/build-harness.mjs')).href)) as {
    harnessTargets: (root: string, outdir: string) => esbuild.BuildOptions[];
  };
  // Our own folder: test files run in parallel and must not share dist/.
  await Promise.all(harnessTargets(root, outdir).map((o) => esbuild.build({ ...o, logLevel: 'error' })));
}

function serve(dir: string, csp: boolean): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404, { 'Content-Security-Policy': CONTENT_SECURITY_POLICY }).end('not found');
      return;
    }
    const frameDoc = (OUTPUT_FRAME_DOCUMENTS as readonly string[]).includes(path.split('/').pop()!) && path.includes('/outputs/');
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      ...(csp ? { 'Content-Security-Policy': frameDoc ? OUTPUT_FRAME_CSP : CONTENT_SECURITY_POLICY } : {}),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })));
}

export interface Harness {
  browser: Browser;
  page: Page;
  url: string;
  /** Messages the page logged as errors (CSP violations included). */
  consoleErrors: string[];
}

/**
 * Builds, serves and opens the harness; everything is closed after the test. Null when Chromium
 * is missing (skipped visibly). `csp: false` serves without any CSP, to show that the renderers
 * themselves are safe and not only the policy.
 */
export async function openHarness(t: TestContext, options: { csp?: boolean } = {}): Promise<Harness | null> {
  if (!needs(t, { check: () => (existsSync(CHROMIUM) ? null : `Chromium at ${CHROMIUM} (apt install chromium)`) })) return null;
  const dir = mkdtempSync(join(tmpdir(), 'pb-outputs-harness-'));
  await buildHarness(dir);
  const { server, url } = await serve(dir, options.csp ?? true);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
  t.after(async () => {
    await browser.close();
    await new Promise((ok) => server.close(ok));
    rmSync(dir, { recursive: true, force: true });
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => typeof window.pbHarness === 'object');
  return { browser, page, url, consoleErrors };
}

/** Mounts outputs in the harness (typed once here: playwright's argument types choke on deep JSON types). */
export async function mount(page: Page, outputs: readonly Output[], options: { trusted?: boolean; theme?: 'light' | 'dark' } = {}): Promise<void> {
  await page.evaluate(([o, opts]) => window.pbHarness.mount(o as Output[], opts as { trusted?: boolean }), [outputs, options] as unknown as [unknown, unknown]);
}

/** Applies a protocol output edit in the harness. */
export async function apply(page: Page, edit: OutputEdit): Promise<void> {
  await page.evaluate((e) => window.pbHarness.apply(e as OutputEdit), edit as unknown);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `outputs-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Every map/hist/stats print of a real bpftrace `-f json` capture, through the project's bpftrace parser. */
export function payloadsFromNdjson(text: string, runStart = 1_700_000_000_000): BpftraceMapPayload[] {
  const parser = createBpftraceParser({ runStart, now: () => runStart + 1000 });
  return [...parser.push(text), ...parser.end()].flatMap((e) => (e.type === 'map' ? [e.payload] : []));
}

export function fixture(name: string): string {
  return readFileSync(join(root, 'test/fixtures/outputs', name), 'utf8');
}
