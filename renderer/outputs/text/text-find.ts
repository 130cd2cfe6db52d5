/**
 * Find in a text output (Ctrl+F inside it): the find bar, matches searched in the whole buffer
 * (counted and highlighted up to FIND_LIMIT), next/previous, and a search again as text streams in.
 */
import { button, h } from '../dom.ts';
import type { TextBuffer } from './text-buffer.ts';

/** Matches highlighted and counted at most. */
const FIND_LIMIT = 10_000;

/** What find asks of the text view it searches. */
export interface FindTarget {
  readonly buffer: TextBuffer;
  /** The first line drawn: a new search starts there. */
  firstDrawnLine(): number;
  /** Scrolls so that a line is visible (and draws). */
  revealLine(line: number, column: number): void;
  /** The marks changed: draw every row again. */
  redraw(): void;
  /** The find bar closed: focus goes back to the text. */
  focusText(): void;
}

export class TextFind {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly count: HTMLElement;
  private matches: { line: number; column: number }[] = [];
  private matchCapped = false;
  private current = -1;
  private query = '';
  private findVersion = -1;
  private timer = 0;
  private disposed = false;

  constructor(private readonly target: FindTarget) {
    this.input = h('input', 'pb-find-input');
    this.input.type = 'search';
    this.input.placeholder = 'Find';
    this.input.setAttribute('aria-label', 'Find in output');
    this.count = h('span', 'pb-find-count');
    this.element = h(
      'div',
      'pb-find',
      this.input,
      this.count,
      button('↑', 'Previous match (Shift+Enter)', () => this.step(-1)),
      button('↓', 'Next match (Enter)', () => this.step(1)),
      button('✕', 'Close (Escape)', () => this.close()),
    );
    this.element.hidden = true;
    this.input.addEventListener('input', () => this.schedule(120));
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        this.runIfStale();
        this.step(ev.shiftKey ? -1 : 1);
      } else if (ev.key === 'Escape') {
        ev.preventDefault();
        this.close();
      }
    });
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  open(): void {
    this.element.hidden = false;
    this.input.focus();
    this.input.select();
    if (this.input.value) this.run();
  }

  close(): void {
    this.element.hidden = true;
    this.matches = [];
    this.current = -1;
    this.target.redraw();
    this.target.focusText();
  }

  /** More text came: search again soon, while a search is shown. */
  textChanged(): void {
    if (this.query && this.isOpen) this.schedule(300);
  }

  /** Match ranges on a line as `"col:len:current;…"` (also the row cache key). */
  marksFor(line: number): string {
    if (!this.matches.length || !this.isOpen) return '';
    let lo = 0;
    let hi = this.matches.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.matches[mid]!.line < line) lo = mid + 1;
      else hi = mid;
    }
    let out = '';
    for (let i = lo; i < this.matches.length && this.matches[i]!.line === line; i++)
      out += `${this.matches[i]!.column}:${this.query.length}:${i === this.current ? 1 : 0};`;
    return out;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.run(), delay);
  }

  private runIfStale(): void {
    if (this.input.value !== this.query || this.findVersion !== this.target.buffer.version) {
      clearTimeout(this.timer);
      this.run();
    }
  }

  private run(): void {
    if (this.disposed) return;
    const query = this.input.value;
    const prev = this.matches[this.current];
    const changed = query !== this.query;
    this.query = query;
    this.findVersion = this.target.buffer.version;
    const { matches, capped } = this.target.buffer.find(query, { limit: FIND_LIMIT });
    this.matches = matches;
    this.matchCapped = capped;
    if (!matches.length) this.current = -1;
    else if (changed || !prev) {
      // First match at or after the top of the view.
      const top = this.target.firstDrawnLine();
      const i = matches.findIndex((m) => m.line >= top);
      this.current = i === -1 ? 0 : i;
      this.target.revealLine(matches[this.current]!.line, matches[this.current]!.column);
    } else
      this.current = Math.max(
        0,
        matches.findIndex((m) => m.line === prev.line && m.column === prev.column),
      );
    this.updateCount();
    this.target.redraw();
  }

  private step(delta: number): void {
    if (!this.matches.length) return;
    this.current = (this.current + delta + this.matches.length) % this.matches.length;
    const m = this.matches[this.current]!;
    this.updateCount();
    this.target.revealLine(m.line, m.column);
  }

  private updateCount(): void {
    const n = this.matches.length;
    this.count.textContent = !this.query ? '' : n === 0 ? 'No results' : `${this.current + 1} of ${n}${this.matchCapped ? '+' : ''}`;
    this.input.classList.toggle('pb-find-none', !!this.query && n === 0);
  }
}
