/**
 * A virtualised view of streamed text: only the visible lines (plus a few) are in the DOM, so
 * two million lines scroll smoothly. Appends are batched per animation frame (and sliced so a
 * burst never blocks a frame for long); the view follows the end while scrolled to the bottom;
 * Ctrl+F inside it finds text (highlights, next/prev, count); "Copy" copies every line.
 *
 * Not @tanstack/virtual-core: rows here have one fixed height, and past ~8M px browsers cap an
 * element's height, so the scroll position is scaled onto the line index for huge outputs — a
 * mapping a general virtualiser does not do.
 */
import { parseAnsi, paletteColor, type AnsiStyle } from './ansi.ts';
import { TextBuffer } from './text-buffer.ts';
import { button, copyButton, h } from '../dom.ts';

/** Tallest scroll area we create; beyond it the scroll position maps proportionally to lines. */
const MAX_SCROLL_PX = 8_000_000;
/** Lines drawn above and below the visible ones. */
const OVERSCAN = 8;
/** Characters of one line put in the DOM; the rest is summarised (copy still has everything). */
const MAX_LINE_CHARS = 10_000;
/** Text processed per animation frame. */
const SLICE_CHARS = 2_000_000;
/** Matches highlighted and counted at most. */
const FIND_LIMIT = 10_000;

export type TextKind = 'stdout' | 'stderr' | 'plain';

interface RowState {
  line: number;
  raw: string;
  marks: string;
}

interface StyleInfo {
  className: string;
  color: string;
  background: string;
}

const styleCache = new WeakMap<AnsiStyle, StyleInfo>();

/** Line height and character width by computed font (see TextView.ensureMetrics). */
const fontMetrics = new Map<string, { lineHeight: number; charWidth: number }>();

function colorValue(c: number | string): string {
  return typeof c === 'number' ? paletteColor(c) : c;
}

/** CSS for an SGR style: classes for the themed 16 colours and attributes, inline colours for the rest. */
function styleInfo(style: AnsiStyle): StyleInfo {
  let info = styleCache.get(style);
  if (info) return info;
  const cls: string[] = [];
  let color = '';
  let background = '';
  let fg = style.fg;
  let bg = style.bg;
  if (style.inverse) {
    [fg, bg] = [bg, fg];
    if (fg === undefined) color = 'var(--pb-out-bg)';
    if (bg === undefined) background = 'var(--pb-out-fg)';
  }
  if (typeof fg === 'number' && fg < 16) cls.push(`pb-fg${fg}`);
  else if (fg !== undefined) color = colorValue(fg);
  if (typeof bg === 'number' && bg < 16) cls.push(`pb-bg${bg}`);
  else if (bg !== undefined) background = colorValue(bg);
  if (style.bold) cls.push('pb-b');
  if (style.dim) cls.push('pb-dim');
  if (style.italic) cls.push('pb-i');
  if (style.underline) cls.push('pb-u');
  if (style.strike) cls.push('pb-s');
  if (style.hidden) cls.push('pb-hide');
  info = { className: cls.join(' '), color, background };
  styleCache.set(style, info);
  return info;
}

export interface TextViewOptions {
  kind: TextKind;
  /** A note above the text (e.g. "JavaScript is never run"). */
  note?: string;
}

export class TextView {
  readonly element: HTMLElement;
  readonly buffer = new TextBuffer();
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly rowStates: RowState[] = [];
  private pending: string[] = [];
  private pendingChars = 0;
  private frame = 0;
  private stick = true;
  private lineHeight = 0;
  private charWidth = 0;
  private disposed = false;
  // Find state.
  private readonly findBar: HTMLElement;
  private readonly findInput: HTMLInputElement;
  private readonly findCount: HTMLElement;
  private matches: { line: number; column: number }[] = [];
  private matchCapped = false;
  private current = -1;
  private query = '';
  private findVersion = -1;
  private findTimer = 0;

  constructor(parent: HTMLElement, options: TextViewOptions) {
    this.viewport = h('div', 'pb-text-viewport');
    this.viewport.tabIndex = 0;
    this.viewport.setAttribute('role', 'log');
    this.viewport.setAttribute('aria-label', `${options.kind === 'stderr' ? 'Error output' : 'Output'} text; Ctrl+F to find`);
    this.spacer = h('div', 'pb-text-spacer');
    this.rows = h('div', 'pb-text-rows');
    this.viewport.append(this.spacer, this.rows);

    this.findInput = h('input', 'pb-find-input');
    this.findInput.type = 'search';
    this.findInput.placeholder = 'Find';
    this.findInput.setAttribute('aria-label', 'Find in output');
    this.findCount = h('span', 'pb-find-count');
    this.findBar = h(
      'div',
      'pb-find',
      this.findInput,
      this.findCount,
      button('↑', 'Previous match (Shift+Enter)', () => this.step(-1)),
      button('↓', 'Next match (Enter)', () => this.step(1)),
      button('✕', 'Close (Escape)', () => this.closeFind()),
    );
    this.findBar.hidden = true;
    const tools = h(
      'div',
      'pb-tools',
      button('Find', 'Find in this output (Ctrl+F)', () => this.openFind()),
      copyButton('Copy', 'Copy all text of this output', () => this.buffer.plainText()),
    );
    this.element = h('div', `pb-text pb-text-${options.kind}`, options.note ? h('div', 'pb-note', options.note) : null, tools, this.findBar, this.viewport);
    parent.append(this.element);

    this.viewport.addEventListener('scroll', this.onScroll, { passive: true });
    this.viewport.addEventListener('keydown', this.onKey);
    this.findInput.addEventListener('input', () => this.scheduleFind(120));
    this.findInput.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        this.runFindIfStale();
        this.step(ev.shiftKey ? -1 : 1);
      } else if (ev.key === 'Escape') {
        ev.preventDefault();
        this.closeFind();
      }
    });
  }

  append(text: string): void {
    if (this.disposed || !text) return;
    this.pending.push(text);
    this.pendingChars += text.length;
    if (!this.frame) this.frame = requestAnimationFrame(this.onFrame);
  }

  /** Processes every pending append and draws now. */
  flush(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.ingest(Infinity);
    this.draw();
  }

  /** Number of line elements in the DOM (for tests and diagnostics). */
  get renderedLines(): number {
    return this.rows.childElementCount;
  }

  dispose(): void {
    this.disposed = true;
    if (this.frame) cancelAnimationFrame(this.frame);
    clearTimeout(this.findTimer);
    this.element.remove();
  }

  /** Scrolls so that a line is visible (centred when it was not). */
  revealLine(line: number, column = 0): void {
    this.ensureMetrics();
    const n = this.buffer.lineCount;
    const vh = this.viewport.clientHeight;
    const total = n * this.lineHeight;
    const visible = vh / this.lineHeight;
    if (total <= MAX_SCROLL_PX) {
      const top = line * this.lineHeight;
      if (top < this.viewport.scrollTop || top + this.lineHeight > this.viewport.scrollTop + vh) this.viewport.scrollTop = top - vh / 2 + this.lineHeight;
    } else {
      const maxScroll = this.spacerHeight() - vh;
      this.viewport.scrollTop = Math.max(0, (line - visible / 2 + 1) / Math.max(1, n - visible)) * maxScroll;
    }
    const x = column * this.charWidth;
    if (x < this.viewport.scrollLeft || x > this.viewport.scrollLeft + this.viewport.clientWidth - 40) this.viewport.scrollLeft = Math.max(0, x - 40);
    this.stick = false;
    this.draw();
  }

  private readonly onFrame = (): void => {
    this.frame = 0;
    if (this.disposed) return;
    this.ingest(SLICE_CHARS);
    this.draw();
    if (this.pending.length) this.frame = requestAnimationFrame(this.onFrame);
  };

  private ingest(budget: number): void {
    if (!this.pending.length) return;
    if (this.pendingChars <= budget) {
      const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
      this.pending = [];
      this.pendingChars = 0;
      this.buffer.append(text);
    } else {
      let used = 0;
      while (this.pending.length && used < budget) {
        const t = this.pending.shift()!;
        used += t.length;
        this.buffer.append(t);
      }
      this.pendingChars -= used;
    }
    if (this.query && !this.findBar.hidden) this.scheduleFind(300);
  }

  private readonly onScroll = (): void => {
    const v = this.viewport;
    this.stick = v.scrollTop + v.clientHeight >= v.scrollHeight - 2;
    this.drawRows();
  };

  private readonly onKey = (ev: KeyboardEvent): void => {
    if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && ev.key.toLowerCase() === 'f') {
      ev.preventDefault();
      ev.stopPropagation();
      this.openFind();
    } else if (ev.key === 'Escape' && !this.findBar.hidden) {
      this.closeFind();
    }
  };

  private ensureMetrics(): void {
    if (this.lineHeight) return;
    const cs = getComputedStyle(this.rows);
    // Every text output of a page shares its font: measured once, not once per output (each
    // measurement is a forced layout, and a notebook opens with dozens of outputs on screen).
    const key = `${cs.font}|${cs.lineHeight}`;
    let metrics = fontMetrics.get(key);
    if (!metrics) {
      const probe = h('span', 'pb-line', '0'.repeat(20));
      probe.style.position = 'absolute';
      probe.style.visibility = 'hidden';
      this.rows.append(probe);
      const width = probe.getBoundingClientRect().width;
      probe.remove();
      metrics = { lineHeight: parseFloat(cs.lineHeight) || 18, charWidth: width / 20 || 7.8 };
      // Not kept when measured out of the page (hidden, detached): that width is no measurement.
      if (width > 0) fontMetrics.set(key, metrics);
    }
    this.lineHeight = metrics.lineHeight;
    this.charWidth = metrics.charWidth;
  }

  private spacerHeight(): number {
    return Math.min(this.buffer.lineCount * this.lineHeight, MAX_SCROLL_PX);
  }

  /** Sizes the scroll area for the current line count, follows the end if stuck, draws the rows. */
  private draw(): void {
    if (this.disposed) return;
    this.ensureMetrics();
    const n = this.buffer.lineCount;
    const maxHeight = parseFloat(getComputedStyle(this.viewport).maxHeight) || Infinity;
    const height = Math.min(n * this.lineHeight, maxHeight);
    this.viewport.style.height = `${height}px`;
    this.element.classList.toggle('pb-text-empty', n === 0);
    this.spacer.style.height = `${this.spacerHeight()}px`;
    const chars = Math.min(this.buffer.maxLineLength, MAX_LINE_CHARS + 40);
    this.spacer.style.width = `${Math.ceil(chars * this.charWidth) + 16}px`;
    // Output that fits needs no scrolling, and drawing it needs no layout: every line is drawn.
    // (Reading the viewport's size here would force a layout per output while a notebook opens.)
    const fits = n * this.lineHeight <= maxHeight;
    if (this.stick && !fits) this.viewport.scrollTop = this.viewport.scrollHeight;
    this.drawRows(fits ? height : undefined);
  }

  /** `fitHeight`: the height of output that fits without scrolling (all of it is drawn). */
  private drawRows(fitHeight?: number): void {
    if (!this.lineHeight) return;
    const n = this.buffer.lineCount;
    const lh = this.lineHeight;
    const vh = fitHeight ?? this.viewport.clientHeight;
    const scrollTop = fitHeight === undefined ? this.viewport.scrollTop : 0;
    const visible = Math.ceil(vh / lh) + 1;
    let start: number;
    let end: number;
    let top: number;
    if (n * lh <= MAX_SCROLL_PX) {
      const first = Math.floor(scrollTop / lh);
      start = Math.max(0, first - OVERSCAN);
      end = Math.min(n, first + visible + OVERSCAN);
      top = start * lh;
    } else {
      // Scaled: scrollTop 0..max maps onto first line 0..n-visible; rows sit where the viewport is.
      const maxScroll = Math.max(1, this.spacerHeight() - vh);
      const exact = Math.min(1, scrollTop / maxScroll) * Math.max(0, n - vh / lh);
      start = Math.floor(exact);
      end = Math.min(n, start + visible + 1);
      top = scrollTop - (exact - start) * lh;
    }
    this.rows.style.transform = `translateY(${top}px)`;
    const count = Math.max(0, end - start);
    while (this.rows.childElementCount > count) this.rows.lastElementChild!.remove();
    while (this.rows.childElementCount < count) this.rows.append(h('div', 'pb-line'));
    this.rowStates.length = count;
    const children = this.rows.children;
    for (let k = 0; k < count; k++) {
      const line = start + k;
      const raw = this.buffer.line(line);
      const marks = this.marksFor(line);
      const st = this.rowStates[k];
      if (st && st.line === line && st.raw === raw && st.marks === marks) continue;
      this.rowStates[k] = { line, raw, marks };
      this.fillRow(children[k] as HTMLElement, raw, marks);
    }
  }

  /** Match ranges on a line as `"col:len:current;…"` (also the row cache key). */
  private marksFor(line: number): string {
    if (!this.matches.length || this.findBar.hidden) return '';
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

  private fillRow(row: HTMLElement, raw: string, marks: string): void {
    const { spans } = parseAnsi(raw);
    const ranges = marks
      ? marks
          .split(';')
          .filter(Boolean)
          .map((m) => m.split(':').map(Number) as [number, number, number])
      : [];
    const frag = document.createDocumentFragment();
    let col = 0;
    let budget = MAX_LINE_CHARS;
    let total = 0;
    for (const s of spans) total += s.text.length;
    for (const span of spans) {
      if (budget <= 0) break;
      const text = span.text.length > budget ? span.text.slice(0, budget) : span.text;
      budget -= text.length;
      const info = styleInfo(span.style);
      // Split the span where find matches start and end.
      let at = 0;
      while (at < text.length) {
        const abs = col + at;
        const inside = ranges.find(([c, len]) => abs >= c && abs < c + len);
        const nextEdge = ranges.reduce((best, [c, len]) => Math.min(best, c > abs ? c : c + len > abs ? c + len : Infinity), Infinity);
        const stop = Math.min(text.length, nextEdge - col);
        const piece = text.slice(at, stop);
        const el = document.createElement('span');
        el.textContent = piece;
        let cls = info.className;
        if (inside) cls += inside[2] ? ' pb-find-hit pb-find-current' : ' pb-find-hit';
        if (cls) el.className = cls.trim();
        if (info.color) el.style.color = info.color;
        if (info.background) el.style.backgroundColor = info.background;
        frag.append(el.className || el.style.cssText ? el : piece);
        at = stop;
      }
      col += text.length;
    }
    if (total > MAX_LINE_CHARS) frag.append(h('span', 'pb-line-more', ` … ${total - MAX_LINE_CHARS} more characters (Copy has them all)`));
    row.replaceChildren(frag);
  }

  // ---- find ----

  private openFind(): void {
    this.findBar.hidden = false;
    this.findInput.focus();
    this.findInput.select();
    if (this.findInput.value) this.runFind();
  }

  private closeFind(): void {
    this.findBar.hidden = true;
    this.matches = [];
    this.current = -1;
    this.rowStates.length = 0;
    this.drawRows();
    this.viewport.focus();
  }

  private scheduleFind(delay: number): void {
    clearTimeout(this.findTimer);
    this.findTimer = window.setTimeout(() => this.runFind(), delay);
  }

  private runFindIfStale(): void {
    if (this.findInput.value !== this.query || this.findVersion !== this.buffer.version) {
      clearTimeout(this.findTimer);
      this.runFind();
    }
  }

  private runFind(): void {
    if (this.disposed) return;
    const query = this.findInput.value;
    const prev = this.matches[this.current];
    const changed = query !== this.query;
    this.query = query;
    this.findVersion = this.buffer.version;
    const { matches, capped } = this.buffer.find(query, { limit: FIND_LIMIT });
    this.matches = matches;
    this.matchCapped = capped;
    if (!matches.length) this.current = -1;
    else if (changed || !prev) {
      // First match at or after the top of the view.
      const top = this.rowStates[0]?.line ?? 0;
      const i = matches.findIndex((m) => m.line >= top);
      this.current = i === -1 ? 0 : i;
      this.revealLine(matches[this.current]!.line, matches[this.current]!.column);
    } else
      this.current = Math.max(
        0,
        matches.findIndex((m) => m.line === prev.line && m.column === prev.column),
      );
    this.updateCount();
    this.rowStates.length = 0;
    this.drawRows();
  }

  private step(delta: number): void {
    if (!this.matches.length) return;
    this.current = (this.current + delta + this.matches.length) % this.matches.length;
    const m = this.matches[this.current]!;
    this.updateCount();
    this.rowStates.length = 0;
    this.revealLine(m.line, m.column);
  }

  private updateCount(): void {
    const n = this.matches.length;
    this.findCount.textContent = !this.query ? '' : n === 0 ? 'No results' : `${this.current + 1} of ${n}${this.matchCapped ? '+' : ''}`;
    this.findInput.classList.toggle('pb-find-none', !!this.query && n === 0);
  }
}
