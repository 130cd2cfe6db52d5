/**
 * A JSON parser for bpftrace's output lines that keeps what JSON.parse loses: the order of object
 * keys (bpftrace prints maps sorted by value; integer-like keys would be reordered by a JS object),
 * integers beyond 2^53 (kept exact as decimal strings), and the unquoted `0x…` pointers that
 * bpftrace 0.18–0.21 printed.
 */

/** An object with its entries in file order. */
export class OrderedObject {
  constructor(readonly entries: [string, OrderedJson][]) {}
  get(key: string): OrderedJson | undefined {
    return this.entries.find(([k]) => k === key)?.[1];
  }
}

export type OrderedJson = null | boolean | number | string | OrderedJson[] | OrderedObject;

class OrderedJsonError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at column ${position + 1}`);
  }
}

const ORDERED_JSON_MAX_DEPTH = 128;

export function parseOrderedJson(text: string): OrderedJson {
  let i = 0;
  const fail = (message: string): never => {
    throw new OrderedJsonError(message, i);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const value = (depth: number): OrderedJson => {
    if (depth > ORDERED_JSON_MAX_DEPTH) fail(`nesting deeper than ${ORDERED_JSON_MAX_DEPTH}`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, OrderedJson][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return new OrderedObject(entries);
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a quoted key');
        const key = string();
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        entries.push([key, value(depth + 1)]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return new OrderedObject(entries);
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const items: OrderedJson[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return items;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    return number();
  };
  const string = (): string => {
    const start = ++i;
    let out = '';
    let chunkStart = start;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(chunkStart, i);
        i++;
        return out;
      }
      if (c === 92) {
        out += text.slice(chunkStart, i);
        const e = text[i + 1];
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            fail('bad escape');
        }
        i += 2;
        chunkStart = i;
        continue;
      }
      i++;
    }
    return fail('unterminated string');
  };
  const number = (): number | string => {
    const hex = /^-?0x[0-9a-fA-F]+/.exec(text.slice(i, i + 20));
    if (hex) {
      i += hex[0].length;
      const big = BigInt(hex[0]);
      return exactNumber(big.toString());
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail(i >= text.length ? 'unexpected end of line' : `unexpected ${JSON.stringify(text[i])}`);
    i += m[0].length;
    return exactNumber(m[0]);
  };
  const result = value(0);
  ws();
  if (i < text.length) fail('unexpected text after the value');
  return result;
}

/** A number, or its decimal string when a JS number cannot hold it exactly. */
function exactNumber(literal: string): number | string {
  const n = Number(literal);
  if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(n)) return literal.replace(/^(-?)0+(?=\d)/, '$1');
  return n;
}
