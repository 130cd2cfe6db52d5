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

/** Limits that keep a hostile file from exhausting memory or the stack. */
export const JSON_LIMITS = { maxBytes: 512 * 1024 * 1024, maxDepth: 256 };

export function parseJsonText(text: string): unknown {
  if (text.length > JSON_LIMITS.maxBytes) {
    throw new JsonSyntaxError(`the file is larger than ${JSON_LIMITS.maxBytes / 1024 / 1024} MiB`, 1, 1);
  }
  checkDepth(text);
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

/** Rejects nesting deeper than the limit before the recursive parser sees it. */
function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > JSON_LIMITS.maxDepth) {
        const { line, column } = lineColumn(text, i);
        throw new JsonSyntaxError(`nesting deeper than ${JSON_LIMITS.maxDepth} levels`, line, column);
      }
    } else if (c === 125 || c === 93) depth--;
  }
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

/** Python's `json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False, separators=(",", ": "))`. */
export function stringifyJupyter(value: unknown): string {
  const parts: string[] = [];
  write(value, 0, parts);
  return parts.join('');
}

function write(value: unknown, depth: number, out: string[]): void {
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
  } else if (Array.isArray(value)) {
    if (value.length === 0) return void out.push('[]');
    const pad = '\n' + ' '.repeat(depth + 1);
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
      out.push(i === 0 ? pad : ',' + pad);
      write(item, depth + 1, out);
    });
    out.push('\n' + ' '.repeat(depth) + ']');
  } else if (typeof value === 'object') {
    const keys = Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort(compareCodePoints);
    if (keys.length === 0) return void out.push('{}');
    const pad = '\n' + ' '.repeat(depth + 1);
    out.push('{');
    keys.forEach((key, i) => {
      out.push(i === 0 ? pad : ',' + pad);
      out.push(quote(key), ': ');
      write((value as Record<string, unknown>)[key], depth + 1, out);
    });
    out.push('\n' + ' '.repeat(depth) + '}');
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
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN';
  const text = String(n);
  // Python's repr uses 1e-05 and 1e+16 where JS writes 0.00001 and 10000000000000000.
  const exp = /^(-?\d(?:\.\d+)?)e([+-])(\d+)$/.exec(text);
  if (exp) return `${exp[1]}e${exp[2]}${exp[3]!.padStart(2, '0')}`;
  return text;
}
