/**
 * Which cell is selected and Jupyter's mode: command mode acts on the selected cell, edit mode
 * types into its editor. Moving the selection, entering and leaving the editor (by keys, clicks
 * and the editor's own focus) all go through here.
 */
import type { CellList } from './cell-list.ts';
import type { CellView } from './cell-view.ts';
import type { Mode } from './commands.ts';
import type { NotebookDocument } from './notebook-document.ts';

export class CellSelection {
  private activeId: string | null = null;
  private currentMode: Mode = 'command';

  /** `element`: the notebook, focused in command mode; `changed`: the mode or the selected cell changed. */
  constructor(
    private readonly doc: NotebookDocument,
    private readonly cells: CellList,
    private readonly element: HTMLElement,
    private readonly changed: () => void,
  ) {}

  get mode(): Mode {
    return this.currentMode;
  }

  get activeCellId(): string | null {
    return this.activeId;
  }

  get activeView(): CellView | null {
    return this.activeId ? (this.cells.get(this.activeId) ?? null) : null;
  }

  /** Moves the selection without drawing it (the caller edits or enters edit mode next, which draws). */
  setActive(cellId: string | null): void {
    this.activeId = cellId;
  }

  select(cellId: string, mode: Mode): void {
    this.cells.makeUpTo(cellId);
    if (!this.cells.has(cellId)) return;
    const changed = cellId !== this.activeId;
    if (changed && this.currentMode === 'edit') this.activeView?.stopEditing();
    this.activeId = cellId;
    if (mode === 'edit') void this.enterEdit();
    else {
      this.currentMode = 'command';
      this.refresh();
    }
  }

  /** Enter: edit the selected cell. */
  async enterEdit(at: 'start' | 'end' = 'end'): Promise<void> {
    const view = this.activeView;
    if (!view) return;
    this.currentMode = 'edit';
    this.refresh();
    view.scrollIntoView();
    await view.edit(at);
  }

  /** Esc: back to command mode, keeping the selection. */
  enterCommand(): void {
    this.activeView?.stopEditing();
    this.currentMode = 'command';
    this.refresh();
    this.element.focus({ preventScroll: true });
  }

  selectRelative(by: -1 | 1): void {
    const index = this.activeId ? this.doc.indexOf(this.activeId) : -1;
    const target = this.doc.cells[Math.max(0, Math.min(this.doc.cells.length - 1, index + by))];
    if (!target) return;
    this.select(target.id, 'command');
    this.cells.get(target.id)?.scrollIntoView();
    this.element.focus({ preventScroll: true });
  }

  editorFocused(cellId: string): void {
    if (this.activeId !== cellId || this.currentMode !== 'edit') {
      if (this.activeId && this.activeId !== cellId) this.activeView?.stopEditing();
      this.activeId = cellId;
      this.currentMode = 'edit';
      this.refresh();
    }
    this.cells.releaseOldEditors();
  }

  editorBlurred(cellId: string): void {
    // Focus moved elsewhere on the page (a button, the palette): the cell stays selected.
    queueMicrotask(() => {
      if (this.activeId === cellId && this.currentMode === 'edit' && !this.cells.get(cellId)?.editor.hasFocus) {
        this.currentMode = 'command';
        this.refresh();
      }
    });
  }

  /** The cursor left the editor past its first or last line: edit the cell above or below. */
  leaveEditor(cellId: string, direction: 'up' | 'down'): void {
    const index = this.doc.indexOf(cellId) + (direction === 'up' ? -1 : 1);
    const target = this.doc.cells[index];
    if (!target) return;
    this.activeView?.stopEditing();
    this.activeId = target.id;
    void this.enterEdit(direction === 'up' ? 'end' : 'start');
  }

  /** The cells changed: a selection that is gone moves to the first cell. */
  cellsChanged(): void {
    if (this.activeId && !this.cells.has(this.activeId)) this.activeId = this.doc.cells[0]?.id ?? null;
    if (!this.activeId && this.doc.cells[0]) this.activeId = this.doc.cells[0].id;
    this.refresh();
  }

  /** Draws the selection and the mode. */
  refresh(): void {
    for (const v of this.cells.all()) v.setSelected(v.cellId === this.activeId, this.currentMode);
    this.element.dataset['mode'] = this.currentMode;
    this.changed();
  }
}
