/**
 * Applying the protocol's edits to the model, each kind by one function both sides use: document
 * edits ({@link applyEdit}: the session host applies what UIs send, UIs what the host broadcasts)
 * and output edits ({@link applyOutputEdit}: the runner applies what its kernel's output calls
 * become, the page what the host sends).
 */
import type { CellLanguage } from '../languages.ts';
import type { NotebookEdit, OutputEdit } from '../protocol.ts';
import type { Cell, Notebook, Output } from './model.ts';
import { newCellId } from './outputs.ts';

/** An edit that does not fit the document (unknown cell, bad index). */
export class EditError extends Error {
  override name = 'EditError';
}

/** Applies one edit in place; throws {@link EditError} and changes nothing when it does not fit. */
export function applyEdit(nb: Notebook, edit: NotebookEdit): void {
  switch (edit.kind) {
    case 'insert_cell': {
      if (!Number.isInteger(edit.index) || edit.index < 0 || edit.index > nb.cells.length) {
        throw new EditError(`cannot insert a cell at ${edit.index}: the notebook has ${nb.cells.length} cells`);
      }
      if (nb.cells.some((c) => c.id === edit.cell.id)) throw new EditError(`a cell with id ${edit.cell.id} already exists`);
      const cell: Cell = {
        id: edit.cell.id,
        cellType: edit.cell.cellType,
        source: edit.cell.source,
        metadata: cloneJson(edit.cell.metadata),
        outputs: [],
        executionCount: null,
      };
      nb.cells.splice(edit.index, 0, cell);
      return;
    }
    case 'delete_cell':
      nb.cells.splice(indexOf(nb, edit.cellId), 1);
      return;
    case 'move_cell': {
      const from = indexOf(nb, edit.cellId);
      if (!Number.isInteger(edit.toIndex) || edit.toIndex < 0 || edit.toIndex >= nb.cells.length) {
        throw new EditError(`cannot move a cell to ${edit.toIndex}: the notebook has ${nb.cells.length} cells`);
      }
      const [cell] = nb.cells.splice(from, 1);
      nb.cells.splice(edit.toIndex, 0, cell!);
      return;
    }
    case 'set_source':
      find(nb, edit.cellId).source = edit.source;
      return;
    case 'set_cell_type': {
      const cell = find(nb, edit.cellId);
      if (cell.cellType === edit.cellType) return;
      cell.cellType = edit.cellType;
      if (edit.cellType !== 'code') {
        cell.outputs = [];
        cell.executionCount = null;
      }
      return;
    }
    case 'set_cell_metadata':
      find(nb, edit.cellId).metadata = cloneJson(edit.metadata);
      return;
    case 'clear_outputs': {
      const cell = find(nb, edit.cellId);
      cell.outputs = [];
      cell.executionCount = null;
      return;
    }
    case 'set_notebook_metadata':
      nb.metadata = cloneJson(edit.metadata);
      return;
    default:
      throw new EditError(`unknown edit ${(edit as { kind: string }).kind}`);
  }
}

/**
 * Applies one output edit to a cell's `outputs`. The array changes; the output objects in it do
 * not (an `append` or `replace` puts a new object in the old one's place), so whoever holds an
 * output (the page's output area, an edit already sent) keeps it as it was. An edit naming an
 * output that is not there changes nothing.
 *
 * @example
 * ```ts
 * applyOutputEdit(cell.outputs, { kind: 'add', output: streamOutput('stdout', 'a') });
 * applyOutputEdit(cell.outputs, { kind: 'append', outputId: cell.outputs[0]!.outputId, text: 'b' }); // stdout "ab"
 * ```
 */
export function applyOutputEdit(outputs: Output[], edit: OutputEdit): void {
  switch (edit.kind) {
    case 'clear':
      outputs.length = 0;
      return;
    case 'add':
      outputs.push(edit.output);
      return;
    case 'replace': {
      const i = lastIndexOf(outputs, edit.output.outputId);
      if (i !== -1) outputs[i] = edit.output;
      return;
    }
    case 'append': {
      const i = lastIndexOf(outputs, edit.outputId);
      const output = outputs[i];
      if (!output) return;
      const at = output.items.findIndex((item) => typeof item.data === 'string');
      if (at === -1) return;
      const items = output.items.slice();
      items[at] = { ...items[at]!, data: (items[at]!.data as string) + edit.text };
      outputs[i] = { ...output, items };
      return;
    }
  }
}

/** Streams append to their cell's last output: searching from the end finds it at once. */
function lastIndexOf(outputs: Output[], outputId: string): number {
  for (let i = outputs.length - 1; i >= 0; i--) if (outputs[i]!.outputId === outputId) return i;
  return -1;
}

/** A deep copy of plain JSON data (core/common has no structuredClone without Node or DOM typings). */
function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cloneJson(v);
    return out as T;
  }
  return value; // primitives, and number literals kept as they are (immutable)
}

function indexOf(nb: Notebook, cellId: string): number {
  const index = nb.cells.findIndex((c) => c.id === cellId);
  if (index < 0) throw new EditError(`no cell with id ${cellId}`);
  return index;
}

function find(nb: Notebook, cellId: string): Cell {
  return nb.cells[indexOf(nb, cellId)]!;
}

/** A new, empty notebook with one code cell, in nbformat 4.5. */
export function createNotebook(language: CellLanguage = 'shell'): Notebook {
  return {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: { probebook: { language } },
    cells: [{ id: newCellId(), cellType: 'code', source: '', metadata: {}, outputs: [], executionCount: null }],
  };
}
