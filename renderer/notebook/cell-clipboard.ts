/**
 * Cells copied with C or X, for V: kept in the browser's storage (another tab of the page can
 * paste them) and on this page, for when storage is refused.
 */
import type { Cell } from '../../core/common/notebook/model.ts';

export interface ClipboardCell {
  cellType: Cell['cellType'];
  source: string;
  metadata: Cell['metadata'];
}

const CLIPBOARD_KEY = 'probebook.cellClipboard';

let memoryClipboard: ClipboardCell[] | null = null;

export function copyCells(data: ClipboardCell[]): void {
  try {
    localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(data));
  } catch {
    // Storage full or disabled: the copy below lasts for this page only.
  }
  memoryClipboard = data;
}

/** The cells last copied (in any tab when storage works), or null. */
export function copiedCells(): ClipboardCell[] | null {
  let data: ClipboardCell[] | null = memoryClipboard;
  try {
    const stored = localStorage.getItem(CLIPBOARD_KEY);
    if (stored) data = JSON.parse(stored) as ClipboardCell[];
  } catch {
    // A malformed entry: use this page's copy.
  }
  return data;
}
