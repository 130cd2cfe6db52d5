import { test } from 'node:test';
import assert from 'node:assert/strict';
import { senderProblem } from './ipc-sender.ts';

const page = { url: 'app://probebook/index.html', origin: 'app://probebook', isTop: true };

test('the top frame of an app window on the app origin may call', () => {
  assert.equal(senderProblem({ fromAppWindow: true, frame: page }), null);
});

test('drops calls from frames that are not ours', () => {
  const cases: [string, Parameters<typeof senderProblem>[0], RegExp][] = [
    ['another web contents', { fromAppWindow: false, frame: page }, /not a Probebook window/],
    ['a destroyed frame', { fromAppWindow: true, frame: null }, /gone/],
    ['an output frame', { fromAppWindow: true, frame: { ...page, isTop: false } }, /subframe/],
    [
      'a page navigated away',
      { fromAppWindow: true, frame: { url: 'https://evil.example/', origin: 'https://evil.example', isTop: true } },
      /not on the app origin/,
    ],
    ['a sandboxed app document (opaque origin)', { fromAppWindow: true, frame: { ...page, origin: 'null' } }, /not on the app origin/],
    [
      'a look-alike host',
      { fromAppWindow: true, frame: { url: 'app://probebook.evil/', origin: 'app://probebook.evil', isTop: true } },
      /not on the app origin/,
    ],
  ];
  for (const [what, facts, reason] of cases) assert.match(senderProblem(facts) ?? '', reason, what);
});
