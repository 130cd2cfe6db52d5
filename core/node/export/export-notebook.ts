/**
 * `probebook export`: a notebook as a report. HTML is written directly (report-html.ts); PDF and
 * Markdown open that HTML in headless Chromium (chromium.ts) with every request refused, wait until
 * the report page has drawn everything, then print it (PDF) or save its figures as PNG files
 * beside the Markdown. The notebook itself is only read; an existing output file is replaced only
 * with `force`, and never when it is the notebook.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { chown, mkdir, open, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { type MarkdownCellBlocks, reportMarkdown } from '../../common/export/markdown-report.ts';
import { PDF_HEADER_TEMPLATE, PDF_MARGIN_MM, pdfFooterTemplate, printableWidth } from '../../common/export/pdf-layout.ts';
import { type PaperSize, type ReportData, type ReportFormat, reportData } from '../../common/export/report-data.ts';
import type { Notebook } from '../../common/notebook/model.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { type FileOwner, ownerForWrite } from '../file-owner.ts';
import { readNotebookFile } from '../notebook-file.ts';
import { TrustStore } from '../session/trust.ts';
import { launchChromium } from './chromium.ts';
import { reportAssets, reportHtml } from './report-html.ts';

export interface ExportOptions {
  input: string;
  to: ReportFormat;
  /** Default: the notebook's path with the format's extension. */
  output?: string;
  /** Replace an existing output file. */
  force?: boolean;
  showCode?: boolean;
  showOutputs?: boolean;
  paper?: PaperSize;
  author?: string | null;
  date?: string;
  /** Trust to draw outputs with; default: whether the notebook is trusted for this user (trust store). */
  trusted?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface ExportResult {
  output: string;
  /** Files written besides it (Markdown figures). */
  extraFiles: string[];
}

/** Refused output (exists, or is the notebook): says what to do. */
export class ExportTargetError extends Error {
  override name = 'ExportTargetError';
}

const EXTENSIONS: Record<ReportFormat, string> = { html: '.html', pdf: '.pdf', md: '.md' };

export function defaultOutput(input: string, to: ReportFormat): string {
  const ext = extname(input);
  return `${ext.toLowerCase() === '.ipynb' ? input.slice(0, -ext.length) : input}${EXTENSIONS[to]}`;
}

/** Checks the output path before any work: never the notebook, an existing file only with force. */
export function checkTarget(input: string, output: string, force: boolean): void {
  if (resolve(output) === resolve(input)) throw new ExportTargetError(`${output} is the notebook itself: choose another output file with -o.`);
  if (existsSync(output) && !force) throw new ExportTargetError(`${output} exists: choose another name with -o, or replace it with --force.`);
}

export async function exportNotebook(options: ExportOptions): Promise<ExportResult> {
  const input = resolve(options.input);
  const output = resolve(options.output ?? defaultOutput(input, options.to));
  checkTarget(input, output, options.force ?? false);
  const { notebook } = await readNotebookFile(input);
  const data = buildReportData(notebook, input, options);
  if (options.to === 'md') {
    const html = reportHtml(data, reportAssets());
    return withReportPage(html, 'Exporting to Markdown (its figures are drawn in a browser)', 900, options.env, (page) => writeMarkdown(page, data, output));
  }
  await writeFileAtomic(output, await reportFile(data, options.to, options.env));
  return { output, extraFiles: [] };
}

/**
 * The app's File → Export as Markdown: NAME.md and NAME_files/ beside the saved notebook, as the
 * CLI writes them, but never over an existing export: the first free NAME.md, NAME-2.md, … (with
 * NAME-2_files/ …) whose Markdown file and figure folder both do not exist. Run as root (`sudo
 * probebook serve`), the files are given to the notebook's owner, as saves are.
 */
export async function exportMarkdownBeside(data: ReportData, notebookPath: string, env?: NodeJS.ProcessEnv): Promise<ExportResult> {
  const { uid, gid } = await stat(notebookPath);
  const owner = ownerForWrite({ uid, gid });
  const output = await claimFreeMarkdownName(notebookPath, owner);
  try {
    const html = reportHtml(data, reportAssets());
    return await withReportPage(html, 'Exporting to Markdown (its figures are drawn in a browser)', 900, env, (page) =>
      writeMarkdown(page, data, output, owner),
    );
  } catch (error) {
    // Both names were free when claimed: nothing half-written stays.
    await unlink(output).catch(() => undefined);
    await rm(`${output.slice(0, -'.md'.length)}_files`, { recursive: true, force: true });
    throw error;
  }
}

const MAX_SUFFIX = 999;

/** Creates an empty NAME[-N].md exclusively (so two exports at once cannot take the same name) and returns its path. */
async function claimFreeMarkdownName(notebookPath: string, owner: FileOwner | null): Promise<string> {
  const stem = defaultOutput(notebookPath, 'md').slice(0, -'.md'.length);
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const name = n === 1 ? stem : `${stem}-${n}`;
    if (existsSync(`${name}_files`)) continue;
    try {
      const handle = await open(`${name}.md`, 'wx', 0o666);
      await handle.close();
      if (owner) await chown(`${name}.md`, owner.uid, owner.gid);
      return `${name}.md`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new ExportTargetError(`${basename(stem)}.md to ${basename(stem)}-${MAX_SUFFIX}.md all exist beside the notebook: remove old exports first.`);
}

/** A report as the bytes of its HTML or PDF file (the app's File → Export asks the host for these). */
export async function reportFile(data: ReportData, format: 'html' | 'pdf', env?: NodeJS.ProcessEnv): Promise<Buffer> {
  const html = reportHtml(data, reportAssets());
  if (format === 'html') return Buffer.from(html, 'utf8');
  return withReportPage(html, 'Exporting to PDF', printableWidth(data.paper), env, (page) => printPdf(page, data));
}

function buildReportData(notebook: Notebook, input: string, options: ExportOptions): ReportData {
  return reportData(notebook, {
    fileName: basename(input),
    trusted: options.trusted ?? new TrustStore().isTrusted(notebook),
    author: options.author,
    date: options.date,
    showCode: options.showCode,
    showOutputs: options.showOutputs,
    paper: options.paper,
  });
}

export { printableWidth };

/**
 * Opens the report in headless Chromium from a temporary file, with every other request refused,
 * and runs `use` once the report page says everything is drawn.
 */
export async function withReportPage<T>(
  html: string,
  what: string,
  width: number,
  env: NodeJS.ProcessEnv | undefined,
  use: (page: Page) => Promise<T>,
): Promise<T> {
  const browser: Browser = await launchChromium(what, env);
  const dir = mkdtempSync(join(tmpdir(), 'probebook-export-'));
  try {
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const context = await browser.newContext({ viewport: { width, height: 1000 }, deviceScaleFactor: 2, javaScriptEnabled: true });
    // The report loads nothing; anything else asked for is refused (the CSP refuses it too).
    await context.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    const state = await page.waitForFunction(() => document.documentElement.dataset['pbReport'], undefined, { timeout: 120_000 }).then((h) => h.jsonValue());
    if (state !== 'ready') throw new Error(`The report could not be drawn in Chromium: ${errors.join('; ') || 'see the HTML export'}`);
    return await use(page);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function printPdf(page: Page, data: ReportData): Promise<Buffer> {
  const { x, y } = PDF_MARGIN_MM;
  return page.pdf({
    format: data.paper === 'letter' ? 'Letter' : 'A4',
    printBackground: true,
    margin: { top: `${y}mm`, bottom: `${y}mm`, left: `${x}mm`, right: `${x}mm` },
    displayHeaderFooter: true,
    headerTemplate: PDF_HEADER_TEMPLATE,
    footerTemplate: pdfFooterTemplate(data.title),
  });
}

const IMAGE_EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif' };

/** The Markdown beside its figures, in `NAME_files/` (as nbconvert names it). */
async function writeMarkdown(page: Page, data: ReportData, output: string, owner: FileOwner | null = null): Promise<ExportResult> {
  const blocks = (await page.evaluate(() => window.pbReport.markdownBlocks())) as MarkdownCellBlocks[];
  // Figures as on paper: without buttons, filters and toggles.
  await page.emulateMedia({ media: 'print' });
  const stem = basename(output, extname(output));
  const filesDir = join(dirname(output), `${stem}_files`);
  const rel = (file: string): string => relative(dirname(output), file).split('\\').join('/');
  const extraFiles: string[] = [];
  const needsDir = blocks.some((c) => c.blocks.some((b) => b.form === 'figure' || b.form === 'image'));
  if (needsDir) {
    await mkdir(filesDir, { recursive: true });
    if (owner) await chown(filesDir, owner.uid, owner.gid);
  }
  for (const cell of blocks) {
    let images = 0;
    for (const block of cell.blocks) {
      if (block.form === 'figure') {
        const file = join(filesDir, `figure-${block.id}.png`);
        await writeFileAtomic(file, await page.locator(`[data-pb-block="${block.id}"]`).screenshot({ animations: 'disabled' }), { owner });
        extraFiles.push(file);
      } else if (block.form === 'image') {
        const file = join(filesDir, `image-${cell.cell}-${images++}.${IMAGE_EXTENSIONS[block.mime] ?? 'png'}`);
        await writeFileAtomic(file, Buffer.from(block.data, 'base64'), { owner });
        extraFiles.push(file);
      }
    }
  }
  const markdown = reportMarkdown(data, blocks, {
    figure: (id) => rel(join(filesDir, `figure-${id}.png`)),
    image: (cell, n, mime) => rel(join(filesDir, `image-${cell}-${n}.${IMAGE_EXTENSIONS[mime] ?? 'png'}`)),
  });
  await writeFileAtomic(output, markdown, { owner });
  return { output, extraFiles };
}
