/**
 * One line of a text output in the DOM: its ANSI styles as classes (the themed 16 colours and
 * attributes) or inline colours (the rest), find matches split out as highlights, and at most
 * MAX_LINE_CHARS characters (a note says how many more there are).
 */
import { h } from '../dom.ts';
import { type AnsiStyle, paletteColor, parseAnsi } from './ansi.ts';

/** Characters of one line put in the DOM; the rest is summarised (copy still has everything). */
export const MAX_LINE_CHARS = 10_000;

interface StyleInfo {
  className: string;
  color: string;
  background: string;
}

const styleCache = new WeakMap<AnsiStyle, StyleInfo>();

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

/** Draws `raw` (with its escapes) into `row`; `marks`: find matches as `"col:len:current;…"`. */
export function fillLine(row: HTMLElement, raw: string, marks: string): void {
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
