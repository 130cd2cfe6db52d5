import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIME } from '../../common/mime.ts';
import type { Cell, OutputItem } from '../../common/notebook/model.ts';
import { streamOutput } from '../../common/notebook/outputs.ts';
import type { BpfProgramPayload, PacketsPayload } from '../../common/packets/payload.ts';
import type { OutputSink } from '../kernels/kernel.ts';
import { tcpdumpTransform } from './tcpdump-transform.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../test/fixtures/tcpdump', name), 'utf8');

function shellCell(source: string, outputs: Cell['outputs']): Cell {
  return { id: 'c', cellType: 'code', source, metadata: {}, outputs, executionCount: 1 };
}

/** Runs the transform and returns what it did through the sink, in order. */
function transform(cell: Cell): { calls: string[]; displays: OutputItem[][]; streams: string[] } {
  const calls: string[] = [];
  const displays: OutputItem[][] = [];
  const streams: string[] = [];
  const sink: OutputSink = {
    stream: (name, text) => (calls.push(`stream:${name}`), streams.push(text)),
    display: (items) => (calls.push('display'), displays.push(items)),
    update: () => calls.push('update'),
    clear: () => calls.push('clear'),
    error: () => calls.push('error'),
  };
  tcpdumpTransform.afterCell(cell, { language: 'shell', result: { status: 'ok', stopped: false, durationMs: 1 } }, sink);
  return { calls, displays, streams };
}

test("tcpdump's -X text becomes a packet view in the stdout's place, its text/plain exactly what was printed", () => {
  const text = fixture('local-X-with-banner.txt');
  const banner = 'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n';
  const cell = shellCell('tcpdump -i lo -c 5 -nn -tt -X udp 2>&1', [streamOutput('stdout', text, 1), streamOutput('stderr', banner, 2)]);
  const { calls, displays, streams } = transform(cell);
  assert.deepEqual(calls, ['clear', 'display', 'stream:stderr']);
  const [packets, plain] = displays[0]!;
  assert.equal(packets!.mime, MIME.packets);
  assert.equal(plain!.mime, MIME.plain);
  assert.equal(plain!.data, text, 'nothing of the text is lost');
  assert.equal(streams[0], banner);
  const payload = packets!.data as unknown as PacketsPayload;
  assert.equal(payload.source, 'text');
  assert.equal(payload.count, payload.text!.packets.length);
  assert.ok(payload.count >= 2, `${payload.count} packets`);
  assert.equal(payload.command, 'tcpdump -i lo -c 5 -nn -tt -X udp 2>&1');
  for (const p of payload.text!.packets) {
    assert.match(p.hex ?? '', /^45/, 'with -X the bytes start at the IPv4 header');
    assert.equal(p.bytesFrom, 'network');
  }
  assert.equal(payload.text!.packets[0]!.sinceFirstNs, 0);
});

test('tcpdump -d becomes a BPF program view with the filter expression from the cell', () => {
  const dump = [
    '(000) ldh      [12]',
    '(001) jeq      #0x800           jt 2\tjf 5',
    '(002) ldb      [23]',
    '(003) jeq      #0x6             jt 4\tjf 5',
    '(004) ret      #262144',
    '(005) ret      #0',
    '',
  ].join('\n');
  const { calls, displays } = transform(shellCell("tcpdump -y EN10MB -d 'ip and tcp'", [streamOutput('stdout', dump, 1)]));
  assert.deepEqual(calls, ['clear', 'display']);
  const payload = displays[0]![0]!.data as unknown as BpfProgramPayload;
  assert.equal(displays[0]![0]!.mime, MIME.bpfProgram);
  assert.deepEqual(payload, { version: 1, format: 'd', text: dump, expression: 'ip and tcp' });
});

test('other output is left alone; next to other outputs the view is added, the text kept', () => {
  assert.deepEqual(transform(shellCell('ip -br addr', [streamOutput('stdout', 'lo UNKNOWN 127.0.0.1/8 ::1/128\n', 1)])).calls, []);
  const text = fixture('tcpdump-n-tt.txt');
  const cell = shellCell('cat capture.txt', [streamOutput('stdout', text, 1)]);
  cell.outputs.push({ outputId: 'd', kind: 'display_data', items: [{ mime: MIME.plain, data: 'a figure' }] });
  assert.deepEqual(transform(cell).calls, ['display'], 'added after, nothing cleared');
  const truncated = shellCell('cat capture.txt', [streamOutput('stdout', text, 1)]);
  truncated.outputs[0]!.truncated = { bytes: 10, lines: 1 };
  assert.deepEqual(transform(truncated).calls, ['display'], 'a truncated stream stays, with its note');
});

test('numbers that only look like -ddd are left alone; a real -ddd program is taken', () => {
  assert.deepEqual(transform(shellCell('seq 3; echo 1 2 3 4', [streamOutput('stdout', '3\n1 2 3 4\n', 1)])).calls, []);
  const ddd = '4\n40 0 0 12\n21 0 1 2048\n6 0 0 262144\n6 0 0 0\n';
  const { displays } = transform(shellCell('tcpdump -ddd ip', [streamOutput('stdout', ddd, 1)]));
  assert.equal((displays[0]![0]!.data as unknown as BpfProgramPayload).format, 'ddd');
});
