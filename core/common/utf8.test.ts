import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8Length } from './utf8.ts';

test('counts UTF-8 bytes as Buffer.byteLength does, lone surrogates included', () => {
  for (const text of ['', 'ascii', 'é', '€', '😀', 'a😀b', '\ud800', '\udc00x', 'x\ud800', '\ud83d\ud83d\ude00']) {
    assert.equal(utf8Length(text), Buffer.byteLength(text), JSON.stringify(text));
  }
});
