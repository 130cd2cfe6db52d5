/**
 * A notebook with every kind of output, made from real outputs the way the runner makes them:
 * bpftrace's JSON prints (test/fixtures/outputs) through the bpftrace parser, iperf3 -J through
 * its chart transform, a real pcap through the capture output, tcpdump's text and the BPF
 * program, rule listings and pwru/tracepoint journeys through their transforms, snoop text for
 * the event table; then saved and read back as a file, so exports see what a saved notebook has.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MIME } from '../../core/common/mime.ts';
import type { Cell, JsonObject, Notebook, Output, OutputItem } from '../../core/common/notebook/model.ts';
import { displayOutput, errorOutput, streamOutput } from '../../core/common/notebook/outputs.ts';
import { parseNotebook, serializeNotebook } from '../../core/common/notebook/ipynb.ts';
import { createBpftraceParser } from '../../core/common/parsers/bpftrace/stream-parser.ts';
import { renderMapText } from '../../core/common/parsers/bpftrace/map-text.ts';
import type { OutputSink } from '../../core/node/kernels/kernel.ts';
import { CaptureOutput } from '../../core/node/run/capture-output.ts';
import { iperf3ChartTransform } from '../../core/node/run/iperf3-chart-transform.ts';
import { journeyTransform } from '../../core/node/run/journey-transform.ts';
import type { OutputTransform } from '../../core/node/run/output-transform.ts';
import { rulesTransform } from '../../core/node/run/rules-transform.ts';
import { tcpdumpTransform } from '../../core/node/run/tcpdump-transform.ts';

const root = resolve(import.meta.dirname, '../..');
const fixture = (path: string): string => readFileSync(join(root, 'test/fixtures', path), 'utf8');

let cellNo = 0;
function code(source: string, outputs: Output[], language = 'shell', name?: string): Cell {
  cellNo++;
  return {
    id: `cell-${cellNo}`,
    cellType: 'code',
    source,
    metadata: { probebook: { language, ...(name ? { name } : {}) } },
    outputs,
    executionCount: cellNo,
  };
}

function markdown(source: string): Cell {
  cellNo++;
  return { id: `md-${cellNo}`, cellType: 'markdown', source, metadata: {}, outputs: [], executionCount: null };
}

/** The outputs a shell cell that printed `stdout` ends with after the runner's transform. */
function transformed(source: string, stdout: string, transform: OutputTransform, language: 'shell' | 'bpftrace' = 'shell'): Output[] {
  const cell: Cell = { id: 'x', cellType: 'code', source, metadata: {}, outputs: [streamOutput('stdout', stdout, 1)], executionCount: 1 };
  const sink = {
    stream: (name: 'stdout' | 'stderr', text: string) => cell.outputs.push(streamOutput(name, text)),
    display: (items: OutputItem[]) => cell.outputs.push(displayOutput(items)),
    update: () => undefined,
    clear: () => cell.outputs.splice(0),
    error: () => undefined,
  } as unknown as OutputSink;
  transform.afterCell(cell, { language, result: { status: 'ok', stopped: false, durationMs: 1 } }, sink);
  return cell.outputs;
}

/** bpftrace's prints of a `-f json` capture as the bpftrace kernel displays them. */
function bpftraceOutputs(ndjson: string): Output[] {
  const start = 1_700_000_000_000;
  let tick = 0;
  const parser = createBpftraceParser({ runStart: start, now: () => start + 1000 * ++tick });
  return [...parser.push(ndjson), ...parser.end()].flatMap((e) =>
    e.type === 'map'
      ? [
          displayOutput([
            { mime: MIME.bpftrace, data: e.payload as never },
            { mime: MIME.plain, data: renderMapText(e.payload) },
          ]),
        ]
      : [],
  );
}

function captureOutputs(pcap: string): Output[] {
  const outputs: Output[] = [];
  const byId = new Map<string, Output>();
  const capture = new CaptureOutput({
    cellId: 'capture',
    command: 'tcpdump -U -w - port 53',
    sink: {
      display(items, { displayId }) {
        const o = displayOutput(items, { displayId });
        byId.set(displayId, o);
        outputs.push(o);
      },
      update(displayId, items) {
        const o = byId.get(displayId);
        if (o) o.items = items;
      },
    },
  });
  capture.push(new Uint8Array(readFileSync(join(root, 'test/fixtures/packets', pcap))));
  capture.end();
  return outputs;
}

const FIGURE = {
  data: [
    { type: 'bar', x: ['64 B', '512 B', '1500 B', '9000 B'], y: [1.9, 7.4, 9.3, 9.4], name: 'throughput' },
    { type: 'scatter', mode: 'lines+markers', x: ['64 B', '512 B', '1500 B', '9000 B'], y: [4.1, 3.8, 3.2, 2.9], name: 'latency', yaxis: 'y2' },
  ],
  layout: { title: 'Throughput by packet size', yaxis: { title: 'Gbit/s' }, yaxis2: { title: 'µs', overlaying: 'y', side: 'right' } },
};

/** A notebook with every kind of output the app draws, as read back from its saved file. */
export function reportNotebook(): Notebook {
  cellNo = 0;
  const cells: Cell[] = [
    markdown(
      '# Lab 06: the cost of a bloated rule chain\n\nWe measure **per-packet netfilter cost** with tracepoints.\n\n| step | what |\n| --- | --- |\n| 1 | baseline |\n| 2 | 3,000 rules |',
    ),
    code('echo -e "\\e[32mready\\e[0m"; uname -r', [streamOutput('stdout', '\u001b[32mready\u001b[0m\n6.1.0-28-amd64\n', 1)]),
    code(
      'iperf3 -c 127.0.0.1 -t 3 -P 2 -J',
      transformed('iperf3 -c 127.0.0.1 -t 3 -P 2 -J', fixture('iperf3/iperf3-J-tcp-P2.json'), iperf3ChartTransform),
      'shell',
      'iperf',
    ),
    code(
      'plot(sizes, { title: "Throughput by packet size" })',
      [
        displayOutput([
          { mime: MIME.plotly, data: FIGURE as never },
          { mime: MIME.plain, data: '<Figure: Throughput by packet size>' },
        ]),
      ],
      'typescript',
    ),
    code(
      'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); @h = hist(arg2); @l = lhist(arg2, 0, 1000, 100); }',
      bpftraceOutputs(fixture('outputs/bt017-json-maps.ndjson')),
      'bpftrace',
    ),
    code('interval:ms:400 { print(@reads); clear(@reads); }', bpftraceOutputs(fixture('outputs/bt017-interval-reads.ndjson')), 'bpftrace', 'reads'),
    code('bpftrace bloat-lab.bt', bpftraceOutputs(fixture('outputs/bt017-bloat-lab-baseline.ndjson')), 'bpftrace'),
    code('tcpdump -U -w - port 53', captureOutputs('dns_tcp.pcap')),
    code('tcpdump -r cap.pcap -nn -A', transformed('tcpdump -r cap.pcap -nn -A', fixture('tcpdump/tcpdump-A.txt'), tcpdumpTransform)),
    code('iptables -L -n -v -x', transformed('iptables -L -n -v -x', fixture('netfilter/iptables-L-v-names.txt'), rulesTransform)),
    code(
      'bpftrace bpf/skb-journey.bt 10.231.0.2 53',
      transformed('bpftrace bpf/skb-journey.bt 10.231.0.2 53', fixture('pwru/tracepoint-journey-veth-dns.txt'), journeyTransform),
    ),
    code('bpftrace execsnoop.bt', [streamOutput('stdout', fixture('events/bt017-execsnoop.txt'), 1)]),
    code(
      'table(rows)',
      [
        displayOutput([
          {
            mime: MIME.table,
            data: {
              columns: ['rules', { name: 'cost ns', type: 'number' }],
              rows: [
                [0, 310],
                [1000, 2950],
                [3000, 8800],
              ],
            } as never,
          },
          { mime: MIME.plain, data: 'rules  cost ns\n0      310\n1000   2950\n3000   8800' },
        ]),
      ],
      'typescript',
    ),
    code('exit 3', [
      streamOutput('stderr', 'cleanup failed\n', 1),
      errorOutput({ ename: 'ExitCode', evalue: 'The cell exited with status 3.', traceback: [] }, 1),
    ]),
  ];
  const notebook: Notebook = {
    nbformat: 4,
    nbformatMinor: 5,
    metadata: {
      kernelspec: { name: 'probebook', display_name: 'Probebook', language: 'shell' },
      authors: [{ name: 'Ada Student' }],
      probebook: {
        environment: {
          recordedAt: '2026-12-07T10:00:00Z',
          kernel: '6.1.0-28-amd64',
          distribution: 'Debian GNU/Linux 12 (bookworm)',
          cpus: 2,
          tools: {
            bpftrace: 'bpftrace v0.17.0',
            tcpdump: 'tcpdump version 4.99.3',
            tshark: 'TShark 4.0.17',
            iperf3: 'iperf 3.12',
            iptables: 'iptables v1.8.9 (nf_tables)',
          },
          features: { kprobes: true, btf: true, tracefs: true },
        } as JsonObject,
      },
    },
    cells,
  };
  return parseNotebook(serializeNotebook(notebook), 'report.ipynb');
}
