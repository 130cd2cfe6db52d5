import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFromFrame, parseToFrame, MAX_FRAME_HEIGHT } from './frame-protocol.ts';
import { bundleFor, prepareFigure, WEBGL_POINTS } from './figure.ts';

test('frame messages are accepted only in their exact shapes', () => {
  assert.deepEqual(parseFromFrame({ type: 'pb-size', height: 321.2 }), { type: 'pb-size', height: 322 });
  assert.deepEqual(parseFromFrame({ type: 'pb-size', height: 1e9 }), { type: 'pb-size', height: MAX_FRAME_HEIGHT });
  assert.equal(parseFromFrame({ type: 'pb-size', height: '10' }), null);
  assert.equal(parseFromFrame({ type: 'pb-size', height: -1 }), null);
  assert.equal(parseFromFrame({ type: 'navigate', url: 'https://x' }), null);
  assert.equal(parseFromFrame('pb-ready'), null);
  assert.deepEqual(parseFromFrame({ type: 'pb-image', requestId: 3, dataUrl: 'data:image/png;base64,AAAA' }), {
    type: 'pb-image',
    requestId: 3,
    dataUrl: 'data:image/png;base64,AAAA',
  });
  assert.equal(parseFromFrame({ type: 'pb-image', requestId: 3, dataUrl: 'javascript:alert(1)' }), null);
  assert.equal(parseFromFrame({ type: 'pb-image', requestId: 3, dataUrl: 'data:text/html;base64,PHNjcmlwdD4=' }), null);
  assert.equal(parseFromFrame({ type: 'pb-error', message: 'x'.repeat(5000) })!.type, 'pb-error');
  assert.equal((parseFromFrame({ type: 'pb-error', message: 'x'.repeat(5000) }) as { message: string }).message.length, 2000);
});

test('the frame accepts only render, theme and export requests', () => {
  assert.deepEqual(parseToFrame({ type: 'pb-render', kind: 'html', html: '<b>x</b>', theme: 'dark' }), {
    type: 'pb-render',
    kind: 'html',
    html: '<b>x</b>',
    theme: 'dark',
  });
  assert.equal(parseToFrame({ type: 'pb-render', kind: 'plotly', figure: [] }), null);
  assert.equal(parseToFrame({ type: 'pb-export', requestId: 1, format: 'pdf' }), null);
  assert.deepEqual(parseToFrame({ type: 'pb-theme', theme: 'weird' }), { type: 'pb-theme', theme: 'light' });
});

test('PNG fallbacks: the frame takes a figure and a width, and answers a PNG data URL with its size or an error', () => {
  const figure = { data: [{ y: [1, 2] }] };
  assert.deepEqual(parseToFrame({ type: 'pb-fallback', requestId: 4, figure, width: 800 }), { type: 'pb-fallback', requestId: 4, figure, width: 800 });
  assert.equal(parseToFrame({ type: 'pb-fallback', requestId: 4, figure: [], width: 800 }), null);
  const png = 'data:image/png;base64,iVBORw0KGgo=';
  assert.deepEqual(parseFromFrame({ type: 'pb-fallback', requestId: 4, png, width: 800, height: 420 }), {
    type: 'pb-fallback',
    requestId: 4,
    png,
    width: 800,
    height: 420,
  });
  assert.deepEqual(parseFromFrame({ type: 'pb-fallback', requestId: 4, error: 'no plotly' }), { type: 'pb-fallback', requestId: 4, error: 'no plotly' });
  // Only a PNG, of a sane size, answering a request.
  assert.equal(parseFromFrame({ type: 'pb-fallback', requestId: 4, png: 'data:image/svg+xml;base64,PHN2Zz4=', width: 800, height: 420 }), null);
  assert.equal(parseFromFrame({ type: 'pb-fallback', requestId: 4, png, width: 0, height: 420 }), null);
  assert.equal(parseFromFrame({ type: 'pb-fallback', requestId: 4, png, width: 800, height: 1e6 }), null);
  assert.equal(parseFromFrame({ type: 'pb-fallback', requestId: '4', png, width: 800, height: 420 }), null);
});

test('figure layout keeps its own values over the theme and themes every named axis', () => {
  const { figure } = prepareFigure(
    { data: [{ y: [1, 2] }], layout: { paper_bgcolor: 'pink', xaxis2: { title: 'b' }, yaxis: { gridcolor: 'red' } } },
    'dark',
    true,
  );
  assert.equal(figure.layout['paper_bgcolor'], 'pink');
  assert.equal(figure.layout['plot_bgcolor'], '#1e1e1e');
  assert.deepEqual((figure.layout['yaxis'] as Record<string, unknown>)['gridcolor'], 'red');
  assert.equal((figure.layout['xaxis2'] as Record<string, unknown>)['gridcolor'], '#333a42');
  assert.deepEqual((figure.layout['xaxis2'] as Record<string, unknown>)['title'], { text: 'b' });
  assert.equal(figure.config['showLink'], false);
  assert.equal(figure.config['responsive'], true);
});

test('every axis of a themed layout is its own object (plotly writes the type it guesses back into it)', () => {
  const { figure } = prepareFigure({ data: [{ type: 'bar', x: ['a', 'b'], y: [1, 3] }], layout: { yaxis2: { overlaying: 'y' }, xaxis3: {} } }, 'light', false);
  const axes = ['xaxis', 'yaxis', 'yaxis2', 'xaxis3'].map((k) => figure.layout[k] as Record<string, unknown>);
  assert.equal(new Set(axes).size, 4);
  // What plotly does when it guesses the x axis's type.
  axes[0]!['type'] = 'category';
  assert.equal(axes[1]!['type'], undefined);
  // And the next figure's axes are not the ones the last figure's plot wrote into.
  const again = prepareFigure({ data: [{ x: [1], y: [2] }] }, 'light', false).figure.layout['yaxis'] as Record<string, unknown>;
  assert.equal(again['type'], undefined);
});

test('string titles (dropped by plotly.js 3) become { text } in the layout, its axes and traces; data is left alone', () => {
  const x = [1, 2, 3];
  const { figure } = prepareFigure(
    {
      data: [
        { x, y: [4, 5, 6], marker: { colorbar: { title: 'ms' } } },
        { type: 'pie', values: [1, 2], title: 'share' },
      ],
      layout: {
        title: 'Throughput',
        xaxis: { title: 'time (s)' },
        yaxis3: { title: { text: 'kept', font: { size: 9 } } },
        legend: { title: 'runs' },
        scene: { zaxis: { title: 'depth' } },
      },
    },
    'light',
    true,
  );
  const l = figure.layout as Record<string, Record<string, unknown>>;
  assert.deepEqual(l['title'], { text: 'Throughput' });
  assert.deepEqual(l['xaxis']!['title'], { text: 'time (s)' });
  assert.deepEqual(l['yaxis3']!['title'], { text: 'kept', font: { size: 9 } });
  assert.deepEqual(l['legend']!['title'], { text: 'runs' });
  assert.deepEqual((l['scene']!['zaxis'] as Record<string, unknown>)['title'], { text: 'depth' });
  assert.equal(l['margin']!['t'], 48, 'room for the title');
  assert.deepEqual((figure.data[0]!['marker'] as { colorbar: unknown }).colorbar, { title: { text: 'ms' } });
  assert.deepEqual(figure.data[1]!['title'], { text: 'share' });
  assert.equal(figure.data[0]!['x'], x, 'data arrays are passed as they are');
});

test('an axis only a trace names (a grid of subplots) gets the theme and automargin, as one the layout names', () => {
  const { figure } = prepareFigure(
    {
      data: [
        { type: 'bar', x: ['a'], y: [1] },
        { type: 'bar', x: ['a long process name (user, tcp)'], y: [2], xaxis: 'x2', yaxis: 'y2' },
      ],
      layout: { grid: { rows: 2, columns: 1, pattern: 'independent' }, yaxis2: { title: { text: 'MiB' } } },
    },
    'light',
    true,
  );
  const l = figure.layout as Record<string, Record<string, unknown>>;
  assert.equal(l['xaxis2']!['automargin'], true, 'the second x axis makes room for its tick labels');
  assert.equal(l['yaxis2']!['automargin'], true);
  assert.deepEqual(l['yaxis2']!['title'], { text: 'MiB' }, "the figure's own settings stay");
  assert.equal(l['xaxis1'], undefined, "'x' and 'x1' are the first axis: no xaxis1");
});

test('big scatter traces switch to WebGL, or stay SVG with a note when WebGL is missing', () => {
  const big = { x: Array.from({ length: WEBGL_POINTS + 1 }, (_, i) => i), y: Array.from({ length: WEBGL_POINTS + 1 }, (_, i) => i) };
  const withGl = prepareFigure({ data: [big, { type: 'bar', y: [1] }] }, 'light', true);
  assert.deepEqual(
    withGl.figure.data.map((t) => t['type']),
    ['scattergl', 'bar'],
  );
  assert.deepEqual(withGl.notes, []);
  const noGl = prepareFigure({ data: [big, { type: 'scattergl', y: [1] }] }, 'light', false);
  assert.deepEqual(
    noGl.figure.data.map((t) => t['type']),
    [undefined, 'scatter'],
  );
  assert.match(noGl.notes[0]!, /2 large traces are drawn as SVG/);
  assert.throws(() => prepareFigure({ layout: {} }, 'light', true), /not a plotly figure/);
});

test('a figure of cartesian traces loads the small plotly bundle; WebGL, 3D or unknown traces load the full one', () => {
  const fig = (...types: (string | undefined)[]) =>
    prepareFigure({ data: types.map((type) => (type ? { type, x: [1], y: [1] } : { x: [1], y: [1] })) }, 'light', true).figure;
  assert.equal(bundleFor(fig(undefined, 'bar', 'histogram', 'heatmap')), 'cartesian');
  assert.equal(bundleFor(fig('scatter', 'scatter3d')), 'full');
  assert.equal(bundleFor(fig('scattergl')), 'full');
  assert.equal(bundleFor(fig('sankey')), 'full');
  const big = prepareFigure(
    { data: [{ x: Array.from({ length: 20_000 }, (_, i) => i), y: Array.from({ length: 20_000 }, (_, i) => i) }] },
    'light',
    true,
  ).figure;
  assert.equal(bundleFor(big), 'full', 'a big scatter becomes scattergl, which only the full bundle draws');
  const bigNoGl = prepareFigure(
    { data: [{ x: Array.from({ length: 20_000 }, (_, i) => i), y: Array.from({ length: 20_000 }, (_, i) => i) }] },
    'light',
    false,
  ).figure;
  assert.equal(bundleFor(bigNoGl), 'cartesian');
});
