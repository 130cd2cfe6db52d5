/**
 * Which rows of a long list are drawn, and where: the list is a scroll area as tall as its rows (up
 * to {@link MAX_SCROLL_PX}; browsers cap an element's height near 16M px, so past that the scroll
 * position maps proportionally onto the rows) with only the visible rows in the DOM.
 */

/** The tallest scroll area we make. */
export const MAX_SCROLL_PX = 8_000_000;

export interface ListGeometry {
  rows: number;
  rowHeight: number;
  /** The scroll area's visible height. */
  viewport: number;
}

/** Rows `[start, end)` drawn at `top` px from the scroll area's top. */
export interface RowWindow {
  start: number;
  end: number;
  top: number;
}

export function scrollHeight(g: ListGeometry): number {
  return Math.min(g.rows * g.rowHeight, MAX_SCROLL_PX);
}

/** The largest scrollTop. */
function maxScroll(g: ListGeometry): number {
  return Math.max(0, scrollHeight(g) - g.viewport);
}

/** Rows that fit in the viewport (whole or not). */
function rowsInView(g: ListGeometry): number {
  return g.viewport / g.rowHeight;
}

/** The first visible row, fractional (the row cut by the top edge), for a scroll position. */
function firstRowAt(g: ListGeometry, scrollTop: number): number {
  if (g.rows * g.rowHeight <= MAX_SCROLL_PX) return scrollTop / g.rowHeight;
  const max = maxScroll(g);
  return max === 0 ? 0 : (Math.min(scrollTop, max) / max) * Math.max(0, g.rows - rowsInView(g));
}

/** The rows to draw for `scrollTop`, with `overscan` extra rows above and below. */
export function rowWindow(g: ListGeometry, scrollTop: number, overscan = 6): RowWindow {
  const first = firstRowAt(g, scrollTop);
  const whole = Math.floor(first);
  const start = Math.max(0, whole - overscan);
  const end = Math.min(g.rows, Math.ceil(first + rowsInView(g)) + overscan);
  // Row `whole` sits where the viewport shows it; the rows above it follow from there.
  const top = scrollTop - (first - whole) * g.rowHeight - (whole - start) * g.rowHeight;
  return { start, end: Math.max(start, end), top };
}

/** The scrollTop that shows `row` whole (the least move), or undefined when it is already shown whole. */
export function revealRow(g: ListGeometry, scrollTop: number, row: number): number | undefined {
  const first = firstRowAt(g, scrollTop);
  const visible = rowsInView(g);
  if (row >= first && row + 1 <= first + visible) return undefined;
  const wanted = row < first ? row : row + 1 - visible;
  if (g.rows * g.rowHeight <= MAX_SCROLL_PX) return Math.max(0, Math.min(maxScroll(g), wanted * g.rowHeight));
  const span = Math.max(1, g.rows - visible);
  return Math.max(0, Math.min(maxScroll(g), (wanted / span) * maxScroll(g)));
}

/** Whether `scrollTop` is at the end of the list (within a pixel or two). */
export function atEnd(g: ListGeometry, scrollTop: number): boolean {
  return scrollTop >= maxScroll(g) - 2;
}
