/**
 * A code cell's outputs on the page: the output area (made once the cell has come near the
 * viewport and has something to show, then kept in step edit by edit), the button that hides
 * them and the note that says how many are hidden.
 */
import { MIME, type CellErrorData } from '../../core/common/mime.ts';
import type { Cell } from '../../core/common/notebook/model.ts';
import type { OutputEdit } from '../../core/common/protocol.ts';
import { h } from '../outputs/dom.ts';
import type { OutputArea, Theme } from '../outputs/index.ts';
import type { EditorMarker } from './editor/cell-editor.ts';
import { iconButton } from './icons.ts';
import type { Renderers } from './renderers.ts';

export class CellOutputs {
  readonly element: HTMLElement;
  private readonly box = h('div', 'pb-cell-output');
  private readonly hiddenNote = h('button', 'pb-hidden-note');
  private readonly collapseButton: HTMLButtonElement;
  private area: OutputArea | null = null;

  /** `toggleHidden`: hides or shows the outputs (a metadata edit of the cell). */
  constructor(toggleHidden: () => void) {
    this.collapseButton = iconButton('chevronDown', 'Hide the outputs', toggleHidden);
    this.hiddenNote.type = 'button';
    this.hiddenNote.addEventListener('click', toggleHidden);
    this.element = h('div', 'pb-cell-outputs', h('div', 'pb-output-tools', this.collapseButton), this.box, this.hiddenNote);
  }

  /** The hide button and the hidden note, for outputs hidden or not. */
  showHidden(cell: Cell, hidden: boolean): void {
    this.collapseButton.title = hidden ? 'Show the outputs' : 'Hide the outputs';
    this.countHidden(cell);
  }

  /** Draws an output edit, or (none) all outputs anew; the area is made on the first output. */
  render(cell: Cell, renderers: Renderers, context: { trusted: boolean; theme: Theme }, edit?: OutputEdit): void {
    if (!this.area) {
      if (cell.outputs.length === 0) return;
      this.area = renderers.outputs.createOutputArea(this.box, context);
      this.area.reset(cell.outputs);
      return;
    }
    if (edit) this.area.apply(edit);
    else this.area.reset(cell.outputs);
  }

  countHidden(cell: Cell): void {
    this.hiddenNote.textContent = `${cell.outputs.length} output${cell.outputs.length === 1 ? '' : 's'} hidden: show`;
  }

  setTheme(theme: Theme): void {
    this.area?.setTheme(theme);
  }

  setTrusted(trusted: boolean): void {
    this.area?.setTrusted(trusted);
  }

  dispose(): void {
    this.area?.dispose();
  }
}

/** Editor markers for the error outputs of a cell that say where they happened. */
export function errorMarkers(cell: Cell): EditorMarker[] {
  const markers: EditorMarker[] = [];
  for (const o of cell.outputs) {
    if (o.kind !== 'error') continue;
    const item = o.items.find((i) => i.mime === MIME.error);
    const data = item?.data as unknown as CellErrorData | undefined;
    if (!data?.location || !Number.isInteger(data.location.line) || data.location.line < 1) continue;
    markers.push({ ...data.location, message: `${data.ename}: ${data.evalue}` });
  }
  return markers;
}
