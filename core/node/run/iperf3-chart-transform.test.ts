import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIME } from '../../common/mime.ts';
import type { Cell, OutputItem } from '../../common/notebook/model.ts';
import { streamOutput } from '../../common/notebook/outputs.ts';
import type { ExecutionResult, OutputSink } from '../kernels/kernel.ts';
import { iperf3ChartTransform } from './iperf3-chart-transform.ts';

const json = readFileSync(join(import.meta.dirname, '../../../test/fixtures/iperf3/iperf3-J-tcp-P2.json'), 'utf8');
const ok: ExecutionResult = { status: 'ok', stopped: false, durationMs: 1 };

/** The display calls the transform makes for a cell that printed `text` on stdout. */
function displays(text: string, language: 'shell' | 'bpftrace', result: ExecutionResult, truncated?: boolean): OutputItem[][] {
  const output = streamOutput('stdout', text);
  if (truncated) output.truncated = { bytes: 100, lines: 1 };
  const cell: Cell = { id: 'c', cellType: 'code', source: 'iperf3 -c x -J', metadata: {}, outputs: [output], executionCount: 1 };
  const shown: OutputItem[][] = [];
  const sink = { display: (items: OutputItem[]) => shown.push(items) } as unknown as OutputSink;
  iperf3ChartTransform.afterCell(cell, { language, result }, sink);
  return shown;
}

test('a shell cell that printed iperf3 -J gets a plotly chart and a summary line', () => {
  const [items, ...more] = displays(json, 'shell', ok);
  assert.deepEqual(more, []);
  assert.deepEqual(
    items?.map((i) => i.mime),
    [MIME.plotly, MIME.plain],
  );
  assert.match(String(items![1]!.data), /^iperf3: [\d.]+ Mbit\/s/);
});

test('no chart for a failed cell, another language, cut-off output or other text', () => {
  assert.deepEqual(displays(json, 'shell', { ...ok, status: 'failed' }), []);
  assert.deepEqual(displays(json, 'bpftrace', ok), []);
  assert.deepEqual(displays(json, 'shell', ok, true), []);
  assert.deepEqual(displays('hello\n', 'shell', ok), []);
});
