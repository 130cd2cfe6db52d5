/**
 * The cells of one notebook on the page, and what Jupyter's command mode does with them:
 * selection, edit/command mode, insert, delete (and undo), cut/copy/paste, move, change kind,
 * run and advance. Cells draw their outputs and highlighting when they come near the viewport;
 * at most a few Monaco editors exist at a time.
 */
import type { Cell, JsonObject } from '../../core/common/notebook/model.ts';
import { newCellId } from '../../core/common/notebook/outputs.ts';
import type { NotebookEdit } from '../../core/common/protocol.ts';
import { h } from '../outputs/dom.ts';
import type { Theme } from '../outputs/index.ts';
import { cellKind, defaultLanguage, editsForKind, withHidden, hiddenParts, type CellKind } from './cell-kind.ts';
import { CellView, type CellHost } from './cell-view.ts';
import type { Mode } from './commands.ts';
import { firstSlice } from './first-slice.ts';
import { whenHighlighterReady } from './editor/monaco-loader.ts';
import { icon } from './icons.ts';
import type { DocumentEvent, NotebookDocument } from './notebook-document.ts';

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

/** Editors kept alive; older ones go back to static text. */
const MAX_EDITORS = 8;
/** Cells made per slice after the first paint. */
const SLICE = 120;
const CLIPBOARD_KEY = 'probebook.cellClipboard';

interface ClipboardCell {
  cellType: Cell['cellType'];
  source: string;
  metadata: Cell['metadata'];
}

export class NotebookView implements CellHost {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly views = new Map<string, CellView>();
  private activeId: string | null = null;
  private currentMode: Mode = 'command';
  private currentTheme: Theme;
  private isLocked = false;
  private readonly deleted: { cell: ClipboardCell & { id: string }; index: number }[] = [];
  private readonly observer: IntersectionObserver;
  private readonly resizeObserver: ResizeObserver;
  private ticker: ReturnType<typeof setInterval> | null = null;
  /** Cells made so far; a long notebook paints its first screens, then makes the rest in slices (after the first paint). */
  private renderLimit: number;
  private sliceTimer: ReturnType<typeof setTimeout> | null = null;
  /** Outputs and markdown are drawn from the first frame after the cells painted (see startRevealing). */
  private revealing = false;
  private building = false;
  private readonly unobserved: Element[] = [];
  private readonly unsubscribe: () => void;

  constructor(
    readonly doc: NotebookDocument,
    private readonly actions: NotebookActions,
    options: { theme: Theme; locked: boolean },
  ) {
    this.currentTheme = options.theme;
    this.renderLimit = firstSlice(doc.cells, window.innerHeight);
    this.isLocked = options.locked || doc.readOnly;
    this.list = h('div', 'pb-cells');
    this.empty = h(
      'div',
      'pb-empty',
      h('p', 'pb-empty-title', 'This notebook has no cells yet.'),
      h('p', '', 'Add a code cell (shell, bpftrace or TypeScript) or a markdown cell to start. Press A or B to add one from the keyboard.'),
    );
    const footer = h('div', 'pb-add-bar', this.addButton('code'), this.addButton('markdown'));
    this.element = h('div', 'pb-notebook', this.empty, this.list, footer);
    this.element.tabIndex = 0;
    this.element.setAttribute('aria-label', `Notebook ${doc.title}`);
    // Captured: the click's path is known even if selecting the cell redraws its markdown meanwhile.
    this.element.addEventListener(
      'click',
      (e) => {
        const link = (e.target as Element | null)?.closest?.('a[href^="#"]');
        if (!link) return;
        e.preventDefault(); // the page's URL is not the notebook's: no hash navigation
        this.revealAnchor(link.getAttribute('href')!.slice(1));
      },
      { capture: true },
    );
    this.observer = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          if (!e.isIntersecting) continue;
          this.observer.unobserve(e.target);
          this.views.get((e.target as HTMLElement).dataset['cellId']!)?.reveal();
        }
      },
      { rootMargin: '800px 0px' },
    );
    this.resizeObserver = new ResizeObserver(() => {
      for (const v of this.views.values()) v.editor.layout();
    });
    this.resizeObserver.observe(this.list);
    this.makeInserter();
    this.syncStructure();
    this.unsubscribe = doc.on((e) => this.onDocument(e));
    whenHighlighterReady(() => {
      for (const v of this.views.values()) if (v.revealed) v.editor.highlight();
    });
    const first = doc.cells[0];
    if (first) this.activeId = first.id;
    this.refreshSelection();
    this.refreshTicker();
  }

  // -------------------------------------------------------------------------------------------
  // CellHost

  get theme(): Theme {
    return this.currentTheme;
  }

  get locked(): boolean {
    return this.isLocked;
  }

  get mode(): Mode {
    return this.currentMode;
  }

  get activeCellId(): string | null {
    return this.activeId;
  }

  get activeView(): CellView | null {
    return this.activeId ? (this.views.get(this.activeId) ?? null) : null;
  }

  view(cellId: string): CellView | undefined {
    return this.views.get(cellId);
  }

  /**
   * Follows an in-notebook link: an element of a markdown cell or output with that id (sanitised
   * ids carry `user-content-`), else a markdown heading whose text with `-` for spaces is the
   * anchor (Jupyter's rule, so `[see](#Loopback-lab)` works as in Jupyter). Returns whether found.
   */
  revealAnchor(anchor: string): boolean {
    let name: string;
    try {
      name = decodeURIComponent(anchor);
    } catch {
      name = anchor;
    }
    const target = document.getElementById(`user-content-${name}`);
    const cellElement = target && this.element.contains(target) ? target.closest<HTMLElement>('[data-cell-id]') : null;
    const cellId = cellElement?.dataset['cellId'] ?? findHeadingCell(this.doc.cells, name);
    if (!cellId) {
      this.actions.notify(`No heading or anchor "${name}" in this notebook.`);
      return false;
    }
    this.select(cellId, 'command');
    const element = target && this.element.contains(target) ? target : this.views.get(cellId)?.element;
    if (!element) return true;
    // Cells on the way draw as they come into view and change height: scroll again until it holds.
    let frames = 0;
    const settle = () => {
      element.scrollIntoView({ block: 'start' });
      if (++frames < 12 && Math.abs(element.getBoundingClientRect().top) > 1) requestAnimationFrame(settle);
      else if (frames < 12) requestAnimationFrame(() => Math.abs(element.getBoundingClientRect().top) > 1 && settle());
    };
    settle();
    return true;
  }

  select(cellId: string, mode: Mode): void {
    this.makeUpTo(cellId);
    if (!this.views.has(cellId)) return;
    const changed = cellId !== this.activeId;
    if (changed && this.currentMode === 'edit') this.activeView?.stopEditing();
    this.activeId = cellId;
    if (mode === 'edit') void this.enterEdit();
    else {
      this.currentMode = 'command';
      this.refreshSelection();
    }
  }

  run(cellId: string): void {
    const cell = this.doc.cell(cellId);
    if (!cell) return;
    if (cell.cellType !== 'code') {
      this.views.get(cellId)?.stopEditing();
      return;
    }
    this.actions.run([cellId]);
  }

  interrupt(cellId: string): void {
    this.views.get(cellId)?.markStopping();
    this.actions.interrupt(cellId);
  }

  setKind(cellId: string, kind: CellKind): void {
    const cell = this.doc.cell(cellId);
    if (!cell) return;
    if (this.doc.runState(cellId).status === 'running' && cell.cellType === 'code' && kind === 'markdown') {
      this.actions.notify('Stop the cell before turning it into markdown.', 'error');
      this.views.get(cellId)?.refreshKind();
      return;
    }
    this.edit(editsForKind(cell, this.doc.notebook, kind));
  }

  edit(edits: NotebookEdit[]): void {
    if (edits.length === 0) return;
    if (this.isLocked) {
      this.actions.notify(
        this.doc.readOnly
          ? `${this.doc.title} is read-only: ${this.doc.readOnlyReason ?? 'save it under another name to change it'}.`
          : 'Not connected to Probebook: changes are paused until it reconnects.',
        'error',
      );
      for (const v of this.views.values()) v.refreshAll();
      return;
    }
    try {
      this.doc.edit(edits);
    } catch (error) {
      this.actions.notify(`That change did not fit the notebook (${(error as Error).message}); it was not made.`, 'error');
    }
  }

  deleteCell(cellId: string): void {
    const cell = this.doc.cell(cellId);
    if (!cell) return;
    if (this.doc.runState(cellId).status === 'running') {
      this.actions.notify('Stop the cell before deleting it (I, I stops everything).', 'error');
      return;
    }
    const index = this.doc.indexOf(cellId);
    const next = this.doc.cells[index + 1] ?? this.doc.cells[index - 1];
    this.deleted.push({ cell: { id: cell.id, cellType: cell.cellType, source: cell.source, metadata: structuredClone(cell.metadata) }, index });
    if (this.deleted.length > 50) this.deleted.shift();
    if (this.activeId === cellId) this.activeId = next?.id ?? null;
    this.edit([{ kind: 'delete_cell', cellId }]);
  }

  moveCell(cellId: string, by: -1 | 1): void {
    const index = this.doc.indexOf(cellId);
    const to = index + by;
    if (index < 0 || to < 0 || to >= this.doc.cells.length) return;
    this.edit([{ kind: 'move_cell', cellId, toIndex: to }]);
    this.views.get(cellId)?.scrollIntoView();
  }

  sourceChanged(cellId: string, source: string): void {
    if (this.isLocked) return;
    this.doc.setSource(cellId, source);
  }

  editorFocused(cellId: string): void {
    if (this.activeId !== cellId || this.currentMode !== 'edit') {
      if (this.activeId && this.activeId !== cellId) this.activeView?.stopEditing();
      this.activeId = cellId;
      this.currentMode = 'edit';
      this.refreshSelection();
    }
    this.releaseOldEditors();
  }

  editorBlurred(cellId: string): void {
    // Focus moved elsewhere on the page (a button, the palette): the cell stays selected.
    queueMicrotask(() => {
      if (this.activeId === cellId && this.currentMode === 'edit' && !this.views.get(cellId)?.editor.hasFocus) {
        this.currentMode = 'command';
        this.refreshSelection();
      }
    });
  }

  leaveEditor(cellId: string, direction: 'up' | 'down'): void {
    const index = this.doc.indexOf(cellId) + (direction === 'up' ? -1 : 1);
    const target = this.doc.cells[index];
    if (!target) return;
    this.activeView?.stopEditing();
    this.activeId = target.id;
    void this.enterEdit(direction === 'up' ? 'end' : 'start');
  }

  // -------------------------------------------------------------------------------------------
  // Commands (the app registers them; keys, toolbar, palette and menus call these)

  /** Enter: edit the selected cell. */
  async enterEdit(at: 'start' | 'end' = 'end'): Promise<void> {
    const view = this.activeView;
    if (!view) return;
    this.currentMode = 'edit';
    this.refreshSelection();
    view.scrollIntoView();
    await view.edit(at);
  }

  /** Esc: back to command mode, keeping the selection. */
  enterCommand(): void {
    this.activeView?.stopEditing();
    this.currentMode = 'command';
    this.refreshSelection();
    this.element.focus({ preventScroll: true });
  }

  selectRelative(by: -1 | 1): void {
    const index = this.activeId ? this.doc.indexOf(this.activeId) : -1;
    const target = this.doc.cells[Math.max(0, Math.min(this.doc.cells.length - 1, index + by))];
    if (!target) return;
    this.select(target.id, 'command');
    this.views.get(target.id)?.scrollIntoView();
    this.element.focus({ preventScroll: true });
  }

  /** Inserts a cell above or below the selection (A, B). Returns its id. */
  insertCell(where: 'above' | 'below', kind?: CellKind, source = ''): string | null {
    const index = this.activeId ? this.doc.indexOf(this.activeId) + (where === 'below' ? 1 : 0) : this.doc.cells.length;
    const k = kind ?? this.defaultKind();
    const id = newCellId();
    const metadata: JsonObject = k === 'markdown' || k === 'raw' || k === defaultLanguage(this.doc.notebook) ? {} : { probebook: { language: k } };
    this.edit([
      {
        kind: 'insert_cell',
        index: Math.max(0, index),
        cell: { id, cellType: k === 'markdown' ? 'markdown' : k === 'raw' ? 'raw' : 'code', source, metadata },
      },
    ]);
    if (!this.doc.cell(id)) return null;
    this.select(id, 'command');
    this.views.get(id)?.scrollIntoView();
    return id;
  }

  deleteSelected(): void {
    if (this.activeId) this.deleteCell(this.activeId);
  }

  /** Z: brings back the last deleted cell where it was. */
  undoDelete(): void {
    const last = this.deleted.pop();
    if (!last) {
      this.actions.notify('No deleted cell to bring back.');
      return;
    }
    const id = this.doc.cell(last.cell.id) ? newCellId() : last.cell.id;
    this.edit([
      {
        kind: 'insert_cell',
        index: Math.min(last.index, this.doc.cells.length),
        cell: { id, cellType: last.cell.cellType, source: last.cell.source, metadata: last.cell.metadata },
      },
    ]);
    this.select(id, 'command');
    this.views.get(id)?.scrollIntoView();
  }

  copySelected(cut = false): void {
    const cell = this.activeId ? this.doc.cell(this.activeId) : undefined;
    if (!cell) return;
    const data: ClipboardCell[] = [{ cellType: cell.cellType, source: cell.source, metadata: structuredClone(cell.metadata) }];
    try {
      localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(data));
    } catch {
      // Storage full or disabled: keep the copy for this page only.
      memoryClipboard = data;
    }
    memoryClipboard = data;
    if (cut) this.deleteSelected();
    else this.actions.notify('Cell copied: press V to paste it below.');
  }

  paste(where: 'above' | 'below' = 'below'): void {
    let data: ClipboardCell[] | null = memoryClipboard;
    try {
      const stored = localStorage.getItem(CLIPBOARD_KEY);
      if (stored) data = JSON.parse(stored) as ClipboardCell[];
    } catch {
      // A malformed entry: use this page's copy.
    }
    if (!data?.length) {
      this.actions.notify('Nothing to paste: copy a cell with C first.');
      return;
    }
    let index = this.activeId ? this.doc.indexOf(this.activeId) + (where === 'below' ? 1 : 0) : this.doc.cells.length;
    const edits: NotebookEdit[] = [];
    const ids: string[] = [];
    for (const c of data) {
      const id = newCellId();
      ids.push(id);
      edits.push({ kind: 'insert_cell', index: index++, cell: { id, cellType: c.cellType, source: String(c.source ?? ''), metadata: c.metadata ?? {} } });
    }
    this.edit(edits);
    const last = ids.at(-1)!;
    if (this.doc.cell(last)) {
      this.select(last, 'command');
      this.views.get(last)?.scrollIntoView();
    }
  }

  setSelectedKind(kind: CellKind): void {
    if (this.activeId) this.setKind(this.activeId, kind);
  }

  toggleSelected(part: 'source' | 'outputs'): void {
    const cell = this.activeId ? this.doc.cell(this.activeId) : undefined;
    if (!cell) return;
    this.edit([{ kind: 'set_cell_metadata', cellId: cell.id, metadata: withHidden(cell, part, !hiddenParts(cell)[part]) }]);
  }

  clearOutput(cellId = this.activeId): void {
    if (cellId && this.doc.cell(cellId)?.cellType === 'code') this.edit([{ kind: 'clear_outputs', cellId }]);
  }

  clearAllOutputs(): void {
    this.edit(
      this.doc.cells
        .filter((c) => c.cellType === 'code' && (c.outputs.length || c.executionCount !== null))
        .map((c) => ({ kind: 'clear_outputs' as const, cellId: c.id })),
    );
  }

  /** Ctrl+Enter: run the selection and stay on it. */
  runSelected(): void {
    const view = this.activeView;
    if (!view) return;
    if (view.cell.cellType !== 'code') {
      this.enterCommand();
      return;
    }
    this.run(view.cellId);
    this.enterCommand();
  }

  /** Shift+Enter: run, then select the next cell (a new one after the last). */
  runAndAdvance(): void {
    const view = this.activeView;
    if (!view) return;
    this.run(view.cellId);
    const index = this.doc.indexOf(view.cellId);
    const next = this.doc.cells[index + 1];
    if (next) {
      this.enterCommand();
      this.select(next.id, 'command');
      this.views.get(next.id)?.scrollIntoView();
    } else {
      this.enterCommand();
      this.insertCell('below', view.cellKind === 'markdown' ? undefined : view.cellKind);
      void this.enterEdit();
    }
  }

  /** Alt+Enter: run, then insert a cell below and edit it. */
  runAndInsertBelow(): void {
    const view = this.activeView;
    if (!view) return;
    this.run(view.cellId);
    this.enterCommand();
    this.insertCell('below', view.cellKind === 'markdown' ? undefined : view.cellKind);
    void this.enterEdit();
  }

  interruptSelected(): void {
    if (this.activeId) this.interrupt(this.activeId);
  }

  /** Ctrl+F in an output, or the output find of the selected cell. */
  findInOutput(): boolean {
    const view = this.activeView;
    const button = view?.element.querySelector<HTMLButtonElement>('.pb-output [data-action="find"], .pb-output button[title^="Find"]');
    if (!button) return false;
    button.click();
    return true;
  }

  /**
   * Starts drawing outputs and markdown of cells near the viewport. The page calls it once the
   * cells have painted, so the first paint does not wait for renderers.
   */
  startRevealing(): void {
    if (this.revealing) return;
    this.revealing = true;
    // Scrolling before the editor has loaded (when the rest is made anyway) makes the rest now.
    if (this.doc.cells.length > this.renderLimit) window.addEventListener('scroll', () => this.buildRest(), { once: true, passive: true });
    for (const el of this.unobserved.splice(0)) if (el.isConnected) this.observer.observe(el);
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
    if (this.building) return;
    this.building = true;
    this.syncStructure();
  }

  setTheme(theme: Theme): void {
    this.currentTheme = theme;
    for (const v of this.views.values()) v.setTheme(theme);
  }

  setLocked(locked: boolean): void {
    this.isLocked = locked || this.doc.readOnly;
    for (const v of this.views.values()) v.setLocked(this.isLocked);
  }

  dispose(): void {
    this.unsubscribe();
    this.observer.disconnect();
    this.resizeObserver.disconnect();
    if (this.ticker) clearInterval(this.ticker);
    if (this.sliceTimer) clearTimeout(this.sliceTimer);
    for (const v of this.views.values()) v.dispose();
    this.views.clear();
    this.element.remove();
  }

  // -------------------------------------------------------------------------------------------

  private onDocument(e: DocumentEvent): void {
    switch (e.kind) {
      case 'structure':
        this.syncStructure();
        break;
      case 'source':
        this.views.get(e.cellId)?.refreshSource();
        break;
      case 'cell-type':
        this.views.get(e.cellId)?.refreshKind();
        this.views.get(e.cellId)?.refreshOutputs();
        break;
      case 'metadata':
        this.views.get(e.cellId)?.refreshMetadata();
        break;
      case 'notebook-metadata':
        for (const v of this.views.values()) v.refreshKind();
        break;
      case 'outputs':
        this.views.get(e.cellId)?.refreshOutputs(e.edit);
        break;
      case 'run-state':
        this.views.get(e.cellId)?.refreshRunState();
        this.refreshTicker();
        this.actions.selectionChanged();
        break;
      case 'pending-cleanup':
        for (const v of this.views.values()) v.refreshMetadata();
        break;
      case 'doc-state':
        for (const v of this.views.values()) v.setTrusted(this.doc.trusted);
        if (this.doc.readOnly !== this.isLocked && this.doc.readOnly) this.setLocked(true);
        break;
    }
  }

  /** A long notebook makes its cells in slices after the first paint: makes a cell (and those above it) now. */
  private makeUpTo(cellId: string): void {
    if (this.views.has(cellId)) return;
    const index = this.doc.indexOf(cellId);
    if (index < this.renderLimit) return;
    this.renderLimit = index + 1;
    this.syncStructure();
  }

  /** Creates, removes and orders cell views to match the document. */
  private syncStructure(): void {
    const ids = new Set(this.doc.cells.map((c) => c.id));
    for (const [id, view] of this.views) {
      if (ids.has(id)) continue;
      this.observer.unobserve(view.element);
      view.dispose();
      this.views.delete(id);
    }
    let ref = this.list.firstElementChild;
    const cells = this.doc.cells.slice(0, this.renderLimit);
    for (const cell of cells) {
      let view = this.views.get(cell.id);
      if (!view) {
        view = new CellView(cell.id, this);
        if (this.isLocked) view.setLocked(true);
        this.views.set(cell.id, view);
        if (this.revealing) this.observer.observe(view.element);
        else this.unobserved.push(view.element);
      }
      if (view.element !== ref) this.list.insertBefore(view.element, ref);
      else ref = ref.nextElementSibling;
    }
    // Views past the limit that exist (made before a change shifted them): kept, after the others.
    if (this.building && this.doc.cells.length > this.renderLimit && !this.sliceTimer) {
      this.sliceTimer = setTimeout(() => {
        this.sliceTimer = null;
        this.renderLimit += SLICE;
        this.syncStructure();
      }, 0);
    }
    this.empty.hidden = this.doc.cells.length > 0;
    if (this.activeId && !this.views.has(this.activeId)) this.activeId = this.doc.cells[0]?.id ?? null;
    if (!this.activeId && this.doc.cells[0]) this.activeId = this.doc.cells[0].id;
    this.refreshSelection();
  }

  private refreshSelection(): void {
    for (const [id, v] of this.views) v.setSelected(id === this.activeId, this.currentMode);
    this.element.dataset['mode'] = this.currentMode;
    this.actions.selectionChanged();
  }

  private releaseOldEditors(): void {
    const withEditors = [...this.views.values()].filter((v) => v.editor.hasEditor && !v.editor.hasFocus);
    if (withEditors.length < MAX_EDITORS) return;
    withEditors.sort((a, b) => a.editor.lastUsed - b.editor.lastUsed);
    for (const v of withEditors.slice(0, withEditors.length - MAX_EDITORS + 1)) v.editor.release();
  }

  private refreshTicker(): void {
    const running = [...this.views.values()].filter((v) => v.isBusy);
    if (running.length === 0) {
      if (this.ticker) clearInterval(this.ticker);
      this.ticker = null;
      return;
    }
    this.ticker ??= setInterval(() => {
      const now = Date.now();
      for (const v of this.views.values()) if (v.isBusy) v.tick(now);
    }, 100);
  }

  private defaultKind(): CellKind {
    const active = this.activeId ? this.doc.cell(this.activeId) : undefined;
    const k = active ? cellKind(active, this.doc.notebook) : undefined;
    return k && k !== 'markdown' && k !== 'raw' ? k : defaultLanguage(this.doc.notebook);
  }

  private addButton(kind: 'code' | 'markdown'): HTMLButtonElement {
    const b = h('button', 'pb-add', icon('plus'), kind === 'code' ? 'Code' : 'Markdown');
    b.type = 'button';
    b.title = kind === 'code' ? 'Add a code cell at the end (B adds below the selection)' : 'Add a markdown cell at the end';
    b.addEventListener('click', () => {
      const last = this.doc.cells.at(-1);
      if (last) this.activeId = last.id;
      const id = this.insertCell('below', kind === 'markdown' ? 'markdown' : undefined);
      if (id) void this.enterEdit();
    });
    return b;
  }

  /** The "+ Code / + Markdown" bar between cells: one element, moved to the cell under the pointer. */
  private makeInserter(): HTMLElement {
    const make = (kind: 'code' | 'markdown') => {
      const b = h('button', 'pb-add', icon('plus'), kind === 'code' ? 'Code' : 'Markdown');
      b.type = 'button';
      b.tabIndex = -1;
      b.title = `Add a ${kind} cell here`;
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        const cellId = (bar.parentElement as HTMLElement | null)?.dataset['cellId'];
        if (!cellId || !this.doc.cell(cellId)) return;
        this.activeId = cellId;
        const id = this.insertCell('below', kind === 'markdown' ? 'markdown' : undefined);
        if (id) void this.enterEdit();
      });
      return b;
    };
    const bar = h('div', 'pb-inserter', make('code'), make('markdown'));
    this.list.addEventListener('pointerover', (e) => {
      const cellEl = (e.target as HTMLElement).closest<HTMLElement>('.pb-cell');
      if (cellEl && bar.parentElement !== cellEl) cellEl.append(bar);
    });
    return bar;
  }
}

let memoryClipboard: ClipboardCell[] | null = null;

/** The markdown cell with a heading whose anchor (text, spaces as `-`, as Jupyter makes it) is `anchor`. */
export function findHeadingCell(cells: readonly { id: string; cellType: string; source: string }[], anchor: string): string | undefined {
  const want = anchor.trim();
  for (const cell of cells) {
    if (cell.cellType !== 'markdown') continue;
    for (const line of cell.source.split('\n')) {
      const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
      if (!heading) continue;
      const text = heading[1]!
        .replace(/[*_`]/g, '')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .trim();
      if (text.replace(/ /g, '-') === want || text === want) return cell.id;
    }
  }
  return undefined;
}
