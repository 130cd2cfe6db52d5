/**
 * Debian's Chromium through playwright-core for the notebook page tests: one browser per test
 * file, pages that record console errors, screenshots under test-artifacts/screenshots/page-*.png,
 * and small helpers that read the page's state.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type {} from '../../renderer/app/app.ts';
import { needs } from './needs.ts';
import { repoRoot } from './probebook-serve.ts';

export const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(repoRoot, 'test-artifacts/screenshots');

// The last flag: Chromium 156 starts two renderers of its own for the address bar's pop-up with every
// new window (each browser context), ~1.2 s of CPU that the tests have no use for.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup',
];

/** Whether the page tests can run here (Chromium and a built page); skips visibly otherwise. */
export function canRunPageTests(t: TestContext): boolean {
  return needs(t, {
    check: () => {
      if (!existsSync(CHROMIUM)) return `Chromium at ${CHROMIUM} (apt install chromium)`;
      if (!existsSync(join(repoRoot, 'dist/renderer/index.html')) || !existsSync(join(repoRoot, 'dist/renderer/editor.js')))
        return 'the built page (npm run build)';
      return null;
    },
  });
}

export async function launchBrowser(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  return browser;
}

export interface PageHandle {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions of the page. */
  errors: string[];
}

/** A new page (its own cookies unless `context` is given) that records its errors. */
export async function newPage(
  browser: Browser,
  options: { context?: BrowserContext; dark?: boolean; width?: number; height?: number } = {},
): Promise<PageHandle> {
  const context =
    options.context ??
    (await browser.newContext({
      viewport: { width: options.width ?? 1200, height: options.height ?? 860 },
      colorScheme: options.dark ? 'dark' : 'light',
      acceptDownloads: true,
    }));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
  return { page, context, errors };
}

/** Opens the page for a notebook and waits until its cells are shown. */
export async function openNotebook(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('.pb-cell', { timeout: 20_000 });
}

/** Waits until Monaco has loaded (cells then get editors on demand). */
export async function editorReady(page: Page): Promise<void> {
  await page.waitForFunction(() => performance.getEntriesByName('pb-editor-ready').length > 0, undefined, { timeout: 20_000 });
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `page-${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** The nth cell (0-based) on the page. */
export function cell(page: Page, index: number) {
  return page.locator('.pb-cell').nth(index);
}

/** The source of a cell as the page's document holds it. */
export async function cellSource(page: Page, index: number): Promise<string> {
  return page.evaluate((i) => window.probebookTest!.cells()![i]!.source, index);
}

/** Types into a cell's editor: clicks its code, waits for Monaco, selects all and types. */
export async function typeIntoCell(page: Page, index: number, text: string, options: { replace?: boolean } = {}): Promise<void> {
  const c = cell(page, index);
  await c.locator('.pb-code').click();
  await c.locator('.monaco-editor textarea').waitFor({ state: 'attached' });
  await page.waitForFunction((i) => document.querySelectorAll('.pb-cell')[i]?.contains(document.activeElement), index);
  if (options.replace) {
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
  }
  await page.keyboard.type(text);
}
