import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { buildPrelude, quote } from './shell-prelude.ts';

/** What bash makes of a quoted word. */
function bashValue(word: string): string {
  return execFileSync('bash', ['--norc', '-c', `printf %s ${word}`], { encoding: 'utf8' });
}

test('quote gives one bash word on one line for any text, and bash reads it back unchanged', () => {
  for (const text of ['plain', 'with space', "it's", '$HOME `id` \\ "q"', 'tab\there', 'new\nline\r\n', 'é漢🚀', '\x01\x1b[31mred\x7f', '-n', '*', '']) {
    const word = quote(text);
    assert.doesNotMatch(word, /\n/, `one line for ${JSON.stringify(text)}`);
    assert.equal(bashValue(word), text, `round trip of ${JSON.stringify(text)} as ${word}`);
  }
});

test('NUL cannot be in a bash string and is dropped', () => {
  assert.equal(bashValue(quote('a\0b')), 'ab');
});

test('the prelude is a single line whatever the code, state and variables hold', () => {
  const prelude = buildPrelude({
    code: 'echo 1\necho 2\n',
    cwd: '/tmp/with\nnewline',
    state: 'declare -x A="1\n2"\n__pb_dir=/tmp\n',
    env: { X: 'a\nb' },
    stateFile: '/run/x/1.state',
  });
  assert.equal(prelude.split('\n').length, 1);
});
