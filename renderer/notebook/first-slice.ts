/** The cells a long notebook makes before its first paint (the rest follow in slices after it). */
import type { Cell } from '../../core/common/notebook/model.ts';

/**
 * How many cells to make before the first paint: enough to fill a window `viewportHeight` tall,
 * estimated from their sources (60 px of chrome and padding plus a 19 px line per source line;
 * drawn, a cell is taller, so the window is full), at least 4, at most 20.
 */
export function firstSlice(cells: readonly Pick<Cell, 'source'>[], viewportHeight: number): number {
  let height = 0;
  let count = 0;
  for (const cell of cells) {
    if (count >= 20 || (count >= 4 && height >= viewportHeight)) break;
    height += 60 + 19 * Math.min(40, lineCount(cell.source));
    count++;
  }
  return count;
}

function lineCount(source: string): number {
  let lines = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < source.length - 1; i = source.indexOf('\n', i + 1)) lines++;
  return lines;
}
