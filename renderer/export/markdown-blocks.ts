/**
 * What the Markdown export takes from a drawn report: each output block (an output, or a bpftrace
 * map's series of prints) in the form {@link markdownForm} chooses, with its text or its table as
 * drawn. Figures stay in the page; the exporter saves their elements (`[data-pb-block]`) as PNG.
 */
import { type MarkdownBlock, type MarkdownCellBlocks, type MarkdownTable, markdownForm } from '../../core/common/export/markdown-report.ts';
import type { ReportData } from '../../core/common/export/report-data.ts';
import { type CellErrorData, MIME } from '../../core/common/mime.ts';
import type { Json, Output } from '../../core/common/notebook/model.ts';
import { groupMapPrints } from '../outputs/index.ts';
import { stripAnsi } from '../outputs/text/ansi.ts';

function joined(data: Json | undefined): string {
  return typeof data === 'string' ? data : Array.isArray(data) ? data.join('') : '';
}

function firstTable(el: Element): MarkdownTable | null {
  const table = el.querySelector('table') ?? el.querySelector('.pb-html')?.shadowRoot?.querySelector('table');
  if (!table) return null;
  const texts = (cells: Iterable<Element>): string[] => [...cells].map((c) => (c.textContent ?? '').trim());
  const headRow = table.querySelector('thead tr') ?? table.querySelector('tr');
  const headers = headRow ? texts(headRow.querySelectorAll('th, td')) : [];
  const rows = [...table.querySelectorAll('tr')]
    .filter((r) => r !== headRow && !r.querySelector('.pb-table-empty'))
    .map((r) => texts(r.querySelectorAll('th, td')));
  return headers.length ? { headers, rows } : null;
}

function outputText(output: Output): { text: string; lang: string } {
  const by = (mime: string): Json | undefined => output.items.find((i) => i.mime === mime)?.data;
  const error = by(MIME.error) as unknown as CellErrorData | undefined;
  if (error) return { text: stripAnsi([`${error.ename}: ${error.evalue}`, ...(error.traceback ?? [])].join('\n')), lang: '' };
  const stream = by(MIME.stdout) ?? by(MIME.stderr);
  if (stream !== undefined) return { text: stripAnsi(joined(stream)), lang: '' };
  const plain = by(MIME.plain);
  if (plain !== undefined && joined(plain).trim()) return { text: stripAnsi(joined(plain)), lang: '' };
  const json = by(MIME.json) ?? output.items[0]?.data;
  return { text: JSON.stringify(json ?? null, null, 2), lang: 'json' };
}

function altOf(output: Output | null, cellName: string): string {
  const layout = output?.items.find((i) => i.mime === MIME.plotly)?.data;
  const title =
    layout && typeof layout === 'object' && !Array.isArray(layout) ? (layout['layout'] as Record<string, unknown> | undefined)?.['title'] : undefined;
  const text = typeof title === 'string' ? title : title && typeof title === 'object' ? (title as Record<string, unknown>)['text'] : undefined;
  return typeof text === 'string' && text.trim() ? text : `Figure of ${cellName}`;
}

function blockOf(output: Output, el: HTMLElement, id: string, cellName: string): MarkdownBlock {
  const drawn = { table: firstTable(el), chart: !!el.querySelector('svg.pb-chart, .pb-report-plot') };
  const form = markdownForm(output, drawn);
  switch (form) {
    case 'figure':
      return { form, id, alt: altOf(output, cellName) };
    case 'table':
      return { form, table: drawn.table!, note: null };
    case 'markdown':
      return { form, text: joined(output.items.find((i) => i.mime === MIME.markdown)?.data) };
    case 'image': {
      const item = output.items.find((i) => i.mime === MIME.png || i.mime === MIME.jpeg || i.mime === MIME.gif)!;
      return { form, mime: item.mime, data: joined(item.data).replace(/\s/g, ''), alt: `Image of ${cellName}` };
    }
    default:
      return { form: 'text', ...outputText(output) };
  }
}

/** Marks each drawn block of a cell's output area with `data-pb-block="CELL-N"` (the area draws them in {@link groupMapPrints}' order). */
export function markBlocks(area: HTMLElement, cell: number): void {
  [...area.children].forEach((el, n) => {
    (el as HTMLElement).dataset['pbBlock'] = `${cell}-${n}`;
  });
}

export function markdownBlocks(data: ReportData): MarkdownCellBlocks[] {
  const out: MarkdownCellBlocks[] = [];
  data.cells.forEach((cell, index) => {
    if (cell.kind !== 'code' || !cell.outputs.length) return;
    const cellName = cell.name ?? `cell ${index + 1}`;
    const blocks = groupMapPrints(cell.outputs).flatMap((group, n): MarkdownBlock[] => {
      const id = `${index}-${n}`;
      const el = document.querySelector<HTMLElement>(`[data-pb-block="${id}"]`);
      if (!el) return [];
      if (group.kind === 'map-series') return [{ form: 'figure', id, alt: `${group.name} over time (${cellName})` }];
      return [blockOf(group.output, el, id, cellName)];
    });
    out.push({ cell: index, blocks });
  });
  return out;
}
