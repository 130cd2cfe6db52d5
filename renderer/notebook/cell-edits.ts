/**
 * What command mode does to the notebook's cells, as edits sent through the document: insert,
 * delete (and bring back), cut/copy/paste, move, change kind, hide code or outputs, clear
 * outputs. Refused, with a message, while the notebook is read-only or not connected.
 */
import type { JsonObject } from '../../core/common/notebook/model.ts';
import { newCellId } from '../../core/common/notebook/outputs.ts';
import type { NotebookEdit } from '../../core/common/protocol.ts';
import { type ClipboardCell, copiedCells, copyCells } from './cell-clipboard.ts';
import { cellKind, defaultLanguage, editsForKind, hiddenParts, withHidden, type CellKind } from './cell-kind.ts';
import type { CellList } from './cell-list.ts';
import type { CellSelection } from './cell-selection.ts';
import type { NotebookDocument } from './notebook-document.ts';

/** Deleted cells Z can bring back. */
const UNDO_DEPTH = 50;

export interface CellEditsContext {
  readonly doc: NotebookDocument;
  readonly cells: CellList;
  readonly selection: CellSelection;
  /** Edits are refused (read-only notebook or no connection). */
  readonly locked: boolean;
  notify(message: string, kind?: 'error' | 'info'): void;
}

export class CellEdits {
  private readonly deleted: { cell: ClipboardCell & { id: string }; index: number }[] = [];

  constructor(private readonly context: CellEditsContext) {}

  edit(edits: NotebookEdit[]): void {
    const { doc, cells } = this.context;
    if (edits.length === 0) return;
    if (this.context.locked) {
      this.context.notify(
        doc.readOnly
          ? `${doc.title} is read-only: ${doc.readOnlyReason ?? 'save it under another name to change it'}.`
          : 'Not connected to Probebook: changes are paused until it reconnects.',
        'error',
      );
      for (const v of cells.all()) v.refreshAll();
      return;
    }
    try {
      doc.edit(edits);
    } catch (error) {
      this.context.notify(`That change did not fit the notebook (${(error as Error).message}); it was not made.`, 'error');
    }
  }

  setKind(cellId: string, kind: CellKind): void {
    const doc = this.context.doc;
    const cell = doc.cell(cellId);
    if (!cell) return;
    if (doc.runState(cellId).status === 'running' && cell.cellType === 'code' && kind === 'markdown') {
      this.context.notify('Stop the cell before turning it into markdown.', 'error');
      this.context.cells.get(cellId)?.refreshKind();
      return;
    }
    this.edit(editsForKind(cell, doc.notebook, kind));
  }

  setSelectedKind(kind: CellKind): void {
    const id = this.context.selection.activeCellId;
    if (id) this.setKind(id, kind);
  }

  /** Inserts a cell above or below the selection (A, B). Returns its id. */
  insertCell(where: 'above' | 'below', kind?: CellKind, source = ''): string | null {
    const { doc, selection } = this.context;
    const activeId = selection.activeCellId;
    const index = activeId ? doc.indexOf(activeId) + (where === 'below' ? 1 : 0) : doc.cells.length;
    const k = kind ?? this.defaultKind();
    const id = newCellId();
    const metadata: JsonObject = k === 'markdown' || k === 'raw' || k === defaultLanguage(doc.notebook) ? {} : { probebook: { language: k } };
    this.edit([
      {
        kind: 'insert_cell',
        index: Math.max(0, index),
        cell: { id, cellType: k === 'markdown' ? 'markdown' : k === 'raw' ? 'raw' : 'code', source, metadata },
      },
    ]);
    if (!doc.cell(id)) return null;
    this.selectAndShow(id);
    return id;
  }

  deleteCell(cellId: string): void {
    const { doc, selection } = this.context;
    const cell = doc.cell(cellId);
    if (!cell) return;
    if (doc.runState(cellId).status === 'running') {
      this.context.notify('Stop the cell before deleting it (I, I stops everything).', 'error');
      return;
    }
    const index = doc.indexOf(cellId);
    const next = doc.cells[index + 1] ?? doc.cells[index - 1];
    this.deleted.push({ cell: { id: cell.id, cellType: cell.cellType, source: cell.source, metadata: structuredClone(cell.metadata) }, index });
    if (this.deleted.length > UNDO_DEPTH) this.deleted.shift();
    if (selection.activeCellId === cellId) selection.setActive(next?.id ?? null);
    this.edit([{ kind: 'delete_cell', cellId }]);
  }

  deleteSelected(): void {
    const id = this.context.selection.activeCellId;
    if (id) this.deleteCell(id);
  }

  /** Z: brings back the last deleted cell where it was. */
  undoDelete(): void {
    const doc = this.context.doc;
    const last = this.deleted.pop();
    if (!last) {
      this.context.notify('No deleted cell to bring back.');
      return;
    }
    const id = doc.cell(last.cell.id) ? newCellId() : last.cell.id;
    this.edit([
      {
        kind: 'insert_cell',
        index: Math.min(last.index, doc.cells.length),
        cell: { id, cellType: last.cell.cellType, source: last.cell.source, metadata: last.cell.metadata },
      },
    ]);
    this.selectAndShow(id);
  }

  moveCell(cellId: string, by: -1 | 1): void {
    const doc = this.context.doc;
    const index = doc.indexOf(cellId);
    const to = index + by;
    if (index < 0 || to < 0 || to >= doc.cells.length) return;
    this.edit([{ kind: 'move_cell', cellId, toIndex: to }]);
    this.context.cells.get(cellId)?.scrollIntoView();
  }

  copySelected(cut = false): void {
    const { doc, selection } = this.context;
    const cell = selection.activeCellId ? doc.cell(selection.activeCellId) : undefined;
    if (!cell) return;
    copyCells([{ cellType: cell.cellType, source: cell.source, metadata: structuredClone(cell.metadata) }]);
    if (cut) this.deleteSelected();
    else this.context.notify('Cell copied: press V to paste it below.');
  }

  paste(where: 'above' | 'below' = 'below'): void {
    const { doc, selection } = this.context;
    const data = copiedCells();
    if (!data?.length) {
      this.context.notify('Nothing to paste: copy a cell with C first.');
      return;
    }
    const activeId = selection.activeCellId;
    let index = activeId ? doc.indexOf(activeId) + (where === 'below' ? 1 : 0) : doc.cells.length;
    const edits: NotebookEdit[] = [];
    const ids: string[] = [];
    for (const c of data) {
      const id = newCellId();
      ids.push(id);
      edits.push({ kind: 'insert_cell', index: index++, cell: { id, cellType: c.cellType, source: String(c.source ?? ''), metadata: c.metadata ?? {} } });
    }
    this.edit(edits);
    const last = ids.at(-1)!;
    if (doc.cell(last)) this.selectAndShow(last);
  }

  toggleSelected(part: 'source' | 'outputs'): void {
    const { doc, selection } = this.context;
    const cell = selection.activeCellId ? doc.cell(selection.activeCellId) : undefined;
    if (!cell) return;
    this.edit([{ kind: 'set_cell_metadata', cellId: cell.id, metadata: withHidden(cell, part, !hiddenParts(cell)[part]) }]);
  }

  clearOutput(cellId = this.context.selection.activeCellId): void {
    if (cellId && this.context.doc.cell(cellId)?.cellType === 'code') this.edit([{ kind: 'clear_outputs', cellId }]);
  }

  clearAllOutputs(): void {
    this.edit(
      this.context.doc.cells
        .filter((c) => c.cellType === 'code' && (c.outputs.length || c.executionCount !== null))
        .map((c) => ({ kind: 'clear_outputs' as const, cellId: c.id })),
    );
  }

  private selectAndShow(cellId: string): void {
    this.context.selection.select(cellId, 'command');
    this.context.cells.get(cellId)?.scrollIntoView();
  }

  /** A new cell takes the selected cell's language, else the notebook's. */
  private defaultKind(): CellKind {
    const { doc, selection } = this.context;
    const active = selection.activeCellId ? doc.cell(selection.activeCellId) : undefined;
    const k = active ? cellKind(active, doc.notebook) : undefined;
    return k && k !== 'markdown' && k !== 'raw' ? k : defaultLanguage(doc.notebook);
  }
}
