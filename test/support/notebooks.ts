/**
 * Notebooks for page tests, written as Jupyter writes them (nbformat 4.5, cell ids), so the
 * server opens them exactly like a user's file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellLanguage } from '../../core/common/languages.ts';

export interface TestCell {
  type?: 'code' | 'markdown';
  source: string;
  /** Written to `metadata.probebook` (language, name, timeout, background, …). */
  probebook?: Record<string, unknown>;
  outputs?: unknown[];
}

/** Writes `name` into `dir` and returns its path. */
export function writeNotebook(dir: string, name: string, cells: TestCell[], language: CellLanguage = 'shell'): string {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { probebook: { language } },
    cells: cells.map((c, i) => {
      const id = `c${String(i).padStart(7, '0')}`;
      const metadata = c.probebook ? { probebook: c.probebook } : {};
      const source = c.source.split(/(?<=\n)/);
      return c.type === 'markdown'
        ? { cell_type: 'markdown', id, metadata, source }
        : { cell_type: 'code', id, metadata, source, outputs: c.outputs ?? [], execution_count: null };
    }),
  };
  const path = join(dir, name);
  writeFileSync(path, `${JSON.stringify(nb, null, 1)}\n`);
  return path;
}

/** The notebook as saved on disk (parsed JSON). */
export function readNotebookJson(path: string): {
  cells: {
    cell_type: string;
    source: string | string[];
    outputs?: { output_type: string; text?: string | string[]; name?: string }[];
    metadata: Record<string, unknown>;
  }[];
} {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** A cell's source as one string, whichever way the file stores it. */
export function joinSource(source: string | string[]): string {
  return Array.isArray(source) ? source.join('') : source;
}
