/**
 * The Markdown export (`probebook export --to md`): a report for a README or a hand-in. Markdown
 * cells as written, code as fenced blocks, figures as PNG files beside the Markdown, tables as
 * Markdown tables, text outputs as fenced blocks. The report page decides each output's form with
 * {@link markdownForm} and hands over what it drew; {@link reportMarkdown} writes the text.
 */
import { MIME } from '../mime.ts';
import type { Output } from '../notebook/model.ts';
import { environmentSections, type ReportData } from './report-data.ts';

export interface MarkdownTable {
  headers: string[];
  rows: string[][];
}

/** One output (or a bpftrace map's series of prints) as Markdown. */
export type MarkdownBlock =
  | { form: 'text'; text: string; lang: string }
  | { form: 'markdown'; text: string }
  | { form: 'table'; table: MarkdownTable; note: string | null }
  /** Drawn in the report and saved as a PNG file beside the Markdown: `id` is the block's `data-pb-block`. */
  | { form: 'figure'; id: string; alt: string }
  /** An image the notebook has (base64). */
  | { form: 'image'; mime: string; data: string; alt: string };

export type MarkdownForm = MarkdownBlock['form'];

/** What the report page drew for an output, for deciding its form. */
export interface DrawnOutput {
  /** The first table drawn, when there is one. */
  table: MarkdownTable | null;
  /** Whether a chart (SVG or plotly) was drawn. */
  chart: boolean;
}

const TEXT_MIMES: readonly string[] = [MIME.stdout, MIME.stderr, MIME.error, MIME.plain, MIME.javascript];
const IMAGE_MIMES: readonly string[] = [MIME.png, MIME.jpeg, MIME.gif];
/** Views best read as text in Markdown when they have a text fallback (packet lists, journeys, BPF programs). */
const TEXT_FALLBACK_VIEWS: readonly string[] = [MIME.packets, MIME.pwru, MIME.bpfProgram];

/** How one output reads best in Markdown. */
export function markdownForm(output: Output, drawn: DrawnOutput): MarkdownForm {
  const mimes = output.items.map((i) => i.mime);
  const has = (list: readonly string[]): boolean => mimes.some((m) => list.includes(m));
  const plain = output.items.find((i) => i.mime === MIME.plain);
  const plainText = typeof plain?.data === 'string' ? plain.data : Array.isArray(plain?.data) ? plain.data.join('') : '';
  if (mimes.includes(MIME.plotly)) return 'figure';
  if (has(TEXT_FALLBACK_VIEWS)) return plainText.trim() ? 'text' : 'figure';
  if (drawn.chart) return 'figure';
  if (has(IMAGE_MIMES)) return 'image';
  if (drawn.table && (mimes.includes(MIME.bpftrace) || mimes.includes(MIME.table) || mimes.includes(MIME.rules) || mimes.includes(MIME.html))) return 'table';
  if (mimes.includes(MIME.markdown)) return 'markdown';
  if (mimes.includes(MIME.html) || mimes.includes(MIME.svg)) return 'figure';
  if (has(TEXT_MIMES) || mimes.includes(MIME.json) || mimes.includes(MIME.bpftrace)) return 'text';
  return 'figure';
}

/** Text in a fence longer than any run of backticks inside it. */
export function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const marks = '`'.repeat(longest + 1);
  return `${marks}${lang}\n${text.replace(/\n$/, '')}\n${marks}`;
}

function cellText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>').trim();
}

/** A GitHub-flavoured Markdown table; rows padded or cut to the header's width. */
export function markdownTable(table: MarkdownTable): string {
  const width = Math.max(1, table.headers.length);
  const headers = Array.from({ length: width }, (_, i) => cellText(table.headers[i] ?? '') || ' ');
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...table.rows.map((r) => line(Array.from({ length: width }, (_, i) => cellText(r[i] ?? ''))))].join(
    '\n',
  );
}

const FENCE_LANGUAGES: Record<string, string> = { shell: 'sh', typescript: 'typescript', bpftrace: 'bpftrace' };

export interface MarkdownCellBlocks {
  /** Index of the cell in {@link ReportData.cells}. */
  cell: number;
  blocks: MarkdownBlock[];
}

/**
 * The report as Markdown. `figurePath(id)` and `imagePath(cell, n, mime)` are where the PNG
 * files (written by the caller) are, relative to the Markdown file.
 */
export function reportMarkdown(
  data: ReportData,
  outputs: readonly MarkdownCellBlocks[],
  paths: { figure: (id: string) => string; image: (cell: number, n: number, mime: string) => string },
): string {
  const parts: string[] = [`# ${data.title}`, [data.author, data.date, data.fileName].filter(Boolean).join(' · ')];
  const byCell = new Map(outputs.map((o) => [o.cell, o.blocks]));
  data.cells.forEach((cell, index) => {
    if (cell.kind === 'markdown') {
      if (cell.source.trim()) parts.push(cell.source.trim());
      return;
    }
    if (cell.kind === 'raw') {
      if (data.showCode && cell.source.trim()) parts.push(fence(cell.source));
      return;
    }
    if (data.showCode) parts.push(fence(cell.source, FENCE_LANGUAGES[cell.language ?? ''] ?? ''));
    if (!data.showOutputs) return;
    let images = 0;
    for (const block of byCell.get(index) ?? []) {
      if (block.form === 'text') parts.push(fence(block.text, block.lang));
      else if (block.form === 'markdown') parts.push(block.text.trim());
      else if (block.form === 'table') parts.push(markdownTable(block.table) + (block.note ? `\n\n*${block.note}*` : ''));
      else if (block.form === 'figure') parts.push(`![${altText(block.alt)}](${paths.figure(block.id)})`);
      else parts.push(`![${altText(block.alt)}](${paths.image(index, images++, block.mime)})`);
    }
  });
  if (data.environment) {
    parts.push('## Measured on');
    for (const section of environmentSections(data.environment)) parts.push(markdownTable({ headers: [section.label, ''], rows: section.rows }));
  }
  return `${parts.filter((p) => p.trim()).join('\n\n')}\n`;
}

function altText(text: string): string {
  return text.replace(/[[\]\n]/g, ' ').trim();
}
