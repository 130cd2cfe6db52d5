/**
 * What an exported report shows, made from a notebook: its title block (title, author, date), the
 * cells with their languages and outputs, the trust the outputs are drawn with, and the machine
 * the outputs were measured on (`metadata.probebook.environment`). The same data drives the HTML
 * page (renderer/export/), the PDF printed from it and the Markdown export.
 */
import { resolveCell } from '../notebook/cell-options.ts';
import type { Cell, Json, JsonObject, Notebook, Output } from '../notebook/model.ts';

export type ReportFormat = 'html' | 'pdf' | 'md';
export type PaperSize = 'a4' | 'letter';

export interface ReportCell {
  kind: 'markdown' | 'code' | 'raw';
  /** Code cells: the language they run as (`shell`, `bpftrace`, `typescript`), or null when unknown. */
  language: string | null;
  source: string;
  /** `metadata.probebook.name`, shown beside the cell. */
  name: string | null;
  executionCount: number | null;
  outputs: Output[];
}

export interface ReportData {
  version: 1;
  title: string;
  author: string | null;
  /** The date shown in the title block, as written (the export's date unless given). */
  date: string;
  /** The notebook's file name, shown under the title. */
  fileName: string;
  /** Whether the outputs may use every renderer (the notebook is trusted on this machine). */
  trusted: boolean;
  showCode: boolean;
  showOutputs: boolean;
  paper: PaperSize;
  cells: ReportCell[];
  /** `metadata.probebook.environment`, when the notebook has it. */
  environment: JsonObject | null;
}

export interface ReportOptions {
  fileName: string;
  trusted: boolean;
  author?: string | null;
  date?: string;
  showCode?: boolean;
  showOutputs?: boolean;
  paper?: PaperSize;
  /** Now, for the default date (tests pass a fixed one). */
  now?: Date;
}

export function reportData(notebook: Notebook, options: ReportOptions): ReportData {
  const cells = notebook.cells.map((cell) => reportCell(cell, notebook));
  const title = reportTitle(notebook, options.fileName);
  // A title taken from the first line of the first cell is shown once, in the title block.
  const first = cells[0];
  const heading = first?.kind === 'markdown' ? /^\s{0,3}#\s+(.+?)\s*#*\s*(?:\n|$)/.exec(first.source) : null;
  if (first && heading?.[1] === title && !text(notebook.metadata['title'])) cells[0] = { ...first, source: first.source.slice(heading[0].length) };
  return {
    version: 1,
    title,
    author: options.author ?? notebookAuthor(notebook),
    date: options.date ?? (options.now ?? new Date()).toISOString().slice(0, 10),
    fileName: options.fileName,
    trusted: options.trusted,
    showCode: options.showCode ?? true,
    showOutputs: options.showOutputs ?? true,
    paper: options.paper ?? 'a4',
    cells,
    environment: environmentOf(notebook),
  };
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: Json | undefined): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

/** `metadata.title` (nbformat's), else the first markdown cell's first `# heading`, else the file name without `.ipynb`. */
export function reportTitle(notebook: Notebook, fileName: string): string {
  const own = text(notebook.metadata['title']);
  if (own) return own;
  for (const cell of notebook.cells) {
    if (cell.cellType !== 'markdown') continue;
    const heading = /^\s{0,3}#\s+(.+?)\s*#*\s*$/m.exec(cell.source);
    if (heading?.[1]) return heading[1];
  }
  return fileName.replace(/\.ipynb$/i, '');
}

/** nbformat's `metadata.authors` (`[{ name }]`), else `metadata.probebook.author`. */
function notebookAuthor(notebook: Notebook): string | null {
  const authors = notebook.metadata['authors'];
  if (Array.isArray(authors)) {
    const names = authors.map((a) => (isObject(a) ? text(a['name']) : text(a))).filter((n): n is string => !!n);
    if (names.length) return names.join(', ');
  }
  const probebook = notebook.metadata['probebook'];
  return isObject(probebook) ? text(probebook['author']) : null;
}

function environmentOf(notebook: Notebook): JsonObject | null {
  const probebook = notebook.metadata['probebook'];
  const env = isObject(probebook) ? probebook['environment'] : undefined;
  return isObject(env) && Object.keys(env).length ? env : null;
}

function reportCell(cell: Cell, notebook: Notebook): ReportCell {
  const probebook = cell.metadata['probebook'];
  const name = isObject(probebook) ? text(probebook['name']) : null;
  let language: string | null = null;
  if (cell.cellType === 'code') {
    try {
      language = resolveCell(cell, notebook).language;
    } catch {
      language = null; // malformed options: shown as plain code
    }
  }
  const source = cell.cellType === 'markdown' && cell.attachments ? withAttachments(cell.source, cell.attachments) : cell.source;
  return { kind: cell.cellType, language, source, name, executionCount: cell.executionCount, outputs: cell.outputs };
}

/** Markdown's `attachment:NAME` images (Jupyter's pasted images) as `data:` URLs: a report loads nothing. */
function withAttachments(source: string, attachments: JsonObject): string {
  return source.replace(/attachment:([^\s)"'>]+)/g, (whole, name: string) => {
    const bundle = attachments[decodeURIComponent(name)];
    if (!isObject(bundle)) return whole;
    const [mime, data] = Object.entries(bundle).find(([m]) => m.startsWith('image/')) ?? [];
    const base64 = typeof data === 'string' ? data : Array.isArray(data) ? data.join('') : null;
    return mime && base64 ? `data:${mime};base64,${base64.replace(/\s/g, '')}` : whole;
  });
}

/** One environment value as people read it: booleans as yes/no, lists joined, objects as `key: value` pairs. */
export function environmentValue(value: Json): string {
  if (value === null) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if (Array.isArray(value)) return value.map(environmentValue).join(', ');
  return Object.entries(value)
    .map(([k, v]) => `${k}: ${environmentValue(v)}`)
    .join('; ');
}

/** Labels for the environment keys Probebook records; other keys are shown as written. */
const ENVIRONMENT_LABELS: Record<string, string> = {
  hostname: 'Host name',
  distribution: 'Distribution',
  kernel: 'Kernel',
  cpus: 'CPUs',
  recordedAt: 'Recorded',
  tools: 'Tools',
  features: 'Kernel features',
};

export interface EnvironmentSection {
  label: string;
  /** Rows of `[name, value]`: a nested object becomes a section of its own rows. */
  rows: [string, string][];
}

/**
 * The environment as sections for an appendix ("Measured on"): top-level scalars in one section,
 * each nested object (tools, features, anything else) in its own, keys in the order written.
 */
export function environmentSections(env: JsonObject): EnvironmentSection[] {
  const label = (k: string): string => ENVIRONMENT_LABELS[k] ?? k;
  const main: [string, string][] = [];
  const nested: EnvironmentSection[] = [];
  // Saved files sort keys: the known ones come in a reading order, the rest as they are.
  const known = Object.keys(ENVIRONMENT_LABELS);
  const rank = (k: string): number => (known.includes(k) ? known.indexOf(k) : known.length);
  const entries = Object.entries(env).sort(([a], [b]) => rank(a) - rank(b));
  for (const [key, value] of entries) {
    if (isObject(value)) nested.push({ label: label(key), rows: Object.entries(value).map(([k, v]) => [k, environmentValue(v)]) });
    else main.push([label(key), environmentValue(value)]);
  }
  return [...(main.length ? [{ label: 'Machine', rows: main }] : []), ...nested];
}
