/**
 * A compact store of many lines: lines are kept in chunks of {@link CHUNK_LINES}; a full chunk is
 * joined into one string with a `Uint32Array` of line starts, so two million lines cost two
 * million small integers instead of two million string objects.
 */
export const CHUNK_LINES = 4096;

interface SealedChunk {
  text: string;
  /** Offsets of each line's start in `text`, plus one past the end (+1 for the missing last '\n'). */
  starts: Uint32Array;
  /** Whether any line holds an escape sequence (search can skip stripping when not). */
  hasEscape: boolean;
}

export class LineStore {
  private readonly sealed: SealedChunk[] = [];
  private open: string[] = [];
  private openHasEscape = false;
  /** Longest line seen, in UTF-16 units (escape sequences included). */
  maxLength = 0;

  get length(): number {
    return this.sealed.length * CHUNK_LINES + this.open.length;
  }

  push(line: string): void {
    this.open.push(line);
    if (line.length > this.maxLength) this.maxLength = line.length;
    if (!this.openHasEscape && line.indexOf('\x1b') !== -1) this.openHasEscape = true;
    if (this.open.length === CHUNK_LINES) this.seal();
  }

  get(index: number): string {
    const c = Math.floor(index / CHUNK_LINES);
    const i = index - c * CHUNK_LINES;
    if (c < this.sealed.length) {
      const chunk = this.sealed[c]!;
      return chunk.text.slice(chunk.starts[i]!, chunk.starts[i + 1]! - 1);
    }
    const line = this.open[i];
    if (line === undefined) throw new RangeError(`line ${index} is past the end (${this.length} lines)`);
    return line;
  }

  /**
   * Calls `visit` with runs of consecutive lines: either one joined text (lines separated by
   * '\n', with the start offset of each line) or single lines. Lets search scan whole chunks at once.
   */
  forEachChunk(visit: (firstLine: number, text: string, starts: Uint32Array | null, hasEscape: boolean) => void): void {
    this.sealed.forEach((chunk, c) => {
      visit(c * CHUNK_LINES, chunk.text, chunk.starts, chunk.hasEscape);
    });
    const base = this.sealed.length * CHUNK_LINES;
    this.open.forEach((line, i) => {
      visit(base + i, line, null, line.indexOf('\x1b') !== -1);
    });
  }

  private seal(): void {
    const starts = new Uint32Array(this.open.length + 1);
    let at = 0;
    for (let i = 0; i < this.open.length; i++) {
      starts[i] = at;
      at += this.open[i]!.length + 1;
    }
    starts[this.open.length] = at;
    this.sealed.push({ text: this.open.join('\n'), starts, hasEscape: this.openHasEscape });
    this.open = [];
    this.openHasEscape = false;
  }
}
