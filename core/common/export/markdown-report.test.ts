import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIME } from '../mime.ts';
import type { Output } from '../notebook/model.ts';
import { fence, markdownForm, markdownTable, reportMarkdown } from './markdown-report.ts';
import type { ReportData } from './report-data.ts';

const out = (items: [string, unknown][]): Output => ({
  outputId: 'o',
  kind: 'display_data',
  items: items.map(([mime, data]) => ({ mime, data: data as never })),
});
const none = { table: null, chart: false };
const table = { headers: ['key', 'value'], rows: [['curl', '10']] };

test('a fence is longer than any run of backticks in its text', () => {
  assert.equal(fence('ls\n', 'sh'), '```sh\nls\n```');
  assert.equal(fence('a ```` b'), '`````\na ```` b\n`````');
});

test('Markdown tables escape pipes and newlines and pad short rows', () => {
  assert.equal(markdownTable({ headers: ['a|b', 'c'], rows: [['1\n2'], ['x', 'y', 'z']] }), '| a\\|b | c |\n| --- | --- |\n| 1<br>2 |  |\n| x | y |');
});

test('each output gets the form that reads best in Markdown', () => {
  assert.equal(
    markdownForm(
      out([
        [MIME.plotly, {}],
        [MIME.plain, 'fig'],
      ]),
      none,
    ),
    'figure',
  );
  assert.equal(
    markdownForm(
      out([
        [MIME.bpftrace, {}],
        [MIME.plain, '@h: …'],
      ]),
      { table: null, chart: true },
    ),
    'figure',
  );
  assert.equal(
    markdownForm(
      out([
        [MIME.bpftrace, {}],
        [MIME.plain, '@: …'],
      ]),
      { table, chart: false },
    ),
    'table',
  );
  assert.equal(markdownForm(out([[MIME.rules, {}]]), { table, chart: false }), 'table');
  assert.equal(
    markdownForm(
      out([
        [MIME.packets, {}],
        [MIME.plain, '1 0.0 a > b'],
      ]),
      { table, chart: false },
    ),
    'text',
  );
  assert.equal(
    markdownForm(
      out([
        [MIME.pwru, {}],
        [MIME.plain, ''],
      ]),
      none,
    ),
    'figure',
  );
  assert.equal(markdownForm(out([[MIME.png, 'iVBOR']]), none), 'image');
  assert.equal(markdownForm(out([[MIME.markdown, '*x*']]), none), 'markdown');
  assert.equal(markdownForm({ outputId: 's', kind: 'stream', items: [{ mime: MIME.stdout, data: 'hi' }] }, none), 'text');
  assert.equal(markdownForm(out([[MIME.html, '<b>x</b>']]), none), 'figure');
});

test('the report as Markdown: title block, cells, outputs in their forms, the environment', () => {
  const data: ReportData = {
    version: 1,
    title: 'Lab',
    author: 'Ada',
    date: '2026-12-07',
    fileName: 'lab.ipynb',
    trusted: true,
    showCode: true,
    showOutputs: true,
    paper: 'a4',
    environment: { kernel: '6.1.0', tools: { bpftrace: 'v0.17.0' } },
    cells: [
      { kind: 'markdown', language: null, source: '## Intro\n', name: null, executionCount: null, outputs: [] },
      { kind: 'code', language: 'shell', source: 'ls', name: null, executionCount: 1, outputs: [] },
      { kind: 'code', language: 'bpftrace', source: 'BEGIN {}', name: null, executionCount: 2, outputs: [] },
    ],
  };
  const md = reportMarkdown(
    data,
    [
      { cell: 1, blocks: [{ form: 'text', text: 'a\nb\n', lang: '' }] },
      {
        cell: 2,
        blocks: [
          { form: 'table', table, note: null },
          { form: 'figure', id: '2-1', alt: 'Figure [x]' },
          { form: 'image', mime: MIME.png, data: 'iVBOR', alt: 'img' },
        ],
      },
    ],
    { figure: (id) => `lab_files/figure-${id}.png`, image: (c, n) => `lab_files/image-${c}-${n}.png` },
  );
  assert.equal(
    md,
    [
      '# Lab',
      'Ada · 2026-12-07 · lab.ipynb',
      '## Intro',
      '```sh\nls\n```',
      '```\na\nb\n```',
      '```bpftrace\nBEGIN {}\n```',
      '| key | value |\n| --- | --- |\n| curl | 10 |',
      '![Figure  x](lab_files/figure-2-1.png)',
      '![img](lab_files/image-2-0.png)',
      '## Measured on',
      '| Machine |   |\n| --- | --- |\n| Kernel | 6.1.0 |',
      '| Tools |   |\n| --- | --- |\n| bpftrace | v0.17.0 |',
    ].join('\n\n') + '\n',
  );
  const bare = reportMarkdown({ ...data, showCode: false, showOutputs: false, environment: null }, [], { figure: () => '', image: () => '' });
  assert.equal(bare, '# Lab\n\nAda · 2026-12-07 · lab.ipynb\n\n## Intro\n');
});
