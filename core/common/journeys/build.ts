/**
 * Journeys from events: one journey per skb address, in order, repeats collapsed, the end named.
 * Both parsers (pwru, the tracepoint journey) produce {@link JourneyEvent}s; this is the one place
 * that decides what a journey is (docs/journeys.md).
 */
import { compareJourneys } from './compare.ts';
import { layerOf } from './layers.ts';
import type { Journey, JourneyComparison, JourneyStep } from './types.ts';

/** One line of a trace: an skb (or, for route lookups, a thread) reaching a function or tracepoint. */
export interface JourneyEvent {
  /** skb address; null for steps that have none (fib_table_lookup): they join the thread's next skb. */
  skb: string | null;
  fn: string;
  /** `fn` is a tracepoint name (its layer comes from the tracepoint table). */
  tracepoint?: boolean;
  /** Thread (tid) or process, for placing skb-less steps. */
  thread?: string;
  cpu?: number;
  process?: string;
  /** Monotonic time of the event in ns (ktime), when printed. */
  timeNs?: number;
  /** Time since the same skb's previous event in ns (pwru `--timestamp relative`). */
  sinceLastNs?: number;
  detail?: string;
  caller?: string;
  stack?: string[];
  reason?: string;
  tuple?: string;
}

/** Bounds of one payload: the view and the saved notebook stay small; text/plain keeps all. */
const MAX_JOURNEYS = 1000;
const MAX_STEPS = 400;

const DROP_FUNCS = new Set(['kfree_skb_reason', 'sk_skb_reason_drop', 'kfree_skb']);
const CONSUME_FUNCS = new Set([
  'consume_skb',
  '__consume_stateless_skb',
  'napi_consume_skb',
  'skb_consume_udp',
  'dev_consume_skb_any',
  'kfree_skbmem',
  '__kfree_skb',
]);
const CLONE_FUNCS = /^(skb_clone|skb_copy|pskb_copy|skb_copy_expand|__pskb_copy_fclone|skb_realloc_headroom)$/;

interface Open {
  journey: Journey;
  lastNs?: number;
  firstNs?: number;
  ended: boolean;
  /** Steps were left out (the cap): a later step equal to the last kept one is not a repeat of it. */
  capped?: boolean;
}

/** Builds journeys; `omitted` counts what the bounds left out. */
export function buildJourneys(
  events: JourneyEvent[],
  options: { sortByTime?: boolean } = {},
): { journeys: Journey[]; omitted: { journeys: number; steps: number } } {
  // bpftrace's per-CPU buffers deliver events out of order: time decides (pwru prints in order).
  const ordered =
    options.sortByTime && events.every((e) => e.timeNs !== undefined)
      ? events
          .map((e, i) => ({ e, i }))
          .sort((a, b) => a.e.timeNs! - b.e.timeNs! || a.i - b.i)
          .map((x) => x.e)
      : events;
  const journeys: Journey[] = [];
  const open = new Map<string, Open>();
  const pending = new Map<string, JourneyEvent[]>();
  const omitted = { journeys: 0, steps: 0 };
  let previous: JourneyEvent | undefined;

  for (const event of ordered) {
    if (event.skb === null) {
      if (event.thread === undefined) continue;
      const list = pending.get(event.thread) ?? [];
      list.push(event);
      pending.set(event.thread, list);
      continue;
    }
    let current = open.get(event.skb);
    const layer = layerOf(event.fn, event.tracepoint);
    // A freed address seen again in anything but the freeing functions is a new skb.
    if (current?.ended && layer !== 'skb') current = undefined;
    if (!current) {
      if (journeys.length >= MAX_JOURNEYS) {
        omitted.journeys++;
        open.delete(event.skb);
        previous = event;
        continue;
      }
      const journey: Journey = { id: journeys.length + 1, skb: event.skb, steps: [], end: { kind: 'in_flight' } };
      if (event.process) journey.process = event.process;
      if (event.tuple) journey.tuple = event.tuple;
      if (previous?.skb && previous.skb !== event.skb && CLONE_FUNCS.test(previous.fn) && previous.cpu === event.cpu) {
        const parent = open.get(previous.skb);
        if (parent) journey.cloneOf = parent.journey.id;
      }
      current = { journey, ended: false };
      journeys.push(journey);
      open.set(event.skb, current);
    }
    if (!current.journey.tuple && event.tuple) current.journey.tuple = event.tuple;
    if (event.thread !== undefined) {
      for (const early of pending.get(event.thread) ?? []) addStep(current, early, omitted);
      pending.delete(event.thread);
    }
    addStep(current, event, omitted);
    previous = event;
  }
  return { journeys, omitted };
}

function addStep(current: Open, event: JourneyEvent, omitted: { steps: number }): void {
  const { journey } = current;
  let atNs: number | undefined;
  let dtNs: number | undefined;
  if (event.timeNs !== undefined) {
    current.firstNs ??= event.timeNs;
    atNs = event.timeNs - current.firstNs;
    if (current.lastNs !== undefined) dtNs = event.timeNs - current.lastNs;
    current.lastNs = event.timeNs;
  } else if (event.sinceLastNs !== undefined) {
    const before = current.lastNs;
    current.lastNs = (before ?? 0) + (before === undefined ? 0 : event.sinceLastNs);
    atNs = current.lastNs;
    if (before !== undefined) dtNs = event.sinceLastNs;
  }
  if (atNs !== undefined) journey.durationNs = atNs;
  const last = journey.steps.at(-1);
  if (last && !current.capped && last.fn === event.fn && last.reason === event.reason && !DROP_FUNCS.has(event.fn)) {
    last.count++;
  } else if (journey.steps.length >= MAX_STEPS) {
    omitted.steps++;
    current.capped = true;
  } else {
    const step: JourneyStep = { fn: event.fn, layer: layerOf(event.fn, event.tracepoint), count: 1 };
    if (atNs !== undefined) step.atNs = atNs;
    if (dtNs !== undefined) step.dtNs = dtNs;
    if (event.detail) step.detail = event.detail;
    if (event.caller) step.caller = event.caller;
    if (event.stack?.length) step.stack = event.stack;
    if (event.reason) step.reason = event.reason;
    journey.steps.push(step);
  }
  if (current.ended) return;
  if (DROP_FUNCS.has(event.fn)) {
    const where = event.caller ?? [...journey.steps].reverse().find((s) => s.layer !== 'skb')?.fn;
    journey.end = { kind: 'dropped', at: event.fn, ...(event.reason ? { reason: event.reason } : {}), ...(where ? { where } : {}) };
    current.ended = true;
  } else if (CONSUME_FUNCS.has(event.fn)) {
    journey.end = { kind: 'consumed', at: event.fn };
    current.ended = true;
  }
}

/**
 * The pair worth comparing first: the first dropped journey beside the latest journey before it
 * of the same flow (destination and protocol) that was not dropped. Undefined when none was dropped.
 */
export function chooseComparison(journeys: Journey[]): JourneyComparison | undefined {
  const dropped = journeys.find((j) => j.end.kind === 'dropped');
  if (!dropped) return undefined;
  const flow = flowOf(dropped.tuple);
  const others = journeys.filter((j) => j.id !== dropped.id && j.end.kind !== 'dropped' && j.cloneOf === undefined);
  const same = others.filter((j) => flow !== undefined && flowOf(j.tuple) === flow);
  const pick = same.filter((j) => j.id < dropped.id).at(-1) ?? same[0] ?? (flow === undefined ? others[0] : undefined);
  return pick ? compareJourneys(pick, dropped) : undefined;
}

/** `daddr:dport(proto)` of a tuple `saddr:sport->daddr:dport(proto…)`. */
function flowOf(tuple: string | undefined): string | undefined {
  const m = tuple ? /->(.*?)\((\w*)/.exec(tuple) : null;
  return m ? `${m[1]}(${m[2]})` : undefined;
}
