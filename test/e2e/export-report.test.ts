/**
 * `probebook export` end to end, on a notebook with every kind of output made from real outputs
 * (test/support/report-notebook.ts): the HTML report opened in Debian's Chromium with every request
 * refused (none is made; every figure, table, packet list and journey is drawn; an untrusted HTML
 * output stays dead), the PDF through pdftoppm (pages, title block, figures not blank), Markdown
 * with its PNG figures, and `--to ipynb` fallbacks that nbconvert shows as images. Screenshots and
 * PDF pages go to test-artifacts/ to look at.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { MIME } from '../../core/common/mime.ts';
import { parseNotebook, serializeNotebook } from '../../core/common/notebook/ipynb.ts';
import { displayOutput } from '../../core/common/notebook/outputs.ts';
import { exportCommand } from '../../core/node/commands/export.ts';
import { TrustStore } from '../../core/node/session/trust.ts';
import { needs } from '../support/needs.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/page-browser.ts';
import { reportNotebook } from '../support/report-notebook.ts';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');
const HOSTILE = '<b id="ok">bold</b><img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script><style>b{color:red}</style>';

function chromiumHere(t: TestContext): boolean {
  return needs(t, { check: () => (existsSync(CHROMIUM) ? null : `Chromium at ${CHROMIUM} (apt install chromium)`) });
}

/** The report notebook in a folder of its own, with a hostile HTML output; trust in a state folder of its own. */
function setUp(t: TestContext): { dir: string; notebook: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pb-export-e2e-'));
  const saved = process.env['XDG_STATE_HOME'];
  process.env['XDG_STATE_HOME'] = join(dir, 'state');
  t.after(() => {
    if (saved === undefined) delete process.env['XDG_STATE_HOME'];
    else process.env['XDG_STATE_HOME'] = saved;
    rmSync(dir, { recursive: true, force: true });
  });
  const nb = reportNotebook();
  nb.cells.push({
    id: 'hostile',
    cellType: 'code',
    source: 'display(html)',
    metadata: { probebook: { language: 'typescript' } },
    outputs: [displayOutput([{ mime: MIME.html, data: HOSTILE }])],
    executionCount: 99,
  });
  const notebook = join(dir, 'lab-report.ipynb');
  writeFileSync(notebook, serializeNotebook(nb));
  return { dir, notebook };
}

async function exportCli(argv: string[]): Promise<string> {
  const err = new PassThrough();
  let text = '';
  err.on('data', (c) => (text += c));
  const code = await exportCommand(argv, new PassThrough(), err);
  assert.equal(code, 0, text);
  return text;
}

test('the HTML report works offline: no request leaves it, every output is drawn, untrusted HTML stays dead', async (t) => {
  if (!chromiumHere(t)) return;
  const { dir, notebook } = setUp(t);
  await exportCli([notebook, '--to', 'html']);
  const file = join(dir, 'lab-report.html');
  const url = pathToFileURL(file).href;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const requests: string[] = [];
  // The network is gone: every request is counted and refused.
  await context.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.request().url() === url ? route.continue() : route.abort();
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.documentElement.dataset['pbReport'], undefined, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => document.documentElement.dataset['pbReport']), 'ready');
  assert.deepEqual(requests, [url], 'the report asks for nothing but itself');
  // The one complaint allowed: the CSP refusing the hostile output's <img src=x>.
  assert.ok(
    errors.length <= 1 && errors.every((e) => /^Loading the image 'file:.*\/x' violates the following Content Security Policy/.test(e)),
    errors.join('\n'),
  );

  // Title block and highlighted code.
  assert.equal(await page.locator('.pb-report-title h1').textContent(), 'Lab 06: the cost of a bloated rule chain');
  assert.match((await page.locator('.pb-report-facts').textContent()) ?? '', /Ada Student · \d{4}-\d\d-\d\d · lab-report\.ipynb/);
  assert.ok((await page.locator('.pb-report-source .hljs-built_in, .pb-report-source .hljs-keyword').count()) > 3, 'code is highlighted');
  // Both plotly figures (iperf3's chart and the TypeScript plot), drawn as SVG with their traces.
  const plots = page.locator('.pb-report-plot');
  assert.equal(await plots.count(), 2);
  for (const plot of await plots.all()) {
    assert.equal(await plot.getAttribute('data-pb-drawn'), 'true');
    assert.ok((await plot.locator('svg.main-svg .trace').count()) >= 1);
  }
  assert.ok((await page.locator('.pb-report-plot .trace.bars .point path').count()) === 4, 'the four bars');
  // bpftrace: maps as tables, three histograms, the interval prints as one live chart.
  assert.ok((await page.locator('svg.pb-hist').count()) >= 3);
  assert.equal(await page.locator('.pb-bt-series-chart').count(), 1);
  assert.ok((await page.locator('.pb-bt-series-chart svg path').count()) > 3, 'the series chart has its lines');
  assert.ok(await page.getByText('python3', { exact: true }).first().isVisible());
  // Packets: the capture's 11 packets and tcpdump's one; journeys; rules; the event table; a table; the error.
  assert.ok((await page.locator('.pb-pk-row').count()) >= 12);
  assert.ok(await page.getByText('Standard query response 0x4319').first().isVisible());
  // A packet's details and bytes come from the capture inside the report.
  await page.getByText('Standard query response 0x4319').first().click();
  await page.locator('.pb-pk-details').first().waitFor();
  assert.match((await page.locator('.pb-pk-details').first().innerText()) ?? '', /Domain Name System|DNS/);
  assert.ok((await page.locator('.pb-pk-hexrow').count()) > 5, 'the bytes');
  assert.equal(await page.locator('.pb-jn-row').count(), 4);
  assert.ok(await page.getByText('Where the paths diverge').isVisible());
  assert.match(await page.locator('main').innerText(), /Chain\s+INPUT\s+policy ACCEPT/);
  assert.ok(await page.getByRole('columnheader', { name: 'TIME(ms)' }).isVisible());
  assert.ok(await page.getByRole('cell', { name: '8,800' }).isVisible());
  assert.ok(await page.getByText('The cell exited with status 3.').isVisible());
  assert.ok(await page.getByText("tshark's full dissection of a packet are shown in Probebook only").first().isVisible());
  // The environment appendix.
  assert.ok(await page.getByRole('heading', { name: 'Measured on' }).isVisible());
  assert.ok(await page.getByRole('cell', { name: 'bpftrace v0.17.0' }).isVisible());
  // The notebook is not trusted here: its HTML is drawn without script, styles or handlers.
  assert.ok(await page.getByText('This notebook was not trusted where it was exported').isVisible());
  const hostile = await page.evaluate(() => {
    const host = [...document.querySelectorAll('.pb-html')].pop();
    const root = host?.shadowRoot;
    return {
      pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
      text: root?.textContent ?? null,
      dangerous: root ? root.querySelectorAll('script, style, [onerror]').length : -1,
    };
  });
  assert.deepEqual(hostile, { pwned: null, text: 'bold', dangerous: 0 });
  mkdirSync(join(ARTIFACTS, 'screenshots'), { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'screenshots/export-report.png'), fullPage: true });
});

/** Grey levels of a binary PGM (what pdftoppm -gray writes). */
function readPgm(file: string): { width: number; height: number; pixels: Uint8Array } {
  const bytes = readFileSync(file);
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(bytes.subarray(0, 40).toString('latin1'));
  assert.ok(header, `${file} is a binary PGM`);
  return { width: Number(header[1]), height: Number(header[2]), pixels: bytes.subarray(header[0].length) };
}

function inkShare(pgm: { pixels: Uint8Array }): number {
  let ink = 0;
  for (const p of pgm.pixels) if (p < 200) ink++;
  return ink / pgm.pixels.length;
}

test('the PDF: a title block, A4 or Letter pages, figures that are not blank', async (t) => {
  if (!chromiumHere(t) || !needs(t, { tools: ['pdftoppm', 'pdftotext', 'pdfinfo'] })) return;
  const { dir, notebook } = setUp(t);
  await exportCli([notebook, '--to', 'pdf', '--author', 'A. Student']);
  const pdf = join(dir, 'lab-report.pdf');
  const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
  assert.match(info, /Page size:\s+59\d\.\d+ x 84\d\.\d+ pts \(A4\)/);
  const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
  assert.ok(pages >= 6 && pages <= 20, `${pages} pages`);
  const first = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-layout', pdf, '-'], { encoding: 'utf8' });
  assert.match(first, /Lab 06: the cost of a bloated rule chain/);
  assert.match(first, /A\. Student · \d{4}-\d\d-\d\d · lab-report\.ipynb/);
  assert.match(first, /1 \/ \d+/, 'page numbers in the footer');

  const out = join(dir, 'pages');
  mkdirSync(out);
  execFileSync('pdftoppm', ['-r', '40', '-gray', pdf, join(out, 'p')]);
  const files = readdirSync(out).sort();
  assert.equal(files.length, pages);
  for (const f of files) assert.ok(inkShare(readPgm(join(out, f))) > 0.005, `${f} is not blank`);
  // The page with the bar chart (its tick label "9000 B"): its bars are a good part of the page.
  const withFigure = Array.from({ length: pages }, (_, i) => i + 1).find((n) =>
    execFileSync('pdftotext', ['-f', String(n), '-l', String(n), pdf, '-'], { encoding: 'utf8' }).includes('9000 B'),
  );
  assert.ok(withFigure, 'the figure title is in the PDF');
  const figurePage = readPgm(join(out, files[withFigure - 1]!));
  assert.ok(inkShare(figurePage) > 0.08, `the figure page has the bars (${inkShare(figurePage)})`);
  // PNG pages to look at.
  const shots = join(ARTIFACTS, 'export-pdf');
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  execFileSync('pdftoppm', ['-r', '60', '-png', pdf, join(shots, 'page')]);

  await exportCli([notebook, '--to', 'pdf', '--paper', 'letter', '-o', join(dir, 'letter.pdf'), '--no-code']);
  assert.match(execFileSync('pdfinfo', [join(dir, 'letter.pdf')], { encoding: 'utf8' }), /Page size:\s+612 x 792 pts \(letter\)/);
  assert.doesNotMatch(execFileSync('pdftotext', [join(dir, 'letter.pdf'), '-'], { encoding: 'utf8' }), /iperf3 -c 127\.0\.0\.1/);
});

test('Markdown: figures as PNG files beside it, tables as Markdown tables, text as fenced blocks', async (t) => {
  if (!chromiumHere(t)) return;
  const { dir, notebook } = setUp(t);
  await exportCli([notebook, '--to', 'md']);
  const md = readFileSync(join(dir, 'lab-report.md'), 'utf8');
  assert.match(md, /^# Lab 06: the cost of a bloated rule chain\n/);
  const images = [...md.matchAll(/!\[([^\]]*)\]\(([^)]+)\)/g)].map((m) => ({ alt: m[1]!, path: m[2]! }));
  // iperf3's chart, the plot, three histograms, the live chart: at least six figures.
  assert.ok(images.length >= 6, `${images.length} figures`);
  for (const { path } of images) {
    assert.match(path, /^lab-report_files\/figure-\d+-\d+\.png$/);
    const png = readFileSync(join(dir, path));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${path} is a PNG`);
    assert.ok(png.length > 3000, `${path} has a picture (${png.length} bytes)`);
  }
  assert.ok(images.some((i) => i.alt === 'Throughput by packet size'));
  assert.match(md, /\| key \| value \|\n\| --- \| --- \|\n\| curl \| 10 \|/);
  assert.match(md, /\| # \| packets \| bytes \| target \| match \|/);
  assert.match(md, /```\nready\n6\.1\.0-28-amd64\n```/);
  assert.match(md, /```sh\niperf3 -c 127\.0\.0\.1 -t 3 -P 2 -J\n```/);
  assert.match(md, /## Measured on/);
  // Every fence is closed.
  assert.equal((md.match(/^```/gm) ?? []).length % 2, 0);
  assert.doesNotMatch(md, /<script|onerror/);
});

test('--to ipynb puts a PNG beside each figure: nbconvert shows images, trust stays as it was, unchanged figures are not drawn again', async (t) => {
  if (!chromiumHere(t) || !needs(t, { tools: ['jupyter-nbconvert'] })) return;
  const { dir, notebook } = setUp(t);
  const nbconvertImages = (file: string): number => {
    const html = execFileSync('jupyter-nbconvert', ['--to', 'html', '--stdout', file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      cwd: dirname(file),
    });
    return (html.match(/<img src="data:image\/png;base64,/g) ?? []).length;
  };
  assert.equal(nbconvertImages(notebook), 0, 'without fallbacks a figure is a line of text');
  const store = new TrustStore();
  store.trust(parseNotebook(readFileSync(notebook, 'utf8'), notebook));
  const withPngs = join(dir, 'with-pngs.ipynb');
  const said = await exportCli([notebook, '--to', 'ipynb', '-o', withPngs]);
  assert.match(said, /2 figures drawn as PNG/);
  const saved = parseNotebook(readFileSync(withPngs, 'utf8'), withPngs);
  const figures = saved.cells.flatMap((c) => c.outputs).filter((o) => o.items.some((i) => i.mime === MIME.plotly));
  assert.equal(figures.length, 2);
  for (const f of figures) {
    const png = f.items.find((i) => i.mime === MIME.png);
    assert.ok(png && typeof png.data === 'string' && Buffer.from(png.data, 'base64').subarray(1, 4).toString() === 'PNG');
    assert.ok(((f.metadata?.['image/png'] as { width?: number } | undefined)?.width ?? 0) > 300);
  }
  assert.equal(nbconvertImages(withPngs), 2);
  assert.ok(store.isTrusted(saved), 'a trusted notebook stays trusted with its fallbacks');
  // Again: every figure has its PNG, nothing is drawn, the file does not change.
  const before = readFileSync(withPngs, 'utf8');
  assert.match(await exportCli([withPngs, '--to', 'ipynb', '--inplace']), /0 figures drawn/);
  assert.equal(readFileSync(withPngs, 'utf8'), before);
  // An untrusted notebook stays untrusted.
  const other = join(dir, 'untrusted.ipynb');
  writeFileSync(other, readFileSync(notebook, 'utf8').replace('"display(html)"', '"display(other)"'));
  await exportCli([other, '--to', 'ipynb', '--inplace']);
  assert.ok(!store.isTrusted(parseNotebook(readFileSync(other, 'utf8'), other)));
});
