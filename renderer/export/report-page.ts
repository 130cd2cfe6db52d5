/**
 * The page of an exported report (one self-contained HTML file, see core/node/export/report-html.ts):
 * reads the report data from `<script id="pb-report-data" type="application/json">` and draws the
 * title block, markdown, highlighted code and every output with the app's own renderers, then the
 * "Measured on" appendix. `window.pbReport` tells when everything is drawn and hands out figures as
 * PNG (for the PDF/Markdown exports and the notebooks' image fallbacks, driven from headless Chromium).
 */
import '../outputs/outputs.css';
import './report.css';
import type { MarkdownCellBlocks } from '../../core/common/export/markdown-report.ts';
import { environmentSections, type ReportCell, type ReportData } from '../../core/common/export/report-data.ts';
import { MIME } from '../../core/common/mime.ts';
import type { Output } from '../../core/common/notebook/model.ts';
import { renderMarkdown } from '../notebook/markdown-cell.ts';
import { h } from '../outputs/dom.ts';
import { createOutputArea, defaultRegistry, type OutputArea } from '../outputs/index.ts';
import { highlightCode } from './code-highlight.ts';
import { markBlocks, markdownBlocks } from './markdown-blocks.ts';
import { figurePng, REPORT_RENDERERS, reportFigures } from './report-renderers.ts';

for (const r of REPORT_RENDERERS) defaultRegistry.register(r);

function readData(): ReportData {
  const el = document.getElementById('pb-report-data');
  if (!el?.textContent) throw new Error('This report has no data (pb-report-data is missing).');
  return JSON.parse(el.textContent) as ReportData;
}

function titleBlock(data: ReportData): HTMLElement {
  const facts = [data.author, data.date, data.fileName].filter((f): f is string => !!f);
  return h('header', 'pb-report-title', h('h1', '', data.title), h('p', 'pb-report-facts', facts.join(' · ')));
}

/** A note under outputs whose full form needs the app (a capture file beside the notebook, tshark). */
function offlineNote(output: Output): HTMLElement | null {
  const item = output.items.find((i) => i.mime === MIME.packets);
  if (!item || typeof item.data !== 'object' || item.data === null || Array.isArray(item.data)) return null;
  const capture = (item.data as Record<string, unknown>)['capture'];
  const file = capture && typeof capture === 'object' ? (capture as Record<string, unknown>)['file'] : undefined;
  const what = typeof file === 'string' ? `the packets the notebook kept; the whole capture (${file}) and` : 'the packets the notebook kept;';
  return h('p', 'pb-report-note', `In this report: ${what} tshark's full dissection of a packet are shown in Probebook only.`);
}

function codeCell(cell: ReportCell, index: number, data: ReportData, areas: OutputArea[]): HTMLElement {
  const label = cell.executionCount === null ? '[ ]' : `[${cell.executionCount}]`;
  const el = h('section', 'pb-report-cell pb-report-code-cell');
  if (data.showCode) {
    const head = h('div', 'pb-report-cell-head', h('span', 'pb-report-count', label), cell.language ?? 'code', cell.name ? ` · ${cell.name}` : '');
    const code = h('code', cell.language ? `hljs language-${cell.language}` : 'hljs');
    code.append(highlightCode(cell.source, cell.language));
    el.append(head, h('pre', 'pb-report-source', code));
  }
  if (data.showOutputs && cell.outputs.length) {
    const box = h('div', 'pb-report-outputs');
    el.append(box);
    const area = createOutputArea(box, { trusted: data.trusted, theme: 'light' });
    area.reset(cell.outputs);
    markBlocks(area.element, index);
    areas.push(area);
    for (const o of cell.outputs) {
      const note = offlineNote(o);
      if (note) box.append(note);
    }
  }
  return el;
}

function appendix(data: ReportData): HTMLElement | null {
  if (!data.environment) return null;
  const sections = environmentSections(data.environment);
  const el = h('section', 'pb-report-appendix', h('h2', '', 'Measured on'));
  for (const s of sections) {
    const rows = s.rows.map(([k, v]) => h('tr', '', h('th', '', k), h('td', '', v)));
    el.append(h('table', 'pb-report-env', h('caption', '', s.label), h('tbody', '', ...rows)));
  }
  return el;
}

/** Waits until every plotly figure has been drawn (or failed), with a deadline. */
async function figuresDrawn(deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (document.querySelector('.pb-report-plot:not([data-pb-drawn])') && Date.now() < end) {
    await new Promise((r) => requestAnimationFrame(() => r(null)));
  }
}

let drawnData: ReportData | null = null;

async function draw(): Promise<void> {
  const data = readData();
  drawnData = data;
  document.title = data.title;
  document.documentElement.dataset['paper'] = data.paper;
  const main = h('main', 'pb-report pb-outputs');
  main.dataset['pbTheme'] = 'light';
  main.append(titleBlock(data));
  if (!data.trusted) {
    main.append(
      h('p', 'pb-report-note', 'This notebook was not trusted where it was exported: its HTML outputs are shown without styles, as Probebook shows them.'),
    );
  }
  const areas: OutputArea[] = [];
  data.cells.forEach((cell, index) => {
    if (cell.kind === 'markdown') {
      if (!cell.source.trim()) return;
      const md = h('section', 'pb-report-cell pb-report-markdown pb-markdown');
      renderMarkdown(md, cell.source, data.trusted);
      main.append(md);
    } else if (cell.kind === 'raw') {
      if (data.showCode && cell.source.trim()) main.append(h('pre', 'pb-report-cell pb-report-raw', cell.source));
    } else if (data.showCode || (data.showOutputs && cell.outputs.length)) {
      main.append(codeCell(cell, index, data, areas));
    }
  });
  const env = appendix(data);
  if (env) main.append(env);
  document.body.append(main);
  await Promise.all(areas.map((a) => a.ready()));
  for (const a of areas) a.flush();
  await figuresDrawn(30_000);
}

const ready = draw().then(
  () => {
    document.documentElement.dataset['pbReport'] = 'ready';
  },
  (err: unknown) => {
    document.documentElement.dataset['pbReport'] = 'error';
    document.body.append(h('pre', 'pb-render-error', `This report could not be drawn: ${err instanceof Error ? err.message : String(err)}`));
    throw err;
  },
);

const api = {
  ready: () => ready,
  /** Every drawn plotly figure as a PNG data URL (`scale` pixels per CSS pixel), in document order, with its output's id and CSS size. */
  async figureImages(scale = 2): Promise<{ outputId: string; png: string; width: number; height: number }[]> {
    await ready;
    const out: { outputId: string; png: string; width: number; height: number }[] = [];
    for (const el of reportFigures()) {
      const outputId = el.closest<HTMLElement>('[data-output-id]')?.dataset['outputId'];
      if (outputId) out.push({ outputId, png: await figurePng(el, scale), width: el.clientWidth, height: el.clientHeight });
    }
    return out;
  },
  /** Every output block as the Markdown export writes it. */
  async markdownBlocks(): Promise<MarkdownCellBlocks[]> {
    await ready;
    return drawnData ? markdownBlocks(drawnData) : [];
  },
};

declare global {
  interface Window {
    pbReport: typeof api;
  }
}
window.pbReport = api;
