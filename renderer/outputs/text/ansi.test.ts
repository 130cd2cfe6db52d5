import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_STYLE, paletteColor, parseAnsi, pendingEscapeLength, stripAnsi, styleAfter, styleToSgr } from './ansi.ts';

test('basic 16 colours and bold become styled spans', () => {
  const { spans, end } = parseAnsi('plain \x1b[1;31mred bold\x1b[0m back');
  assert.deepEqual(spans, [
    { text: 'plain ', style: DEFAULT_STYLE },
    { text: 'red bold', style: { bold: true, fg: 1 } },
    { text: ' back', style: DEFAULT_STYLE },
  ]);
  assert.equal(end, DEFAULT_STYLE);
});

test('bright, 256-colour and truecolor foreground and background', () => {
  assert.deepEqual(parseAnsi('\x1b[92mx').spans[0]!.style, { fg: 10 });
  assert.deepEqual(parseAnsi('\x1b[105mx').spans[0]!.style, { bg: 13 });
  assert.deepEqual(parseAnsi('\x1b[38;5;208mx').spans[0]!.style, { fg: 208 });
  assert.deepEqual(parseAnsi('\x1b[48;2;255;0;128mx').spans[0]!.style, { bg: '#ff0080' });
  assert.deepEqual(parseAnsi('\x1b[38:2::1:2:3mx').spans[0]!.style, { fg: '#010203' });
});

test('attribute resets clear only their attribute', () => {
  const s = parseAnsi('\x1b[1;3;4;7;9;32mA\x1b[22;23mB\x1b[39mC\x1b[24;27;29mD').spans;
  assert.deepEqual(
    s.map((x) => x.style),
    [
      { bold: true, italic: true, underline: true, inverse: true, strike: true, fg: 2 },
      { underline: true, inverse: true, strike: true, fg: 2 },
      { underline: true, inverse: true, strike: true },
      DEFAULT_STYLE,
    ],
  );
});

test('style carries from a start state and across calls', () => {
  const first = parseAnsi('a\x1b[33mb');
  const second = parseAnsi('c', first.end);
  assert.deepEqual(second.spans, [{ text: 'c', style: { fg: 3 } }]);
  assert.deepEqual(styleAfter('x\x1b[33my\x1b[1m'), { fg: 3, bold: true });
});

test('non-SGR escapes, OSC hyperlinks and stray controls are dropped', () => {
  const text = '\x1b[2K\x1b[1Gdone \x1b]8;;http://x\x07link\x1b]8;;\x07 \x07ok\x1b[?25l';
  assert.equal(stripAnsi(text), 'done link ok');
  assert.equal(
    parseAnsi(text)
      .spans.map((s) => s.text)
      .join(''),
    'done link ok',
  );
});

test('a style round-trips through its SGR sequence', () => {
  const style = parseAnsi('\x1b[1;4;38;5;99;48;2;1;2;3mx').end;
  assert.deepEqual(parseAnsi(`${styleToSgr(style)}y`).spans[0]!.style, style);
  assert.equal(styleToSgr(DEFAULT_STYLE), '');
});

test('an unfinished escape at the end of a chunk is reported for holding back', () => {
  assert.equal(pendingEscapeLength('abc\x1b'), 1);
  assert.equal(pendingEscapeLength('abc\x1b[1;3'), 5);
  assert.equal(pendingEscapeLength('abc\x1b[1;3m'), 0);
  assert.equal(pendingEscapeLength('abc\x1b]8;;http'), 9);
  assert.equal(pendingEscapeLength('plain'), 0);
});

test('256-colour palette maps the cube and the grey ramp', () => {
  assert.equal(paletteColor(16), '#000000');
  assert.equal(paletteColor(196), '#ff0000');
  assert.equal(paletteColor(232), '#080808');
  assert.equal(paletteColor(255), '#eeeeee');
  assert.equal(paletteColor(4), 'var(--pb-ansi-4)');
});
