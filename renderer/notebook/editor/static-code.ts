/**
 * A cell's code without an editor: line numbers and text laid out like Monaco's (same font, line
 * height and padding, so focusing a cell does not move anything), highlighted with Monaco's
 * tokenizers once they are loaded. Text goes in through text nodes only.
 */
import { h } from '../../outputs/dom.ts';
import type { EditorModule } from './monaco-loader.ts';
import { tokenClass } from './token-colors.ts';

/** Lines longer than this are shown cut (the editor has them whole). */
const MAX_LINE_CHARS = 5000;

export interface StaticCode {
  element: HTMLElement;
  text: HTMLElement;
  gutter: HTMLElement;
}

export function createStaticCode(): StaticCode {
  const gutter = h('div', 'pb-static-gutter');
  gutter.setAttribute('aria-hidden', 'true');
  const text = h('pre', 'pb-static-text');
  const element = h('div', 'pb-static-code', gutter, text);
  return { element, text, gutter };
}

/** Shows `source` as plain text (fast: one text node), with line numbers. */
export function showPlain(view: StaticCode, source: string): void {
  const lines = source.split('\n');
  view.gutter.textContent = lines.map((_, i) => i + 1).join('\n');
  view.text.textContent = lines.map((l) => (l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS)} …` : l)).join('\n') || '\u200b';
}

/** Shows `source` highlighted with Monaco's tokenizer for `languageId`. */
export function showHighlighted(view: StaticCode, source: string, languageId: string, m: EditorModule): void {
  const lines = source.split('\n');
  let tokens: ReturnType<typeof m.monaco.editor.tokenize>;
  try {
    tokens = m.monaco.editor.tokenize(source, languageId);
  } catch (error) {
    console.warn(`Probebook: could not highlight ${languageId}`, error);
    showPlain(view, source);
    return;
  }
  const frag = document.createDocumentFragment();
  lines.forEach((line, i) => {
    const shown = line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line;
    const lineTokens = tokens[i] ?? [];
    for (let t = 0; t < lineTokens.length; t++) {
      const start = lineTokens[t]!.offset;
      if (start >= shown.length) break;
      const end = Math.min(shown.length, lineTokens[t + 1]?.offset ?? shown.length);
      const piece = shown.slice(start, end);
      const cls = tokenClass(lineTokens[t]!.type);
      frag.append(cls ? h('span', cls, piece) : piece);
    }
    if (lineTokens.length === 0) frag.append(shown);
    if (shown !== line) frag.append(' …');
    if (i < lines.length - 1) frag.append('\n');
  });
  if (!source) frag.append('\u200b');
  view.gutter.textContent = lines.map((_, i) => i + 1).join('\n');
  view.text.replaceChildren(frag);
}

/** Marks lines with errors (1-based) in the static view's gutter. */
export function markStaticLines(view: StaticCode, lines: readonly number[]): void {
  for (const e of view.element.querySelectorAll('.pb-static-error')) e.remove();
  for (const line of lines) {
    const mark = h('div', 'pb-static-error');
    mark.style.top = `calc(var(--pb-code-pad) + ${line - 1} * var(--pb-code-line))`;
    view.element.append(mark);
  }
}

/** The character offset in the static text under a point, for placing the editor's cursor. */
export function offsetAtPoint(view: StaticCode, x: number, y: number): number | null {
  const doc = document as Document & { caretPositionFromPoint?(x: number, y: number): { offsetNode: Node; offset: number } | null };
  let node: Node | null = null;
  let offset = 0;
  if (doc.caretPositionFromPoint) {
    const pos = doc.caretPositionFromPoint(x, y);
    if (pos) ({ offsetNode: node, offset } = pos);
  } else if (document.caretRangeFromPoint) {
    const range = document.caretRangeFromPoint(x, y);
    if (range) ({ startContainer: node, startOffset: offset } = range);
  }
  if (!node || !view.text.contains(node)) return null;
  let total = 0;
  const walker = document.createTreeWalker(view.text, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n === node) return total + offset;
    total += n.textContent?.length ?? 0;
  }
  return null;
}
