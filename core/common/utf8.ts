/** UTF-8 without Node's Buffer (core/common runs in the page too). */

const NON_ASCII = /[^\x00-\x7f]/;

/** The length of `text` in UTF-8 bytes, as Buffer.byteLength counts it (a lone surrogate is 3 bytes, U+FFFD). */
export function utf8Length(text: string): number {
  // ASCII (most tool output): one byte a character, told by the regex engine, not a JS loop.
  if (!NON_ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * UTF-8 bytes as text, as TextDecoder (not fatal) decodes them: each malformed sequence becomes
 * U+FFFD. core/common has no TextDecoder in its types (it runs in Node and the page alike).
 */
export function decodeUtf8(bytes: Uint8Array): string {
  let out = '';
  let chunk: number[] = [];
  const flush = () => {
    out += String.fromCodePoint(...chunk);
    chunk = [];
  };
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    let cp = 0xfffd;
    let n = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b <= 0xf4) {
      const need = b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
      let value = b & (0x3f >> need);
      let ok = true;
      for (let k = 1; k <= need; k++) {
        const c = bytes[i + k];
        // The second byte's range rules out overlong forms, surrogates and code points past U+10FFFF.
        const lo = k === 1 && b === 0xe0 ? 0xa0 : k === 1 && b === 0xf0 ? 0x90 : 0x80;
        const hi = k === 1 && b === 0xed ? 0x9f : k === 1 && b === 0xf4 ? 0x8f : 0xbf;
        if (c === undefined || c < lo || c > hi) {
          ok = false;
          n = k;
          break;
        }
        value = (value << 6) | (c & 0x3f);
      }
      if (ok) {
        cp = value;
        n = need + 1;
      }
    }
    chunk.push(cp);
    if (chunk.length >= 4096) flush();
    i += n;
  }
  flush();
  return out;
}

/** Bytes as Latin-1 text: one character a byte (protocol headers that are ASCII by definition). */
export function decodeLatin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096) out += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return out;
}
