/**
 * ANSI escape sequences → styled text spans. Pure (no DOM): the text view turns spans into
 * elements with `textContent`, never HTML. SGR (`ESC[…m`) sets styles: bold, dim, italic,
 * underline, inverse, hidden, strike, 16/256-colour palettes and 24-bit colour. Every other
 * escape sequence (cursor moves, erase line, OSC titles and hyperlinks) is dropped.
 */

/** A colour: a palette index 0–255 (0–15 are the theme's 16 colours) or `#rrggbb`. */
export type AnsiColor = number | string;

/** The SGR state. Immutable: parsing returns new objects; {@link DEFAULT_STYLE} is the reset state. */
export interface AnsiStyle {
  readonly fg?: AnsiColor;
  readonly bg?: AnsiColor;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly italic?: boolean;
  readonly underline?: boolean;
  readonly inverse?: boolean;
  readonly hidden?: boolean;
  readonly strike?: boolean;
}

export interface AnsiSpan {
  text: string;
  style: AnsiStyle;
}

export const DEFAULT_STYLE: AnsiStyle = Object.freeze({});

/** ESC sequences: CSI (`ESC [ params final`), OSC (`ESC ] … BEL|ST`), and two-byte escapes. */
const ESCAPE_RE = /\x1b(?:\[([0-9;:?<=>]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;
/** Control characters other than tab that would render as boxes; `\r`, `\b`, `\n` are handled by the line buffer. */
const CONTROL_RE = /[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]/g;

function isDefaultStyle(s: AnsiStyle): boolean {
  return s === DEFAULT_STYLE || Object.keys(s).length === 0;
}

/** Applies one SGR parameter list (`"1;38;5;208"`) to a style. */
function applySgr(style: AnsiStyle, params: string): AnsiStyle {
  // ':' separates sub-parameters (ITU T.416 form `38:2::r:g:b`); treat it like ';' after dropping a colour-space id.
  const codes =
    params === ''
      ? [0]
      : params
          .replace(/38:2::/g, '38;2;')
          .replace(/48:2::/g, '48;2;')
          .split(/[;:]/)
          .map((p) => (p === '' ? 0 : Number(p)));
  const next: { -readonly [K in keyof AnsiStyle]: AnsiStyle[K] } = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === 0) {
      for (const k of Object.keys(next)) delete next[k as keyof AnsiStyle];
    } else if (c === 1) next.bold = true;
    else if (c === 2) next.dim = true;
    else if (c === 3) next.italic = true;
    else if (c === 4) next.underline = true;
    else if (c === 7) next.inverse = true;
    else if (c === 8) next.hidden = true;
    else if (c === 9) next.strike = true;
    else if (c === 21 || c === 22) {
      delete next.bold;
      delete next.dim;
    } else if (c === 23) delete next.italic;
    else if (c === 24) delete next.underline;
    else if (c === 27) delete next.inverse;
    else if (c === 28) delete next.hidden;
    else if (c === 29) delete next.strike;
    else if (c >= 30 && c <= 37) next.fg = c - 30;
    else if (c === 39) delete next.fg;
    else if (c >= 40 && c <= 47) next.bg = c - 40;
    else if (c === 49) delete next.bg;
    else if (c >= 90 && c <= 97) next.fg = c - 90 + 8;
    else if (c >= 100 && c <= 107) next.bg = c - 100 + 8;
    else if (c === 38 || c === 48) {
      const key = c === 38 ? 'fg' : 'bg';
      if (codes[i + 1] === 5 && i + 2 < codes.length) {
        const n = codes[i + 2]!;
        if (n >= 0 && n <= 255) next[key] = n;
        i += 2;
      } else if (codes[i + 1] === 2 && i + 4 < codes.length) {
        const [r, g, b] = [codes[i + 2]!, codes[i + 3]!, codes[i + 4]!].map((v) => Math.max(0, Math.min(255, v | 0)));
        next[key] = `#${hex2(r!)}${hex2(g!)}${hex2(b!)}`;
        i += 4;
      } else {
        break; // malformed extended colour: ignore the rest, as terminals do
      }
    }
  }
  return Object.keys(next).length === 0 ? DEFAULT_STYLE : Object.freeze(next);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Splits text into styled spans, starting from `start`; returns the spans and the style after the text. */
export function parseAnsi(text: string, start: AnsiStyle = DEFAULT_STYLE): { spans: AnsiSpan[]; end: AnsiStyle } {
  const spans: AnsiSpan[] = [];
  let style = start;
  if (text.indexOf('\x1b') === -1) {
    const clean = text.replace(CONTROL_RE, '');
    if (clean) spans.push({ text: clean, style });
    return { spans, end: style };
  }
  let last = 0;
  const push = (chunk: string): void => {
    const clean = chunk.replace(CONTROL_RE, '').replace(/\x1b/g, '');
    if (!clean) return;
    const prev = spans[spans.length - 1];
    if (prev && prev.style === style) prev.text += clean;
    else spans.push({ text: clean, style });
  };
  ESCAPE_RE.lastIndex = 0;
  for (let m = ESCAPE_RE.exec(text); m; m = ESCAPE_RE.exec(text)) {
    push(text.slice(last, m.index));
    last = ESCAPE_RE.lastIndex;
    if (m[2] === 'm' && !/[?<=>]/.test(m[1] ?? '')) style = applySgr(style, m[1] ?? '');
  }
  push(text.slice(last));
  return { spans, end: style };
}

/** The style after `text`, without building spans (fast path for lines without escapes). */
export function styleAfter(text: string, start: AnsiStyle = DEFAULT_STYLE): AnsiStyle {
  if (text.indexOf('\x1b') === -1) return start;
  let style = start;
  ESCAPE_RE.lastIndex = 0;
  for (let m = ESCAPE_RE.exec(text); m; m = ESCAPE_RE.exec(text)) {
    if (m[2] === 'm' && !/[?<=>]/.test(m[1] ?? '')) style = applySgr(style, m[1] ?? '');
  }
  return style;
}

/** The visible text: escapes and stray control characters removed. */
export function stripAnsi(text: string): string {
  if (text.indexOf('\x1b') === -1) return CONTROL_RE.test(text) ? text.replace(CONTROL_RE, '') : text;
  return text.replace(ESCAPE_RE, '').replace(/\x1b/g, '').replace(CONTROL_RE, '');
}

/** An SGR sequence that recreates `style` from the reset state (`""` for the default style). */
export function styleToSgr(style: AnsiStyle): string {
  if (isDefaultStyle(style)) return '';
  const codes: string[] = [];
  if (style.bold) codes.push('1');
  if (style.dim) codes.push('2');
  if (style.italic) codes.push('3');
  if (style.underline) codes.push('4');
  if (style.inverse) codes.push('7');
  if (style.hidden) codes.push('8');
  if (style.strike) codes.push('9');
  if (style.fg !== undefined) codes.push(colorCode(38, style.fg));
  if (style.bg !== undefined) codes.push(colorCode(48, style.bg));
  return `\x1b[${codes.join(';')}m`;
}

function colorCode(base: 38 | 48, c: AnsiColor): string {
  if (typeof c === 'number') {
    if (c < 8) return String(base - 8 + c);
    if (c < 16) return String(base + 52 + c - 8);
    return `${base};5;${c}`;
  }
  return `${base};2;${parseInt(c.slice(1, 3), 16)};${parseInt(c.slice(3, 5), 16)};${parseInt(c.slice(5, 7), 16)}`;
}

/**
 * Length of an unfinished escape sequence at the end of `text` (0 if none), so a stream can hold
 * it back until the next chunk completes it. Sequences longer than 256 characters are not waited for.
 */
export function pendingEscapeLength(text: string): number {
  const at = text.lastIndexOf('\x1b');
  if (at === -1 || text.length - at > 256) return 0;
  const rest = text.slice(at);
  if (rest.length === 1) return 1;
  if (rest[1] === '[') return /^\x1b\[[0-9;:?<=>]*[ -/]*[@-~]/.test(rest) ? 0 : rest.length;
  if (rest[1] === ']') return /\x07|\x1b\\/.test(rest.slice(2)) ? 0 : rest.length;
  return 0;
}

/** xterm's 256-colour palette entries 16–255 as `#rrggbb` (0–15 come from the theme's CSS). */
export function paletteColor(n: number): string {
  if (n < 16) return `var(--pb-ansi-${n})`;
  if (n < 232) {
    const i = n - 16;
    const steps = [0, 95, 135, 175, 215, 255];
    return `#${hex2(steps[Math.floor(i / 36)]!)}${hex2(steps[Math.floor(i / 6) % 6]!)}${hex2(steps[i % 6]!)}`;
  }
  const v = 8 + (n - 232) * 10;
  return `#${hex2(v)}${hex2(v)}${hex2(v)}`;
}
