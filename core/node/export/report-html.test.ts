import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { reportData, type ReportData } from '../../common/export/report-data.ts';
import { MIME } from '../../common/mime.ts';
import type { Notebook } from '../../common/notebook/model.ts';
import { reportCsp, reportHtml, reportPlotlyBundle } from './report-html.ts';

function data(figures: unknown[], extra: Partial<ReportData> = {}): ReportData {
  const nb: Notebook = {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: { title: 'A </script><script>alert(1)</script> title' },
    cells: [
      {
        id: 'c',
        cellType: 'code',
        source: 'echo "</script>"',
        metadata: {},
        executionCount: 1,
        outputs: figures.map((f, i) => ({ outputId: `o${i}`, kind: 'display_data' as const, items: [{ mime: MIME.plotly, data: f as never }] })),
      },
    ],
  };
  return { ...reportData(nb, { fileName: 'n.ipynb', trusted: false, date: '2026-12-07' }), ...extra };
}

const assets = {
  script: 'window.report = 1;',
  css: 'body { color: red } /* </style> */',
  plotly: (bundle: 'cartesian' | 'full') => `window.Plotly = '${bundle}';`,
};

test('the report lets exactly its inline scripts run, by hash, and loads nothing', () => {
  const html = reportHtml(data([{ data: [{ type: 'bar' }] }]), assets);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replace(/&#39;|&apos;/g, "'");
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  assert.deepEqual(scripts, ["window.Plotly = 'cartesian';", 'window.report = 1;']);
  for (const s of scripts) assert.ok(csp.includes(`'sha256-${createHash('sha256').update(s).digest('base64')}'`), s);
  assert.match(csp, /^default-src 'none'; /);
  assert.doesNotMatch(csp, /unsafe-eval|https?:|'self'/);
  assert.equal(csp, reportCsp(scripts));
});

test('notebook text cannot end the data element, the title or the stylesheet', () => {
  const html = reportHtml(data([]), assets);
  // One data element, and only the two scripts of ours: nothing from the notebook became markup.
  assert.equal(html.match(/<script/g)!.length, 2);
  assert.equal(html.match(/<\/style>/g)!.length, 1);
  const json = /<script id="pb-report-data" type="application\/json">(.*)<\/script>/.exec(html)![1]!;
  assert.equal(JSON.parse(json).cells[0].source, 'echo "</script>"');
  assert.match(html, /<title>A &lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt; title<\/title>/);
});

test('plotly is inlined only for figures, as the smallest bundle that draws them', () => {
  assert.equal(reportPlotlyBundle(data([])), null);
  assert.equal(reportPlotlyBundle(data([{ data: [{ type: 'bar' }, { x: [1] }] }])), 'cartesian');
  // WebGL is off in reports: scattergl is drawn as scatter.
  assert.equal(reportPlotlyBundle(data([{ data: [{ type: 'scattergl' }] }])), 'cartesian');
  assert.equal(reportPlotlyBundle(data([{ data: [{ type: 'sankey' }] }])), 'full');
  assert.equal(reportPlotlyBundle(data([{ data: [{ type: 'sankey' }] }], { showOutputs: false })), null);
  assert.doesNotMatch(reportHtml(data([]), assets), /Plotly/);
});

test('a script that would end its element is refused, not inlined', () => {
  assert.throws(() => reportHtml(data([]), { ...assets, script: 'let s = "</SCRIPT>";' }), /contains "<\/script"/);
});
