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
