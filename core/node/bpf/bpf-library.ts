/**
 * The script library (bpf/*.bt): each file's header, and the notebook cells that embed a copy of one
 * (`metadata.probebook.file`, core/common/notebook/cell-file.ts). `probebook bpf-sync` and the tests
 * use these; nothing here runs a script.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Cell, JsonObject, Notebook } from '../../common/notebook/model.ts';

/** The header fields every library file has, one `// Field: …` line each, after `// NAME.bt — summary`. */
export const HEADER_FIELDS = ['Measures', 'Probes', 'Requires', 'Usage', 'Used by'] as const;

export interface BtHeader {
  /** The name the first line gives (`flows.bt`). */
  name: string;
  summary: string;
  fields: Partial<Record<(typeof HEADER_FIELDS)[number], string>>;
  /** Problems for people: a missing field, a first line not in the form. */
  problems: string[];
}

/**
 * Reads the header of a library file.
 * @example parseBtHeader('// a.bt — counts\n// Measures: x\n').fields.Measures === 'x'
 */
export function parseBtHeader(text: string): BtHeader {
  const lines = text.split('\n');
  const first = /^\/\/ (\S+\.bt) — (.+)$/.exec(lines[0] ?? '');
  const header: BtHeader = { name: first?.[1] ?? '', summary: first?.[2] ?? '', fields: {}, problems: [] };
  if (!first) header.problems.push('line 1 must be "// NAME.bt — what it measures"');
  for (const line of lines.slice(1)) {
    if (!line.startsWith('// ')) break;
    const field = HEADER_FIELDS.find((f) => line.startsWith(`// ${f}: `));
    if (field) header.fields[field] = line.slice(`// ${field}: `.length).trim();
  }
  for (const f of HEADER_FIELDS) if (!header.fields[f]) header.problems.push(`no "// ${f}: …" line in the header`);
  return header;
}

/** The `Used by:` entries of a header: notebook cells (`notebooks/x.ipynb (cell "name")`, or `(cell "name": how)`) and other files. */
export function usedBy(field: string): { path: string; cell?: string }[] {
  return field
    .split(/;\s*/)
    .map((entry) => /^(\S+)(?: \(cell "([^"]+)")?/.exec(entry.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => (m[2] ? { path: m[1]!, cell: m[2] } : { path: m[1]! }));
}

export interface EmbeddedCell {
  cell: Cell;
  index: number;
  /** As written in the metadata, relative to the notebook's folder. */
  file: string;
  /** Absolute. */
  path: string;
}

/** The cells of a notebook that say they embed a library file. */
export function embeddedCells(notebook: Notebook, notebookPath: string): EmbeddedCell[] {
  const cells: EmbeddedCell[] = [];
  notebook.cells.forEach((cell, index) => {
    const file = (cell.metadata.probebook as JsonObject | undefined)?.file;
    if (cell.cellType === 'code' && typeof file === 'string') cells.push({ cell, index, file, path: resolve(dirname(notebookPath), file) });
  });
  return cells;
}

/** Cells whose copy differs from their file, with the file's text (to refresh them). */
export async function staleCells(notebook: Notebook, notebookPath: string): Promise<(EmbeddedCell & { text: string })[]> {
  const stale: (EmbeddedCell & { text: string })[] = [];
  for (const embedded of embeddedCells(notebook, notebookPath)) {
    const text = await readFile(embedded.path, 'utf8');
    if (embedded.cell.source !== text) stale.push({ ...embedded, text });
  }
  return stale;
}
