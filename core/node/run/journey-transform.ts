/**
 * pwru's output and Probebook's tracepoint journey (bpf/skb-journey.bt) become a journey view
 * (MIME.pwru) once a shell or bpftrace cell ran, parsed here in the unprivileged runner. As with
 * tcpdump, a cell that printed only the trace has its stdout replaced by the view, whose
 * `text/plain` is the exact text. A pwru cell on a kernel without kprobes gets an error that says
 * so and points to the tracepoint journey (docs/journeys.md).
 */
import { readFileSync } from 'node:fs';
import { buildJourneys, chooseComparison, type JourneyEvent } from '../../common/journeys/build.ts';
import type { Journey, JourneyPayload } from '../../common/journeys/types.ts';
import { MIME, type CellErrorData } from '../../common/mime.ts';
import type { Cell, Output, OutputItem } from '../../common/notebook/model.ts';
import { createPwruParser, type PwruEvent, pwruJourneyEvents } from '../../common/parsers/pwru/pwru-parser.ts';
import { looksLikeTracepointJourney, parseTracepointJourney } from '../../common/parsers/pwru/tracepoint-journey.ts';
import type { OutputSink } from '../kernels/kernel.ts';
import { cellStdout, type OutputTransform, showView } from './output-transform.ts';

const MAX_TEXT = 32 * 1024 * 1024;
const SNIFF_CHARS = 16384;
const PWRU_LINE = /(^|[\s;|&(])(sudo\s+)?(\S*\/)?pwru(\s|$)/;
/** What pwru (cilium/ebpf underneath) prints when kprobes cannot be attached. */
const KPROBE_FAILURE = /Failed to attach (multi )?kprobes|opening kprobe|kprobe_events|perf_kprobe|kprobe.*not supported/i;

export const journeyTransform: OutputTransform = {
  afterCell(cell, { language, previous, above }, sink) {
    if (language !== 'shell' && language !== 'bpftrace') return;
    if (language === 'shell' && PWRU_LINE.test(commentless(cell.source))) {
      const problem = kprobeProblem(cell, streamText(cell, MIME.stderr));
      if (problem) {
        replaceError(cell, sink, problem);
        return;
      }
    }
    const stdout = cellStdout(cell, MAX_TEXT);
    if (!stdout) return;
    const head = stdout.text.slice(0, SNIFF_CHARS);
    const payload = looksLikeTracepointJourney(head)
      ? tracepointPayload(stdout.text, cell.source)
      : looksLikePwru(head)
        ? pwruPayload(stdout.text, cell.source)
        : undefined;
    if (!payload) return;
    if (!payload.comparison) compareWithEarlier(payload, lastJourneysOf(previous), "the cell's previous run");
    if (!payload.comparison && above) {
      // Else the nearest cell above that traced journeys (one cell without the DROP rule, one with it).
      const traced = above().find((c) => lastJourneysOf(c.outputs)?.length);
      if (traced) compareWithEarlier(payload, lastJourneysOf(traced.outputs), `the cell above (cell ${traced.id})`);
    }
    const items: OutputItem[] = [
      { mime: MIME.pwru, data: payload as never },
      { mime: MIME.plain, data: stdout.text },
    ];
    showView(cell, sink, items, stdout.streams, true);
  },
};

function streamText(cell: Cell, mime: string): string {
  return cell.outputs
    .filter((o) => o.kind === 'stream' && o.items[0]?.mime === mime)
    .map((o) => String(o.items[0]!.data))
    .join('');
}

function commentless(source: string): string {
  return source
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');
}

/** pwru's header, or a row of either text layout, or a JSON row with skb and func. */
function looksLikePwru(head: string): boolean {
  return (
    /^\s*(TIME\s+)?SKB\s+CPU\s+PROCESS\b/m.test(head) || /^(\S+\s+)?0x[0-9a-f]{8,}\s+\d+\s+\S/m.test(head) || /^\{.*"skb":"0x[0-9a-f]+".*"func":/m.test(head)
  );
}

function pwruPayload(text: string, source: string): JourneyPayload | undefined {
  const parser = createPwruParser();
  const events: PwruEvent[] = [];
  let otherLines = 0;
  for (const item of [...parser.push(text), ...parser.end()]) {
    if (item.kind === 'event') events.push(item.event);
    else if (item.kind === 'text' && item.text.trim()) otherLines++;
  }
  if (events.length === 0) return undefined;
  const command = source
    .split('\n')
    .find((l) => PWRU_LINE.test(l))
    ?.trim();
  const ts = /--timestamp[= ](current|relative)\b/.exec(command ?? '')?.[1] as 'current' | 'relative' | undefined;
  const hasReasons = events.some((e) => e.reason !== undefined);
  return payloadOf('pwru', parser.format, pwruJourneyEvents(events, ts), { otherLines, reasonsFrom: hasReasons ? 'pwru' : 'none', command });
}

function tracepointPayload(text: string, source: string): JourneyPayload | undefined {
  const trace = parseTracepointJourney(text);
  const command = source
    .split('\n')
    .find((l) => /skb-journey\.bt/.test(l))
    ?.trim();
  return payloadOf('tracepoints', 'text', trace.events, {
    otherLines: trace.otherLines,
    reasonsFrom: trace.namedReasons ? 'kernel-format' : 'none',
    command,
    sortByTime: true,
  });
}

function payloadOf(
  method: JourneyPayload['method'],
  format: JourneyPayload['format'],
  events: JourneyEvent[],
  o: { otherLines: number; reasonsFrom: NonNullable<JourneyPayload['reasonsFrom']>; command: string | undefined; sortByTime?: boolean },
): JourneyPayload {
  const { journeys, omitted } = buildJourneys(events, { sortByTime: o.sortByTime });
  const payload: JourneyPayload = { version: 1, method, format, journeys, otherLines: o.otherLines, reasonsFrom: o.reasonsFrom };
  if (omitted.journeys || omitted.steps) payload.omitted = omitted;
  const comparison = chooseComparison(journeys);
  if (comparison) payload.comparison = comparison;
  if (o.command) payload.command = o.command;
  return payload;
}

/**
 * Why pwru cannot work here, when it cannot: its own error text about kprobes, or (it failed, or
 * printed no row) a kernel without kprobes. /proc/kallsyms lists `register_kprobe` only on a kernel
 * built with CONFIG_KPROBES; its names are readable without root.
 */
function kprobeProblem(cell: Cell, stderr: string): CellErrorData | undefined {
  const failed = cell.outputs.some((o) => o.kind === 'error');
  const said = KPROBE_FAILURE.exec(stderr);
  if (!said && !(failed && !kernelHasKprobes())) return undefined;
  return {
    ename: 'KernelFeature',
    evalue:
      'pwru needs kprobes, and this kernel has none (CONFIG_KPROBES is off). Trace the packet with the tracepoint journey instead: a bpftrace cell with bpf/skb-journey.bt (docs/journeys.md).',
    traceback: said ? [`pwru said: ${lineAround(stderr, said.index)}`] : ['/proc/kallsyms has no register_kprobe'],
  };
}

/** Whether this kernel was built with kprobes (cached). */
function kernelHasKprobes(kallsyms = '/proc/kallsyms'): boolean {
  if (kprobesCache !== undefined) return kprobesCache;
  try {
    kprobesCache = / register_kprobe$/m.test(readFileSync(kallsyms, 'latin1'));
  } catch {
    kprobesCache = true; // cannot tell: say nothing rather than something wrong
  }
  return kprobesCache;
}
let kprobesCache: boolean | undefined;

function lineAround(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end === -1 ? undefined : end).trim();
}

/** The cell's outputs said again with its error (if any) replaced by `error`. */
function replaceError(cell: Cell, sink: OutputSink, error: CellErrorData): void {
  const before = cell.outputs.slice();
  sink.clear();
  for (const output of before) {
    const item = output.items[0];
    if (!item || output.kind === 'error') continue;
    if (output.kind === 'stream') sink.stream(item.mime === MIME.stderr ? 'stderr' : 'stdout', String(item.data));
    else sink.display(output.items);
  }
  sink.error(error);
}

/**
 * Two runs of one cell, or two cells (a trace without, then with a DROP rule): when this trace has
 * no pair to compare, a dropped journey and a delivered one of the same flow are looked for across
 * this trace and an earlier one (`from` says which); the earlier journey then joins the payload,
 * marked, renumbered after this trace's.
 */
function compareWithEarlier(payload: JourneyPayload, earlier: Journey[] | undefined, from: string): void {
  if (!earlier?.length) return;
  const offset = Math.max(0, ...payload.journeys.map((j) => j.id));
  const renumbered = earlier.map((j) => ({
    ...j,
    id: j.id + offset,
    tracedIn: from,
    ...(j.cloneOf !== undefined ? { cloneOf: j.cloneOf + offset } : {}),
  }));
  const comparison = chooseComparison([...payload.journeys, ...renumbered]);
  const fromBefore = renumbered.filter((j) => j.id === comparison?.left || j.id === comparison?.right);
  // Only a pair across the two runs is new here: one within either run would have been found before.
  if (!comparison || fromBefore.length !== 1) return;
  payload.journeys.push(fromBefore[0]!);
  payload.comparison = { ...comparison, summary: `${comparison.summary} (journey ${fromBefore[0]!.id} is from ${from})` };
}

/** The journeys the cell showed in its previous run, when it showed any (shape checked: outputs come from files too). */
function lastJourneysOf(previous: readonly Output[] | undefined): Journey[] | undefined {
  const data = previous
    ?.flatMap((o) => o.items)
    .filter((i) => i.mime === MIME.pwru)
    .at(-1)?.data as unknown as JourneyPayload | undefined;
  if (!data || typeof data !== 'object' || !Array.isArray(data.journeys)) return undefined;
  return data.journeys.filter(
    (j) =>
      j && typeof j === 'object' && typeof j.id === 'number' && Array.isArray(j.steps) && j.end && typeof j.end.kind === 'string' && j.tracedIn === undefined,
  );
}
