/**
 * The cells of one notebook on the page, composed from its parts: the cell list (made in slices,
 * drawn near the viewport), the selection and Jupyter's modes, the edits command mode makes, the
 * live run durations and in-notebook links. Cells talk to it as their `CellHost`; it follows the
 * document and runs what the page's run commands ask.
 */
import type { NotebookEdit } from '../../core/common/protocol.ts';
import { h } from '../outputs/dom.ts';
import type { Theme } from '../outputs/index.ts';
import type { CellKind } from './cell-kind.ts';
import { CellEdits } from './cell-edits.ts';
import { attachInserter, makeAddBar } from './cell-inserter.ts';
import { CellList } from './cell-list.ts';
import { CellSelection } from './cell-selection.ts';
import type { CellHost, CellView } from './cell-view.ts';
import type { Mode } from './commands.ts';
import { followAnchorLinks } from './notebook-anchors.ts';
import type { DocumentEvent, NotebookDocument } from './notebook-document.ts';
import { RunTicker } from './run-ticker.ts';

/** What the notebook asks of the page around it. */
export interface NotebookActions {
  /** Runs cells (the page asks about trust first when it must). */
  run(cellIds: string[]): void;
  interrupt(cellId?: string): void;
  /** Shows a message to the user. */
  notify(message: string, kind?: 'error' | 'info'): void;
  /** The mode or the selected cell changed (for the status bar). */
  selectionChanged(): void;
}

export class NotebookView implements CellHost {
  readonly element: HTMLElement;
  readonly cells: CellList;
  readonly selection: CellSelection;
  readonly edits: CellEdits;
  private readonly empty: HTMLElement;
  private readonly ticker: RunTicker;
  private currentTheme: Theme;
  private isLocked = false;
  private readonly unsubscribe: () => void;

  constructor(
    readonly doc: NotebookDocument,
    private readonly actions: NotebookActions,
    options: { theme: Theme; locked: boolean },
  ) {
    this.currentTheme = options.theme;
    this.isLocked = options.locked || doc.readOnly;
    this.cells = new CellList(this, () => this.cellsSynced());
    this.empty = h(
      'div',
      'pb-empty',
      h('p', 'pb-empty-title', 'This notebook has no cells yet.'),
      h('p', '', 'Add a code cell (shell, bpftrace or TypeScript) or a markdown cell to start. Press A or B to add one from the keyboard.'),
    );
    const footer = makeAddBar((kind) => this.addBelowAndEdit(doc.cells.at(-1)?.id ?? null, kind));
    this.element = h('div', 'pb-notebook', this.empty, this.cells.element, footer);
    this.element.tabIndex = 0;
    this.element.setAttribute('aria-label', `Notebook ${doc.title}`);
    this.selection = new CellSelection(doc, this.cells, this.element, () => actions.selectionChanged());
    this.edits = new CellEdits(this);
    this.ticker = new RunTicker(() => this.cells.all());
    followAnchorLinks({
      element: this.element,
      doc,
      select: (cellId, mode) => this.select(cellId, mode),
      cellElement: (cellId) => this.cells.get(cellId)?.element,
      notify: (message) => actions.notify(message),
    });
    attachInserter(this.cells.element, (cellId, kind) => {
      if (doc.cell(cellId)) this.addBelowAndEdit(cellId, kind);
    });
    this.cells.sync();
    this.unsubscribe = doc.on((e) => this.onDocument(e));
    const first = doc.cells[0];
    if (first) this.selection.setActive(first.id);
    this.selection.refresh();
    this.ticker.refresh();
  }

  get theme(): Theme {
    return this.currentTheme;
  }

  get locked(): boolean {
    return this.isLocked;
  }

  get mode(): Mode {
    return this.selection.mode;
  }

  get activeCellId(): string | null {
    return this.selection.activeCellId;
  }

  get activeView(): CellView | null {
    return this.selection.activeView;
  }

  view(cellId: string): CellView | undefined {
    return this.cells.get(cellId);
  }

  // -------------------------------------------------------------------------------------------
  // CellHost: what a cell asks of its notebook

  select(cellId: string, mode: Mode): void {
    this.selection.select(cellId, mode);
  }

  run(cellId: string): void {
    const cell = this.doc.cell(cellId);
    if (!cell) return;
    if (cell.cellType !== 'code') {
      this.cells.get(cellId)?.stopEditing();
      return;
    }
    this.actions.run([cellId]);
  }

  interrupt(cellId: string): void {
    this.cells.get(cellId)?.markStopping();
    this.actions.interrupt(cellId);
  }

  setKind(cellId: string, kind: CellKind): void {
    this.edits.setKind(cellId, kind);
  }

  edit(edits: NotebookEdit[]): void {
    this.edits.edit(edits);
  }

  deleteCell(cellId: string): void {
    this.edits.deleteCell(cellId);
  }

  moveCell(cellId: string, by: -1 | 1): void {
    this.edits.moveCell(cellId, by);
  }

  sourceChanged(cellId: string, source: string): void {
    if (this.isLocked) return;
    this.doc.setSource(cellId, source);
  }

  editorFocused(cellId: string): void {
    this.selection.editorFocused(cellId);
  }

  editorBlurred(cellId: string): void {
    this.selection.editorBlurred(cellId);
  }

  leaveEditor(cellId: string, direction: 'up' | 'down'): void {
    this.selection.leaveEditor(cellId, direction);
  }

  notify(message: string, kind?: 'error' | 'info'): void {
    this.actions.notify(message, kind);
  }

  // -------------------------------------------------------------------------------------------
  // Run commands (the app registers them; keys, toolbar, palette and menus call these)

  /** Ctrl+Enter: run the selection and stay on it. */
  runSelected(): void {
    const view = this.activeView;
    if (!view) return;
    if (view.cell.cellType !== 'code') {
      this.selection.enterCommand();
      return;
    }
    this.run(view.cellId);
    this.selection.enterCommand();
  }

  /** Shift+Enter: run, then select the next cell (a new one after the last). */
  runAndAdvance(): void {
    const view = this.activeView;
    if (!view) return;
    this.run(view.cellId);
    const index = this.doc.indexOf(view.cellId);
    const next = this.doc.cells[index + 1];
    if (next) {
      this.selection.enterCommand();
      this.select(next.id, 'command');
      this.cells.get(next.id)?.scrollIntoView();
    } else {
      this.selection.enterCommand();
      this.edits.insertCell('below', view.cellKind === 'markdown' ? undefined : view.cellKind);
      void this.selection.enterEdit();
    }
  }

  /** Alt+Enter: run, then insert a cell below and edit it. */
  runAndInsertBelow(): void {
    const view = this.activeView;
    if (!view) return;
    this.run(view.cellId);
    this.selection.enterCommand();
    this.edits.insertCell('below', view.cellKind === 'markdown' ? undefined : view.cellKind);
    void this.selection.enterEdit();
  }

  interruptSelected(): void {
    const id = this.activeCellId;
    if (id) this.interrupt(id);
  }

  /** Ctrl+F in an output, or the output find of the selected cell. */
  findInOutput(): boolean {
    const view = this.activeView;
    const button = view?.element.querySelector<HTMLButtonElement>('.pb-output [data-action="find"], .pb-output button[title^="Find"]');
    if (!button) return false;
    button.click();
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // The page around it

  /**
   * Starts drawing outputs and markdown of cells near the viewport. The page calls it once the
   * cells have painted, so the first paint does not wait for renderers.
   */
  startRevealing(): void {
    this.cells.startRevealing();
  }

  /** Makes the selected cell's editor ahead of use (Monaco's first editor is the slow one). */
  async prepareEditor(): Promise<void> {
    const view = this.activeView;
    if (!view || view.cellKind === 'markdown') return;
    await view.editor.prepare();
    view.editor.lastUsed = Date.now();
  }

  /** Makes the cells past the first slice, a slice per task (the page calls it once the editor has loaded). */
  buildRest(): void {
    this.cells.buildRest();
  }

  setTheme(theme: Theme): void {
    this.currentTheme = theme;
    for (const v of this.cells.all()) v.setTheme(theme);
  }

  setLocked(locked: boolean): void {
    this.isLocked = locked || this.doc.readOnly;
    for (const v of this.cells.all()) v.setLocked(this.isLocked);
  }

  dispose(): void {
    this.unsubscribe();
    this.ticker.dispose();
    this.cells.dispose();
    this.element.remove();
  }

  // -------------------------------------------------------------------------------------------

  /** Adds a cell below `cellId` (none: at the start) and edits it: the mouse's way to add one. */
  private addBelowAndEdit(cellId: string | null, kind: 'code' | 'markdown'): void {
    if (cellId) this.selection.setActive(cellId);
    const id = this.edits.insertCell('below', kind === 'markdown' ? 'markdown' : undefined);
    if (id) void this.selection.enterEdit();
  }

  private cellsSynced(): void {
    this.empty.hidden = this.doc.cells.length > 0;
    this.selection.cellsChanged();
  }

  private onDocument(e: DocumentEvent): void {
    const views = this.cells;
    switch (e.kind) {
      case 'structure':
        views.sync();
        break;
      case 'source':
        views.get(e.cellId)?.refreshSource();
        break;
      case 'cell-type':
        views.get(e.cellId)?.refreshKind();
        views.get(e.cellId)?.refreshOutputs();
        break;
      case 'metadata':
        views.get(e.cellId)?.refreshMetadata();
        break;
      case 'notebook-metadata':
        for (const v of views.all()) v.refreshKind();
        break;
      case 'outputs':
        views.get(e.cellId)?.refreshOutputs(e.edit);
        break;
      case 'run-state':
        views.get(e.cellId)?.refreshRunState();
        this.ticker.refresh();
        this.actions.selectionChanged();
        break;
      case 'pending-cleanup':
        for (const v of views.all()) v.refreshMetadata();
        break;
      case 'doc-state':
        for (const v of views.all()) v.setTrusted(this.doc.trusted);
        if (this.doc.readOnly !== this.isLocked && this.doc.readOnly) this.setLocked(true);
        break;
    }
  }
}
