/**
 * Keeps each stream of one execution within a byte budget: what fits is kept, the rest is only
 * counted (bytes and lines), so a cell that floods output never holds more than the budget.
 */
export class StreamLimiter {
  readonly #limit: number;
  readonly #kept = { stdout: 0, stderr: 0 };
  readonly #dropped = { stdout: { bytes: 0, lines: 0 }, stderr: { bytes: 0, lines: 0 } };

  constructor(limitBytes: number) {
    if (!Number.isFinite(limitBytes) || limitBytes < 0) throw new RangeError(`stream limit must be a non-negative number of bytes, got ${limitBytes}`);
    this.#limit = limitBytes;
  }

  /** Splits `text` into what is kept and whether anything was dropped. Cuts at a line end. */
  take(name: 'stdout' | 'stderr', text: string): { kept: string; dropped: boolean } {
    const room = this.#limit - this.#kept[name];
    const bytes = Buffer.byteLength(text);
    if (bytes <= room && this.#dropped[name].bytes === 0) {
      this.#kept[name] += bytes;
      return { kept: text, dropped: false };
    }
    // Over budget: keep whole lines that fit (only until the first drop, so the kept text is a prefix).
    let kept = '';
    if (this.#dropped[name].bytes === 0 && room > 0) {
      const cut = text.lastIndexOf('\n', Math.min(text.length, room) - 1);
      if (cut >= 0) {
        kept = text.slice(0, cut + 1);
        while (Buffer.byteLength(kept) > room) kept = kept.slice(0, kept.lastIndexOf('\n', kept.length - 2) + 1);
      }
    }
    const rest = text.slice(kept.length);
    this.#kept[name] += Buffer.byteLength(kept);
    this.#dropped[name].bytes += Buffer.byteLength(rest);
    this.#dropped[name].lines += countLines(rest);
    return { kept, dropped: rest.length > 0 };
  }

  /** Counts text dropped before it reached here (by the kernel host, under the same limit). */
  addDropped(name: 'stdout' | 'stderr', count: { bytes: number; lines: number }): void {
    this.#dropped[name].bytes += count.bytes;
    this.#dropped[name].lines += count.lines;
  }

  /** What was dropped from one stream so far. */
  dropped(name: 'stdout' | 'stderr'): { bytes: number; lines: number } {
    return { ...this.#dropped[name] };
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
