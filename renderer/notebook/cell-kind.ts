/**
 * What a cell is as the page shows it: one of the code languages or markdown/raw, its options,
 * and the edits that turn it into another kind (the language picker and the Y/M keys).
 */
import { CELL_LANGUAGES, DEFAULT_LANGUAGE, isCellLanguage, type CellLanguage } from '../../core/common/languages.ts';
import { notebookOptions, resolveCell } from '../../core/common/notebook/cell-options.ts';
import type { Cell, CellOptions, JsonObject, Notebook } from '../../core/common/notebook/model.ts';
import type { NotebookEdit } from '../../core/common/protocol.ts';
import { BPFTRACE_LANGUAGE_ID } from './editor/bpftrace-language.ts';

export type CellKind = CellLanguage | 'markdown' | 'raw';

export const KIND_LABELS: Record<CellKind, string> = {
  shell: 'Shell',
  bpftrace: 'bpftrace',
  typescript: 'TypeScript',
  markdown: 'Markdown',
  raw: 'Raw',
};

export const PICKABLE_KINDS: readonly CellKind[] = [...CELL_LANGUAGES, 'markdown'];

/** The notebook's default code language. */
export function defaultLanguage(notebook: Notebook): CellLanguage {
  try {
    return notebookOptions(notebook).language ?? DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE;
  }
}

/** The kind of a cell (a code cell's language from metadata, its magic line or the notebook). */
export function cellKind(cell: Cell, notebook: Notebook): CellKind {
  if (cell.cellType === 'markdown') return 'markdown';
  if (cell.cellType === 'raw') return 'raw';
  try {
    return resolveCell(cell, notebook).language;
  } catch {
    // Bad options are reported when the cell runs; show the language it names if any.
    const named = (cell.metadata.probebook as JsonObject | undefined)?.language;
    return isCellLanguage(named) ? named : defaultLanguage(notebook);
  }
}

/** The cell's options, or {} when they are malformed (the run reports that). */
export function cellOptionsOf(cell: Cell, notebook: Notebook): CellOptions {
  try {
    return resolveCell(cell, notebook).options;
  } catch {
    return {};
  }
}

/** Monaco's language id for a kind. */
export function editorLanguageOf(kind: CellKind): string {
  switch (kind) {
    case 'shell':
      return 'shell';
    case 'bpftrace':
      return BPFTRACE_LANGUAGE_ID;
    case 'typescript':
      return 'typescript';
    case 'markdown':
      return 'markdown';
    default:
      return 'plaintext';
  }
}

/** The `probebook` part of a cell's metadata, as an object (a copy). */
export function probebookMetadata(cell: Cell): JsonObject {
  const p = cell.metadata.probebook;
  return p && typeof p === 'object' && !Array.isArray(p) ? { ...p } : {};
}

/** The cell's metadata with `probebook` replaced (keys set to undefined are removed). */
export function withProbebookMetadata(cell: Cell, changes: Record<string, JsonObject[string] | undefined>): JsonObject {
  const probebook = probebookMetadata(cell);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete probebook[k];
    else probebook[k] = v;
  }
  const metadata: JsonObject = { ...cell.metadata, probebook };
  if (Object.keys(probebook).length === 0) delete metadata.probebook;
  return metadata;
}

/** Edits that make `cell` a cell of `kind`. */
export function editsForKind(cell: Cell, notebook: Notebook, kind: CellKind): NotebookEdit[] {
  if (kind === 'markdown' || kind === 'raw') {
    return cell.cellType === kind ? [] : [{ kind: 'set_cell_type', cellId: cell.id, cellType: kind }];
  }
  if (cell.cellType === 'code' && cellKind(cell, notebook) === kind) return [];
  const edits: NotebookEdit[] = [];
  if (cell.cellType !== 'code') edits.push({ kind: 'set_cell_type', cellId: cell.id, cellType: 'code' });
  // Written out even for the default language: the cell then reads the same in any notebook.
  edits.push({ kind: 'set_cell_metadata', cellId: cell.id, metadata: withProbebookMetadata(cell, { language: kind }) });
  return edits;
}

/** Jupyter's collapse flags, in `metadata.jupyter`. */
export function hiddenParts(cell: Cell): { source: boolean; outputs: boolean } {
  const j = cell.metadata.jupyter;
  const o = j && typeof j === 'object' && !Array.isArray(j) ? j : {};
  return { source: o.source_hidden === true, outputs: o.outputs_hidden === true || cell.metadata.collapsed === true };
}

/** The metadata with one of Jupyter's collapse flags set or cleared. */
export function withHidden(cell: Cell, part: 'source' | 'outputs', hidden: boolean): JsonObject {
  const j = cell.metadata.jupyter;
  const jupyter: JsonObject = j && typeof j === 'object' && !Array.isArray(j) ? { ...j } : {};
  const key = part === 'source' ? 'source_hidden' : 'outputs_hidden';
  if (hidden) jupyter[key] = true;
  else delete jupyter[key];
  const metadata: JsonObject = { ...cell.metadata, jupyter };
  if (Object.keys(jupyter).length === 0) delete metadata.jupyter;
  if (part === 'outputs' && !hidden) delete metadata.collapsed;
  return metadata;
}
