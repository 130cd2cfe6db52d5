import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLatin1, decodeUtf8, utf8Length } from './utf8.ts';

test('counts UTF-8 bytes as Buffer.byteLength does, lone surrogates included', () => {
  for (const text of ['', 'ascii', 'é', '€', '😀', 'a😀b', '\ud800', '\udc00x', 'x\ud800', '\ud83d\ud83d\ude00']) {
    assert.equal(utf8Length(text), Buffer.byteLength(text), JSON.stringify(text));
  }
});

test('decodeUtf8 decodes as TextDecoder does, malformed sequences included', () => {
  const cases = [
    [0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f],
    [0xf0, 0x9f, 0x93, 0xa6, 0x20, 0xe2, 0x82, 0xac],
    [0xff, 0xfe, 0x41],
    [0xc3],
    [0xe2, 0x82],
    [0xed, 0xa0, 0x80],
    [0xc0, 0xaf],
    [0xf4, 0x90, 0x80, 0x80],
    [0xe0, 0x80, 0xaf, 0x41],
    Array.from({ length: 10_000 }, (_, i) => 0x61 + (i % 26)),
  ];
  for (const bytes of cases) {
    const u8 = Uint8Array.from(bytes);
    assert.equal(decodeUtf8(u8), new TextDecoder().decode(u8), JSON.stringify(bytes.slice(0, 8)));
  }
  assert.equal(decodeLatin1(Uint8Array.from([0x47, 0x45, 0x54, 0xe9])), 'GET\u00e9');
});
