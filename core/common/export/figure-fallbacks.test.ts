import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIME } from '../mime.ts';
import type { Notebook, Output } from '../notebook/model.ts';
import { applyPageFigures, figureHash, figuresToDraw, setFallback } from './figure-fallbacks.ts';

const FIGURE = { data: [{ type: 'bar', x: ['a', 'b'], y: [1, 2] }], layout: { title: 'T' } };

function figure(id: string, extra: Output['items'] = [], metadata?: Output['metadata']): Output {
  return { outputId: id, kind: 'display_data', items: [{ mime: MIME.plotly, data: FIGURE }, { mime: MIME.plain, data: 'fig' }, ...extra], metadata };
}

function notebook(outputs: Output[]): Notebook {
  return { nbformat: 4, nbformatMinor: 5, metadata: {}, cells: [{ id: 'c', cellType: 'code', source: '', metadata: {}, outputs, executionCount: 1 }] };
}

test('the hash of a figure ignores key order and changes with its data', () => {
  assert.equal(figureHash({ a: 1, b: [1, { c: 2, d: 3 }] }), figureHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
  assert.notEqual(figureHash(FIGURE), figureHash({ ...FIGURE, layout: { title: 'U' } }));
  assert.match(figureHash(FIGURE), /^[0-9a-f]{16}$/);
});

test('figures without a fallback, or with one drawn from another version, are drawn; the output’s own PNG is kept', () => {
  const fresh = figure('fresh');
  const current = figure('current', [{ mime: MIME.png, data: 'AAAA' }], { probebook: { pngOf: figureHash(FIGURE) } });
  const stale = figure('stale', [{ mime: MIME.png, data: 'AAAA' }], { probebook: { pngOf: '0000000000000000' } });
  const own = figure('own', [{ mime: MIME.png, data: 'BBBB' }]);
  const text: Output = { outputId: 't', kind: 'stream', items: [{ mime: MIME.stdout, data: 'x' }] };
  assert.deepEqual(
    figuresToDraw(notebook([fresh, current, stale, own, text])).map((f) => f.output.outputId),
    ['fresh', 'stale'],
  );
});

test('a fallback goes beside the figure with its size and record; drawing again replaces it', () => {
  const output = figure('f', [], { 'text/plain': { note: 'kept' } });
  const [todo] = figuresToDraw(notebook([output]));
  setFallback(todo!, { png: 'iVBORw0', width: 736.4, height: 420 });
  assert.deepEqual(
    output.items.map((i) => i.mime),
    [MIME.plotly, MIME.png, MIME.plain],
  );
  assert.deepEqual(output.metadata, { 'text/plain': { note: 'kept' }, 'image/png': { width: 736, height: 420 }, probebook: { pngOf: figureHash(FIGURE) } });
  assert.deepEqual(figuresToDraw(notebook([output])), []);
  (output.items[0]!.data as { layout: { title: string } }).layout = { title: 'changed' };
  const [again] = figuresToDraw(notebook([output]));
  setFallback(again!, { png: 'NEW', width: 700, height: 400 });
  assert.equal(output.items.filter((i) => i.mime === MIME.png).length, 1);
  assert.equal(output.items.find((i) => i.mime === MIME.png)!.data, 'NEW');
});

test('PNGs from the page are taken only where the host’s own hash of the figure matches; the rest is left to draw', () => {
  const matched = figure('matched');
  const stale = figure('stale');
  const unsent = figure('unsent');
  const own = figure('own', [{ mime: MIME.png, data: 'BBBB' }]);
  const nb = notebook([matched, stale, unsent, own]);
  const png = { png: 'iVBORw0', width: 800, height: 420 };
  const { applied, left } = applyPageFigures(nb, [
    { ...png, outputId: 'matched', figure: figureHash(FIGURE) },
    { ...png, outputId: 'stale', figure: figureHash({ ...FIGURE, layout: { title: 'older' } }) },
    // The output's own PNG is never replaced, whatever the page says.
    { ...png, outputId: 'own', figure: figureHash(FIGURE) },
    { ...png, outputId: 'nowhere', figure: figureHash(FIGURE) },
  ]);
  assert.equal(applied, 1);
  assert.deepEqual(
    left.map((t) => t.output.outputId),
    ['stale', 'unsent'],
  );
  assert.equal(matched.items.find((i) => i.mime === MIME.png)?.data, 'iVBORw0');
  assert.deepEqual(matched.metadata, { [MIME.png]: { width: 800, height: 420 }, probebook: { pngOf: figureHash(FIGURE) } });
  assert.equal(
    stale.items.some((i) => i.mime === MIME.png),
    false,
  );
  assert.equal(own.items.find((i) => i.mime === MIME.png)?.data, 'BBBB');
});
