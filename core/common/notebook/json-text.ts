/**
 * JSON the way Jupyter reads and writes it. Reading keeps number literals that a JS number would
 * change (`1.0`, `1e-05`, integers beyond 2^53) as {@link NumberLiteral}s; writing matches
 * Python's `json.dumps(indent=1, sort_keys=True, ensure_ascii=False)` byte for byte, so a
 * notebook that round-trips unchanged diffs clean.
 */
import { parse as parseLossless } from 'lossless-json';

/** A number whose literal a JS number would not reproduce; written back exactly as read. */
export class NumberLiteral {
  constructor(readonly literal: string) {}
  /** Over the protocol (JSON.stringify) it is a plain number. */
  toJSON(): number {
    return Number(this.literal);
  }
  valueOf(): number {
    return Number(this.literal);
  }
}

/**
 * A string that nbformat stores as its list of lines (a stream's text). {@link stringifyJupyterParts}
 * leaves it for the caller to write (as bytes, straight from the text: 600,000 lines then cost no
 * array of lines), or as the list `lines(text)` ({@link linesJson}).
 */
export class LinesOfText {
  constructor(
    readonly text: string,
    readonly lines: (text: string) => string[],
  ) {}
}

/** A {@link LinesOfText} left in the written parts, with the depth it is written at. */
export interface LinesAt {
  value: LinesOfText;
  depth: number;
}

/** What keeps a text from being written straight: escapes, surrogates, line ends other than `\n` (Python's splitlines knows more). */
const NOT_DIRECT = /[\x00-\x09\x0b-\x1f"\\\x85\u2028\u2029\ud800-\udfff]/;

/**
 * Whether `text`, as its list of lines at `depth`, is written as `[`, the indentation, `"`, the
 * text with each `\n` but a last one replaced by `rowEnd(depth)`, `\\n` if it ends with one, then
 * `"`, a newline, the outer indentation and `]`: true when nothing in it needs escaping and only
 * `\n` ends its lines. Else {@link linesJson} writes it.
 */
export function isDirectText(text: string): boolean {
  return text !== '' && !NOT_DIRECT.test(text);
}

/** What a line end becomes in a {@link isDirectText} text written at `depth`. */
export function rowEnd(depth: number): string {
  return `\\n",\n${' '.repeat(depth + 1)}"`;
}

/** A {@link LinesOfText} as JSON at `depth`, the general way (the list of its lines). */
export function linesJson({ value, depth }: LinesAt): string {
  const out: string[] = [];
  write(value.lines(value.text), depth, out);
  return out.join('');
}

/** A parse failure with its 1-based position. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/**
 * How deep JSON may nest, in a file read and in what is written or edited (an object or list is
 * one level; the notebook itself is the first). One number for the reader, the writer and the edit
 * validation, so nothing can be edited in that the app could not read back.
 */
export const MAX_JSON_DEPTH = 256;

/** Limits that keep a hostile file from exhausting memory or the stack. */
export const JSON_LIMITS = { maxBytes: 512 * 1024 * 1024, maxDepth: MAX_JSON_DEPTH };

/** A value nested deeper than {@link MAX_JSON_DEPTH}: refused before anything recurses into it. */
export class JsonDepthError extends Error {
  override name = 'JsonDepthError';
}

/**
 * The nesting depth of a value (0 for a primitive), counted without recursion and stopping as soon
 * as it passes `limit`, so a value nested a million levels costs no stack and little time.
 */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object' || v instanceof NumberLiteral) continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/**
 * Whether JSON text nests deeper than `limit`, by one pass over its brackets outside strings:
 * run before `JSON.parse` on text from a socket (parsing 16 MiB of `[` takes V8 seconds).
 */
export function jsonTextNestedDeeper(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
  return false;
}

export function parseJsonText(text: string): unknown {
  if (text.length > JSON_LIMITS.maxBytes) {
    throw new JsonSyntaxError(`the file is larger than ${JSON_LIMITS.maxBytes / 1024 / 1024} MiB`, 1, 1);
  }
  // Most notebooks have no number a JS number would change and no repeated key: the native parser
  // reads them (10–50× faster than the lossless one) into the very same value. The rest, and text
  // that is not JSON (for the lossless parser's error position), take the lossless parser.
  if (scan(text) === 'native') {
    try {
      return JSON.parse(text);
    } catch {
      // not JSON: the lossless parser says where
    }
  }
  try {
    return parseLossless(text, null, (literal) => {
      const value = Number(literal);
      return String(value) === literal ? value : new NumberLiteral(literal);
    });
  } catch (error) {
    const message = (error as Error).message;
    const position = Number(/at position (\d+)/.exec(message)?.[1] ?? 0);
    const { line, column } = lineColumn(text, position);
    throw new JsonSyntaxError(message.replace(/ at position \d+$/, ''), line, column);
  }
}

/**
 * One pass over the text before any parser sees it. Rejects nesting deeper than the limit (the
 * lossless parser is recursive). Says `lossless` when the native parser would not give what the
 * lossless one gives: a number literal that a JS number does not write back the same (`1.0`,
 * `1e-05`, `-0`, integers beyond 2^53), or a key written twice in one object (the lossless parser
 * refuses it; the native one would keep the last).
 */
function scan(text: string): 'native' | 'lossless' {
  let depth = 0;
  let lossless = false;
  // Per open bracket: null for an array; for an object, undefined until its first key, then that
  // key, then a set of its keys from the second on.
  const keys: (Set<string> | string | null | undefined)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
      if (lossless || depth === 0) continue;
      const top = keys[depth - 1];
      if (top === null) continue;
      let j = i + 1;
      while (j < text.length && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 58 /* : */) continue;
      let key = text.slice(start + 1, i);
      if (key.includes('\\')) {
        try {
          key = JSON.parse(`"${key}"`) as string; // "\u0061" and "a" are one key
        } catch {
          continue; // not a JSON string: the parsers say so
        }
      }
      if (top === undefined) keys[depth - 1] = key;
      else if (typeof top === 'string') {
        if (top === key) lossless = true;
        else keys[depth - 1] = new Set([top, key]);
      } else if (top.has(key)) lossless = true;
      else top.add(key);
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > JSON_LIMITS.maxDepth) {
        const { line, column } = lineColumn(text, i);
        throw new JsonSyntaxError(`nesting deeper than ${JSON_LIMITS.maxDepth} levels`, line, column);
      }
      keys[depth - 1] = c === 91 ? null : undefined;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      keys.length = Math.max(0, --depth);
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57) /* 0-9 */) {
      const start = i;
      while (i + 1 < text.length && isNumberChar(text.charCodeAt(i + 1))) i++;
      if (!lossless) {
        const literal = text.slice(start, i + 1);
        // Short plain integers always write back the same; only the rest are worth a check.
        if ((literal.length > 15 || !/^-?(0|[1-9][0-9]*)$/.test(literal)) && String(Number(literal)) !== literal) lossless = true;
        else if (literal === '-0') lossless = true;
      }
    }
  }
  return lossless ? 'lossless' : 'native';
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Characters of a JSON number after its first: digits, `.`, `e`/`E`, signs. */
function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45;
}

function lineColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: position - lineStart + 1 };
}

function checkDepth(value: unknown): void {
  // The writer recurses: deeper input is refused here, before it can exhaust the stack (V8 aborts
  // the whole process, not just this call, when a regular expression compiles with none left).
  if (jsonDepth(value) > MAX_JSON_DEPTH) {
    throw new JsonDepthError(`the JSON nests deeper than ${MAX_JSON_DEPTH} levels, more than any notebook reader (Probebook's included) reads back`);
  }
}

/**
 * Python's `json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False, separators=(",", ": "))`,
 * in parts: each {@link LinesOfText} is left for the caller to write (as {@link linesJson} or, when
 * {@link isDirectText}, straight from its text).
 */
export function stringifyJupyterParts(value: unknown): (string | LinesAt)[] {
  checkDepth(value);
  const parts: (string | LinesAt)[] = [];
  write(value, 0, parts, true);
  return parts;
}

/** Writes `value` at `depth` into `out`; with `keep`, each {@link LinesOfText} is left there as it is. */
function write(value: unknown, depth: number, out: (string | LinesAt)[], keep = false): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'string') {
    out.push(quote(value));
  } else if (typeof value === 'number') {
    out.push(pythonNumber(value));
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (value instanceof NumberLiteral) {
    out.push(value.literal);
  } else if (value instanceof LinesOfText) {
    if (keep) out.push({ value, depth });
    else write(value.lines(value.text), depth, out);
  } else if (Array.isArray(value)) {
    if (value.length === 0) return void out.push('[]');
    const pad = `\n${' '.repeat(depth + 1)}`;
    if (value.every((v) => typeof v === 'string')) {
      // Lines of sources and streams (often hundreds of thousands): native JSON.stringify indents
      // them as Python does; its output has no raw newline but its own, so re-indenting is safe.
      // Nesting it `depth` lists deep makes the native indentation the one it has here.
      let nested: unknown = value;
      for (let d = 0; d < depth; d++) nested = [nested];
      const text = JSON.stringify(nested, null, 1);
      out.push(text.slice(text.lastIndexOf('[', text.indexOf('"')), text.indexOf(']', text.lastIndexOf('"')) + 1));
      return;
    }
    out.push('[');
    value.forEach((item, i) => {
      out.push(i === 0 ? pad : `,${pad}`);
      write(item, depth + 1, out, keep);
    });
    out.push(`\n${' '.repeat(depth)}]`);
  } else if (typeof value === 'object') {
    const keys = Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort(compareCodePoints);
    if (keys.length === 0) return void out.push('{}');
    const pad = `\n${' '.repeat(depth + 1)}`;
    out.push('{');
    keys.forEach((key, i) => {
      out.push(i === 0 ? pad : `,${pad}`);
      out.push(quote(key), ': ');
      write((value as Record<string, unknown>)[key], depth + 1, out, keep);
    });
    out.push(`\n${' '.repeat(depth)}}`);
  } else {
    throw new TypeError(`cannot write a ${typeof value} as JSON`);
  }
}

/** Python sorts keys by code point; JS's default sort compares UTF-16 units. */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

/** JSON.stringify escapes as Python does with ensure_ascii=False (both use lowercase \u00XX). */
function quote(text: string): string {
  return JSON.stringify(text);
}

/** Python writes integral floats it produced as `1.0`; JS numbers we made are ints or plain floats. */
function pythonNumber(n: number): string {
  // Python would write `Infinity`, which is not JSON. Literals read from a file (`1e999`) come
  // here as NumberLiterals and keep their text; a computed non-finite number is what
  // JSON.stringify (the protocol) makes of it.
  if (!Number.isFinite(n)) return 'null';
  const text = String(n);
  // Python's repr uses 1e-05 and 1e+16 where JS writes 0.00001 and 10000000000000000.
  const exp = /^(-?\d(?:\.\d+)?)e([+-])(\d+)$/.exec(text);
  if (exp) return `${exp[1]}e${exp[2]}${exp[3]!.padStart(2, '0')}`;
  return text;
}
