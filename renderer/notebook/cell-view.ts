/**
 * One cell on the page: gutter (run/stop, execution count), header (kind picker, name, status
 * with live duration, actions), code (static text or a Monaco editor) or rendered markdown, and
 * outputs. Outputs and highlighting are drawn when the cell first comes near the viewport, so
 * a long notebook paints at once.
 */
import type { Cell } from '../../core/common/notebook/model.ts';
import type { NotebookEdit, OutputEdit } from '../../core/common/protocol.ts';
import { h } from '../outputs/dom.ts';
import type { RevealLineDetail, Theme } from '../outputs/index.ts';
import { cellKind, cellOptionsOf, editorLanguageOf, hiddenParts, KIND_LABELS, PICKABLE_KINDS, withHidden, type CellKind } from './cell-kind.ts';
import { openCellOptions } from './cell-options-popover.ts';
import { CellOutputs, errorMarkers } from './cell-outputs.ts';
import { CellRunStatus } from './cell-run-status.ts';
import type { Mode } from './commands.ts';
import { CellEditor } from './editor/cell-editor.ts';
import { icon, iconButton } from './icons.ts';
import type { NotebookDocument } from './notebook-document.ts';
import { loadRenderers, renderersIfLoaded, type Renderers } from './renderers.ts';

/** What a cell asks of its notebook. */
export interface CellHost {
  readonly doc: NotebookDocument;
  readonly theme: Theme;
  /** Edits are refused (read-only notebook or no connection). */
  readonly locked: boolean;
  select(cellId: string, mode: Mode): void;
  run(cellId: string): void;
  interrupt(cellId: string): void;
  setKind(cellId: string, kind: CellKind): void;
  edit(edits: NotebookEdit[]): void;
  deleteCell(cellId: string): void;
  moveCell(cellId: string, by: -1 | 1): void;
  sourceChanged(cellId: string, source: string): void;
  editorFocused(cellId: string): void;
  editorBlurred(cellId: string): void;
  leaveEditor(cellId: string, direction: 'up' | 'down'): void;
}

export class CellView {
  readonly element: HTMLElement;
  readonly editor: CellEditor;
  private kind: CellKind;
  private readonly kindSelect: HTMLSelectElement;
  private readonly nameChip: HTMLElement;
  private readonly pendingChip: HTMLElement;
  private readonly runStatus: CellRunStatus;
  private readonly inputBox: HTMLElement;
  private readonly markdownBox: HTMLElement;
  private readonly hiddenInput: HTMLButtonElement;
  private readonly outputs: CellOutputs;
  private readonly actions: HTMLElement;
  private collapseInputButton: HTMLButtonElement | null = null;
  private disposed = false;
  private seen = false;
  private editingMarkdown = false;

  constructor(
    readonly cellId: string,
    private readonly host: CellHost,
  ) {
    const cell = this.cell;
    this.kind = cellKind(cell, host.doc.notebook);

    this.runStatus = new CellRunStatus(
      () => host.run(cellId),
      () => host.interrupt(cellId),
    );
    const gutter = h('div', 'pb-cell-gutter', this.runStatus.button, this.runStatus.count);

    this.kindSelect = h('select', 'pb-kind');
    this.kindSelect.title = 'Cell language';
    this.kindSelect.setAttribute('aria-label', 'Cell language');
    for (const k of PICKABLE_KINDS) this.kindSelect.append(new Option(KIND_LABELS[k], k));
    this.kindSelect.addEventListener('change', () => host.setKind(cellId, this.kindSelect.value as CellKind));
    this.kindSelect.addEventListener('keydown', (e) => e.stopPropagation());
    this.nameChip = h('span', 'pb-name');
    this.pendingChip = h('span', 'pb-pending-cleanup', icon('alert'), 'never ran after a crash');
    this.pendingChip.title =
      'A run of this notebook stopped (Probebook crashed or was killed) before this cleanup cell ran. The banner above offers to run it.';
    this.pendingChip.hidden = true;
    this.actions = h('div', 'pb-cell-actions');
    const header = h('div', 'pb-cell-head', this.kindSelect, this.nameChip, this.pendingChip, this.runStatus.status, h('span', 'pb-spacer'), this.actions);
    // The action buttons are made when first needed: most cells of a long notebook are never hovered.
    header.addEventListener('focusin', () => this.ensureActions());

    this.editor = new CellEditor(
      cell.source,
      editorLanguageOf(this.kind),
      {
        changed: (source) => host.sourceChanged(cellId, source),
        focused: () => host.editorFocused(cellId),
        blurred: () => host.editorBlurred(cellId),
        leave: (direction) => host.leaveEditor(cellId, direction),
      },
      () => `Cell ${host.doc.indexOf(cellId) + 1}, ${KIND_LABELS[this.kind]}`,
    );
    this.hiddenInput = h('button', 'pb-hidden-note');
    this.hiddenInput.type = 'button';
    this.hiddenInput.addEventListener('click', () => this.toggleHidden('source'));
    this.markdownBox = h('div', 'pb-md');
    this.markdownBox.addEventListener('dblclick', () => {
      host.select(cellId, 'edit');
    });
    this.inputBox = h('div', 'pb-cell-input', this.editor.element, this.markdownBox, this.hiddenInput);
    this.editor.element.addEventListener('mousedown', (e) => {
      if (this.editor.hasEditor || e.button !== 0) return;
      // A click in static text opens the editor with the cursor where it was clicked. The
      // static text is gone by the time the event reaches the cell, so it stops here.
      e.preventDefault();
      e.stopPropagation();
      host.select(cellId, 'command');
      void this.editor.activate({ x: e.clientX, y: e.clientY });
    });

    this.outputs = new CellOutputs(() => this.toggleHidden('outputs'));
    this.element = h('section', 'pb-cell', gutter, h('div', 'pb-cell-main', header, this.inputBox, this.outputs.element));
    this.element.dataset['cellId'] = cellId;
    this.element.addEventListener('pointerenter', () => this.ensureActions());
    this.element.addEventListener('mousedown', (e) => {
      // Clicks on controls select the cell too, without leaving what they do.
      if (!(e.target as HTMLElement).closest('.pb-code, .pb-popover')) host.select(cellId, this.editor.hasFocus ? 'edit' : 'command');
    });
    this.refreshAll();
  }

  get cell(): Cell {
    const c = this.host.doc.cell(this.cellId);
    if (!c) throw new Error(`cell ${this.cellId} is not in the notebook`);
    return c;
  }

  get cellKind(): CellKind {
    return this.kind;
  }

  /**
   * A running cell the user has asked to stop: it may take a while (a trap, bpftrace detaching
   * its probes), so the cell says so, and stopping it again kills it at once.
   */
  markStopping(): void {
    if (this.runStatus.markStopping()) this.refreshRunState();
  }

  get isBusy(): boolean {
    return this.runStatus.isBusy;
  }

  get isMarkdownEditing(): boolean {
    return this.editingMarkdown;
  }

  /** Redraws everything from the document. */
  refreshAll(): void {
    this.refreshKind();
    this.refreshMetadata();
    this.refreshRunState();
    this.refreshOutputs();
  }

  /** The cell came near the viewport: draw what waited for it. */
  reveal(): void {
    this.editor.highlight();
    if (this.seen) return;
    const r = renderersIfLoaded();
    if (!r) {
      loadRenderers().then(
        () => !this.disposed && this.reveal(),
        (error: unknown) => console.error('Probebook: the output renderers did not load', error),
      );
      return;
    }
    this.seen = true;
    // An error output's "line N" link moves the editor to that line.
    this.outputs.element.addEventListener(r.outputs.REVEAL_LINE_EVENT, (e) => {
      const detail = (e as CustomEvent<RevealLineDetail>).detail;
      this.host.select(this.cellId, 'edit');
      void this.editor.revealLine(detail.line, detail.column);
    });
    this.refreshMarkdown();
    this.refreshOutputs();
  }

  /** Whether the cell has come near the viewport (its outputs and markdown are drawn). */
  get revealed(): boolean {
    return this.seen;
  }

  refreshSource(): void {
    this.editor.setSource(this.cell.source);
    if (this.kind === 'markdown' && !this.editingMarkdown && this.seen)
      this.renderers.markdown.renderMarkdown(this.markdownBox, this.cell.source, this.host.doc.trusted);
  }

  refreshKind(): void {
    const cell = this.cell;
    this.kind = cellKind(cell, this.host.doc.notebook);
    this.kindSelect.value = this.kind === 'raw' ? 'markdown' : this.kind;
    this.element.dataset['kind'] = this.kind;
    this.element.classList.toggle('pb-code-cell', cell.cellType === 'code');
    this.editor.setLanguage(editorLanguageOf(this.kind));
    this.editor.setSource(cell.source);
    this.refreshMarkdown();
    this.runStatus.button.hidden = cell.cellType !== 'code';
  }

  refreshMetadata(): void {
    const cell = this.cell;
    const options = cellOptionsOf(cell, this.host.doc.notebook);
    const badges = [
      options.name,
      options.background ? 'background' : '',
      options.timeout ? `timeout ${options.timeout}` : '',
      options.user ? 'as user' : '',
      options.cleanup ? 'cleanup' : '',
    ].filter(Boolean);
    this.nameChip.textContent = badges.join(' · ');
    this.nameChip.hidden = badges.length === 0;
    // A cleanup cell that a crashed run never ran: the banner offers to run it.
    const pending = this.host.doc.isPendingCleanup(this.cellId);
    this.element.classList.toggle('pb-cleanup-pending', pending);
    if (pending) this.element.dataset['pendingCleanup'] = 'true';
    else delete this.element.dataset['pendingCleanup'];
    this.pendingChip.hidden = !pending;
    if (cell.cellType === 'code' && this.kind !== this.kindOf()) this.refreshKind();
    const hidden = hiddenParts(cell);
    this.element.classList.toggle('pb-input-hidden', hidden.source);
    this.element.classList.toggle('pb-outputs-hidden', hidden.outputs);
    this.hiddenInput.textContent = `${cell.source.split('\n').length} lines of code hidden: show`;
    if (this.collapseInputButton) {
      this.collapseInputButton.title = hidden.source ? 'Show the code' : 'Hide the code';
      this.collapseInputButton.replaceChildren(icon(hidden.source ? 'chevronRight' : 'chevronDown'));
    }
    this.outputs.showHidden(cell, hidden.outputs);
  }

  refreshRunState(): void {
    const state = this.host.doc.runState(this.cellId);
    this.runStatus.show(state, this.cell);
    this.element.dataset['status'] = state.status;
    if (this.runStatus.isStopping) this.element.dataset['stopping'] = 'true';
    else delete this.element.dataset['stopping'];
  }

  /** Updates the live duration of a running cell. */
  tick(now: number): void {
    this.runStatus.tick(now);
  }

  /** Outputs changed: one edit, or (none) replaced wholesale. */
  refreshOutputs(edit?: OutputEdit): void {
    const cell = this.cell;
    this.element.classList.toggle('pb-has-outputs', cell.outputs.length > 0);
    this.outputs.countHidden(cell);
    if (edit?.kind !== 'append') this.editor.setMarkers(errorMarkers(cell));
    if (!this.seen) return;
    this.outputs.render(cell, this.renderers, { trusted: this.host.doc.trusted, theme: this.host.theme }, edit);
  }

  setTheme(theme: Theme): void {
    this.outputs.setTheme(theme);
  }

  setTrusted(trusted: boolean): void {
    this.outputs.setTrusted(trusted);
    if (this.kind === 'markdown' && !this.editingMarkdown && this.seen) this.renderers.markdown.renderMarkdown(this.markdownBox, this.cell.source, trusted);
  }

  setLocked(locked: boolean): void {
    this.editor.setReadOnly(locked);
    this.kindSelect.disabled = locked;
  }

  setSelected(selected: boolean, mode: Mode): void {
    if (selected) this.ensureActions();
    this.element.classList.toggle('pb-selected', selected);
    this.element.classList.toggle('pb-editing', selected && mode === 'edit');
  }

  /** Edit mode on this cell: opens the editor (markdown shows its source). */
  async edit(at: number | 'start' | 'end' = 'end'): Promise<void> {
    if (this.kind === 'markdown' && !this.editingMarkdown) {
      this.editingMarkdown = true;
      this.refreshMarkdown();
    }
    if (hiddenParts(this.cell).source) this.host.edit([{ kind: 'set_cell_metadata', cellId: this.cellId, metadata: withHidden(this.cell, 'source', false) }]);
    await this.editor.activate(at);
  }

  /** Leaves edit mode: the editor loses focus, markdown renders again. */
  stopEditing(): void {
    this.editor.blur();
    if (this.editingMarkdown) {
      this.editingMarkdown = false;
      this.refreshMarkdown();
    }
  }

  /** Brings the cell into view (keyboard navigation). */
  scrollIntoView(): void {
    this.element.scrollIntoView({ block: 'nearest' });
  }

  dispose(): void {
    this.disposed = true;
    this.outputs.dispose();
    this.editor.dispose();
    this.element.remove();
  }

  /** Loaded once the cell is revealed (`seen`). */
  private get renderers(): Renderers {
    const r = renderersIfLoaded();
    if (!r) throw new Error('the output renderers have not loaded yet');
    return r;
  }

  private kindOf(): CellKind {
    return cellKind(this.cell, this.host.doc.notebook);
  }

  private refreshMarkdown(): void {
    const rendered = this.kind === 'markdown' && !this.editingMarkdown;
    this.element.classList.toggle('pb-md-rendered', rendered);
    // Until the cell is near the viewport its source stands in (same text, no parsing).
    if (rendered && !this.seen) this.markdownBox.replaceChildren(h('pre', 'pb-md-pending', this.cell.source));
    else if (rendered) this.renderers.markdown.renderMarkdown(this.markdownBox, this.cell.source, this.host.doc.trusted);
    else this.markdownBox.replaceChildren();
  }

  private ensureActions(): void {
    if (this.collapseInputButton) return;
    const cellId = this.cellId;
    this.collapseInputButton = iconButton('chevronDown', 'Hide the code', () => this.toggleHidden('source'));
    this.actions.append(
      iconButton('options', 'Cell options: name, background, timeout', (ev) => this.openOptions(ev.currentTarget as HTMLElement), {
        className: 'pb-options-button',
      }),
      iconButton('arrowUp', 'Move cell up', () => this.host.moveCell(cellId, -1)),
      iconButton('arrowDown', 'Move cell down', () => this.host.moveCell(cellId, 1)),
      iconButton('clearOutput', 'Clear output', () => this.host.edit([{ kind: 'clear_outputs', cellId }]), { className: 'pb-clear-output' }),
      this.collapseInputButton,
      iconButton('trash', 'Delete cell (D, D)', () => this.host.deleteCell(cellId)),
    );
    this.refreshMetadata();
  }

  private toggleHidden(part: 'source' | 'outputs'): void {
    const hidden = hiddenParts(this.cell)[part];
    this.host.edit([{ kind: 'set_cell_metadata', cellId: this.cellId, metadata: withHidden(this.cell, part, !hidden) }]);
  }

  private openOptions(anchor: HTMLElement): void {
    if (this.cell.cellType !== 'code') return;
    openCellOptions(
      anchor,
      this.cell,
      this.kind,
      (metadata) => this.host.edit([{ kind: 'set_cell_metadata', cellId: this.cellId, metadata }]),
      this.host.locked,
    );
  }
}
