/**
 * In-notebook links (`[see](#Loopback-lab)`): the page's URL is not the notebook's, so a link to
 * an anchor selects and scrolls to the cell that holds it instead of navigating.
 */
import type { Mode } from './commands.ts';

export interface AnchorTarget {
  /** The notebook's element: anchors outside it are not the notebook's. */
  readonly element: HTMLElement;
  readonly doc: { readonly cells: readonly { id: string; cellType: string; source: string }[] };
  select(cellId: string, mode: Mode): void;
  /** The cell's element, if it has been made. */
  cellElement(cellId: string): HTMLElement | undefined;
  notify(message: string): void;
}

/** Follows clicks on `#…` links inside the notebook (captured, so the path is known before a redraw). */
export function followAnchorLinks(target: AnchorTarget): void {
  // Captured: the click's path is known even if selecting the cell redraws its markdown meanwhile.
  target.element.addEventListener(
    'click',
    (e) => {
      const link = (e.target as Element | null)?.closest?.('a[href^="#"]');
      if (!link) return;
      e.preventDefault(); // the page's URL is not the notebook's: no hash navigation
      revealAnchor(target, link.getAttribute('href')!.slice(1));
    },
    { capture: true },
  );
}

/**
 * Follows an in-notebook link: an element of a markdown cell or output with that id (sanitised
 * ids carry `user-content-`), else a markdown heading whose text with `-` for spaces is the
 * anchor (Jupyter's rule, so `[see](#Loopback-lab)` works as in Jupyter). Returns whether found.
 */
function revealAnchor(notebook: AnchorTarget, anchor: string): boolean {
  let name: string;
  try {
    name = decodeURIComponent(anchor);
  } catch {
    name = anchor;
  }
  const target = document.getElementById(`user-content-${name}`);
  const cellElement = target && notebook.element.contains(target) ? target.closest<HTMLElement>('[data-cell-id]') : null;
  const cellId = cellElement?.dataset['cellId'] ?? findHeadingCell(notebook.doc.cells, name);
  if (!cellId) {
    notebook.notify(`No heading or anchor "${name}" in this notebook.`);
    return false;
  }
  notebook.select(cellId, 'command');
  const element = target && notebook.element.contains(target) ? target : notebook.cellElement(cellId);
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

/** The markdown cell with a heading whose anchor (text, spaces as `-`, as Jupyter makes it) is `anchor`. */
function findHeadingCell(cells: readonly { id: string; cellType: string; source: string }[], anchor: string): string | undefined {
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
