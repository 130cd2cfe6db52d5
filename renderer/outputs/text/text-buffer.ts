/**
 * Terminal-ish text: streamed chunks in, lines out. `\n` ends a line, `\r` (not before `\n`)
 * rewinds the current line so progress bars overwrite themselves (as Jupyter does), `\b`
 * deletes the previous character. Colours carry across lines: each stored line starts with the
 * SGR sequence of the style in force at its start, so any line renders on its own. Pure (no DOM).
 */
import { DEFAULT_STYLE, pendingEscapeLength, stripAnsi, styleAfter, styleToSgr, type AnsiStyle } from './ansi.ts';
import { LineStore } from './line-store.ts';

const SPECIAL_RE = /\r\n|\r|\n|\x08/g;
const ESCAPE_AT_END_RE = /\x1b(?:\[[0-9;:?<=>]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])$/;

export interface FindMatch {
  line: number;
  /** Column in the visible (escape-free) text of the line. */
  column: number;
}

export interface FindResult {
  matches: FindMatch[];
  /** True when more matches exist than `limit`. */
  capped: boolean;
}

export class TextBuffer {
  private readonly store = new LineStore();
  /** The open (last, unterminated) line, raw, without its style prefix. */
  private tail = '';
  private tailStart: AnsiStyle = DEFAULT_STYLE;
  private pendingCR = false;
  private pendingEscape = '';
  /** Bumped on every change, so views can tell whether to redraw. */
  version = 0;

  /** Lines to show: the finished ones plus the open line when it has text. */
  get lineCount(): number {
    return this.store.length + (this.tail !== '' ? 1 : 0);
  }

  get committedLines(): number {
    return this.store.length;
  }

  /** Longest line in characters (escape sequences included; an upper bound for layout). */
  get maxLineLength(): number {
    return Math.max(this.store.maxLength, this.tail.length);
  }

  /** A line with its style prefix: ready for `parseAnsi` from the default style. */
  line(index: number): string {
    if (index < this.store.length) return this.store.get(index);
    if (index === this.store.length && this.lineCount > this.store.length) return styleToSgr(this.tailStart) + this.tail;
    throw new RangeError(`line ${index} is past the end (${this.lineCount} lines)`);
  }

  append(chunk: string): void {
    if (!chunk) return;
    this.version++;
    let text = this.pendingEscape + chunk;
    this.pendingEscape = '';
    const cut = pendingEscapeLength(text);
    if (cut) {
      this.pendingEscape = text.slice(text.length - cut);
      text = text.slice(0, text.length - cut);
    }
    if (!text) return;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (text.startsWith('\n')) {
        this.commit();
        text = text.slice(1);
      } else {
        this.rewind();
      }
    }
    if (text.indexOf('\r') === -1 && text.indexOf('\b') === -1) {
      // Fast path: plain lines.
      const parts = text.split('\n');
      this.tail += parts[0];
      for (let i = 1; i < parts.length; i++) {
        this.commit();
        this.tail = parts[i]!;
      }
      return;
    }
    let last = 0;
    SPECIAL_RE.lastIndex = 0;
    for (let m = SPECIAL_RE.exec(text); m; m = SPECIAL_RE.exec(text)) {
      this.tail += text.slice(last, m.index);
      last = SPECIAL_RE.lastIndex;
      if (m[0] === '\n' || m[0] === '\r\n') this.commit();
      else if (m[0] === '\b') this.backspace();
      else if (last === text.length)
        this.pendingCR = true; // may be the first half of "\r\n"
      else this.rewind();
    }
    this.tail += text.slice(last);
  }

  /** Every visible character, lines joined with '\n' (what "copy all" copies). */
  plainText(): string {
    const out: string[] = [];
    const n = this.lineCount;
    this.store.forEachChunk((_first, text, starts, hasEscape) => {
      out.push(starts && !hasEscape ? text : stripAnsi(text));
    });
    if (n > this.store.length) out.push(stripAnsi(this.tail));
    return out.join('\n');
  }

  /** Case-insensitive unless asked; stops after `limit` matches. */
  find(query: string, options: { caseSensitive?: boolean; limit?: number } = {}): FindResult {
    const matches: FindMatch[] = [];
    const limit = options.limit ?? 10_000;
    if (!query) return { matches, capped: false };
    const fold = (s: string): string => (options.caseSensitive ? s : s.toLowerCase());
    const q = fold(query);
    let capped = false;
    const scanLine = (line: number, visible: string): boolean => {
      const hay = fold(visible);
      for (let at = hay.indexOf(q); at !== -1; at = hay.indexOf(q, at + q.length)) {
        if (matches.length >= limit) return (capped = true);
        matches.push({ line, column: at });
      }
      return false;
    };
    this.store.forEachChunk((first, text, starts, hasEscape) => {
      if (capped) return;
      if (!starts) {
        scanLine(first, stripAnsi(text));
        return;
      }
      if (hasEscape) {
        for (let i = 0; i + 1 < starts.length && !capped; i++) scanLine(first + i, stripAnsi(text.slice(starts[i]!, starts[i + 1]! - 1)));
        return;
      }
      // Whole chunk at once: one indexOf pass, offsets mapped to lines by walking `starts`.
      const hay = fold(text);
      let line = 0;
      for (let at = hay.indexOf(q); at !== -1; at = hay.indexOf(q, at + q.length)) {
        while (starts[line + 1]! <= at) line++;
        if (at + q.length > starts[line + 1]! - 1) continue; // spans a line break
        if (matches.length >= limit) {
          capped = true;
          return;
        }
        matches.push({ line: first + line, column: at - starts[line]! });
      }
    });
    if (!capped && this.lineCount > this.store.length) scanLine(this.store.length, stripAnsi(this.tail));
    return { matches, capped };
  }

  private commit(): void {
    const prefix = styleToSgr(this.tailStart);
    this.store.push(prefix + this.tail);
    this.tailStart = styleAfter(this.tail, this.tailStart);
    this.tail = '';
  }

  /** `\r`: the line starts again, keeping the style in force. */
  private rewind(): void {
    this.tailStart = styleAfter(this.tail, this.tailStart);
    this.tail = '';
  }

  /** `\b`: drop the last visible character of the open line (escape sequences stay). */
  private backspace(): void {
    let end = this.tail.length;
    const trailing: string[] = [];
    for (;;) {
      const m = ESCAPE_AT_END_RE.exec(this.tail.slice(Math.max(0, end - 256), end));
      if (!m) break;
      trailing.unshift(m[0]);
      end -= m[0].length;
    }
    if (end === 0) return;
    // Surrogate pairs are one character.
    const cut = end >= 2 && /[\udc00-\udfff]/.test(this.tail[end - 1]!) && /[\ud800-\udbff]/.test(this.tail[end - 2]!) ? 2 : 1;
    this.tail = this.tail.slice(0, end - cut) + trailing.join('');
  }
}
