/**
 * A virtualised view of streamed text: only the visible lines (plus a few) are in the DOM, so
 * two million lines scroll smoothly. Appends are batched per animation frame (and sliced so a
 * burst never blocks a frame for long); the view follows the end while scrolled to the bottom;
 * Ctrl+F inside it finds text (text-find.ts); "Copy" copies every line. Each line is drawn with
 * its ANSI styles by text-line.ts.
 *
 * Not @tanstack/virtual-core: rows here have one fixed height, and past ~8M px browsers cap an
 * element's height, so the scroll position is scaled onto the line index for huge outputs — a
 * mapping a general virtualiser does not do.
 */
import { button, copyButton, h } from '../dom.ts';
import { TextBuffer } from './text-buffer.ts';
import { TextFind } from './text-find.ts';
import { fillLine, MAX_LINE_CHARS } from './text-line.ts';

/** Tallest scroll area we create; beyond it the scroll position maps proportionally to lines. */
const MAX_SCROLL_PX = 8_000_000;
/** Lines drawn above and below the visible ones. */
const OVERSCAN = 8;
/** Text processed per animation frame. */
const SLICE_CHARS = 2_000_000;

export type TextKind = 'stdout' | 'stderr' | 'plain';

interface RowState {
  line: number;
  raw: string;
  marks: string;
}

/** Line height and character width by computed font (see TextView.ensureMetrics). */
const fontMetrics = new Map<string, { lineHeight: number; charWidth: number }>();

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
  private readonly find: TextFind;

  constructor(parent: HTMLElement, options: TextViewOptions) {
    this.viewport = h('div', 'pb-text-viewport');
    this.viewport.tabIndex = 0;
    this.viewport.setAttribute('role', 'log');
    this.viewport.setAttribute('aria-label', `${options.kind === 'stderr' ? 'Error output' : 'Output'} text; Ctrl+F to find`);
    this.spacer = h('div', 'pb-text-spacer');
    this.rows = h('div', 'pb-text-rows');
    this.viewport.append(this.spacer, this.rows);

    this.find = new TextFind({
      buffer: this.buffer,
      firstDrawnLine: () => this.rowStates[0]?.line ?? 0,
      revealLine: (line, column) => this.revealLine(line, column),
      redraw: () => {
        this.rowStates.length = 0;
        this.drawRows();
      },
      focusText: () => this.viewport.focus(),
    });
    const tools = h(
      'div',
      'pb-tools',
      button('Find', 'Find in this output (Ctrl+F)', () => this.find.open()),
      copyButton('Copy', 'Copy all text of this output', () => this.buffer.plainText()),
    );
    this.element = h(
      'div',
      `pb-text pb-text-${options.kind}`,
      options.note ? h('div', 'pb-note', options.note) : null,
      tools,
      this.find.element,
      this.viewport,
    );
    parent.append(this.element);

    this.viewport.addEventListener('scroll', this.onScroll, { passive: true });
    this.viewport.addEventListener('keydown', this.onKey);
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
    this.find.dispose();
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
    this.find.textChanged();
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
      this.find.open();
    } else if (ev.key === 'Escape' && this.find.isOpen) {
      this.find.close();
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
      const marks = this.find.marksFor(line);
      const st = this.rowStates[k];
      if (st && st.line === line && st.raw === raw && st.marks === marks) continue;
      this.rowStates[k] = { line, raw, marks };
      fillLine(children[k] as HTMLElement, raw, marks);
    }
  }
}
