/**
 * The output of bpf/skb-journey.bt (Probebook's journey without kprobes): its banner, the kernel's
 * kfree_skb format (printed by the program with `cat`, for drop reason names), then one line per
 * event `TIME_NS SKB CPU TID COMM POINT DETAIL…`, kstack frames indented below kfree_skb and
 * consume_skb. Read whole (the journey is built once the trace ends); other lines are counted.
 */
import type { JourneyEvent } from '../../journeys/build.ts';
import { parseDropReasons } from './drop-reasons.ts';

const JOURNEY_BANNER = 'probebook-skb-journey 1';

export interface TracepointTrace {
  events: JourneyEvent[];
  /** Reason names came from the kernel's format (false: it was not printed, reasons stay numbers). */
  namedReasons: boolean;
  addr?: string;
  port?: number;
  otherLines: number;
}

/** Whether `text` (the start of a cell's stdout) is the journey program's output. */
export function looksLikeTracepointJourney(text: string): boolean {
  return text.includes(JOURNEY_BANNER);
}

const EVENT = /^(\d+) (0x[0-9a-f]+|-) (\d+) (\d+) (.*?) (tracepoint:\w+:)?(\w+)(?: (.*))?$/;

export function parseTracepointJourney(text: string): TracepointTrace {
  const reasons = parseDropReasons(text);
  const trace: TracepointTrace = { events: [], namedReasons: reasons.size > 0, otherLines: 0 };
  const banner = new RegExp(`${JOURNEY_BANNER} method=tracepoints addr=(\\S*) port=(\\d+)`).exec(text);
  if (banner) {
    trace.addr = banner[1]!;
    trace.port = Number(banner[2]);
  }
  let last: JourneyEvent | undefined;
  // The program's `match` line names the tuple of the skb it starts following.
  const pendingTuple = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (last && /^\s+\S/.test(line) && /^\s+[\w.$]+\+\d+$/.test(line)) {
      (last.stack ??= []).push(line.trim());
      continue;
    }
    const m = EVENT.exec(line);
    if (!m) {
      if (line.trim()) trace.otherLines++;
      last = undefined;
      continue;
    }
    const [, time, skb, cpu, tid, comm, , point, rest = ''] = m;
    const fields = Object.fromEntries([...rest.matchAll(/(\w+)=(\S*)/g)].map((f) => [f[1]!, f[2]!]));
    if (point === 'match') {
      const proto = fields.proto === '17' ? 'udp' : fields.proto === '6' ? 'tcp' : (fields.proto ?? '');
      pendingTuple.set(skb!, `${fields.saddr}:${fields.sport}->${fields.daddr}:${fields.dport}(${proto})`);
      continue;
    }
    if (point === 'fib_table_lookup' && trace.addr && trace.addr !== '0.0.0.0' && fields.src !== trace.addr && fields.dst !== trace.addr) continue;
    const event: JourneyEvent = {
      skb: skb === '-' ? null : skb!,
      fn: point!,
      tracepoint: true,
      timeNs: Number(time),
      cpu: Number(cpu),
      thread: tid!,
      process: comm!,
    };
    const tuple = skb === '-' ? undefined : pendingTuple.get(skb!);
    if (tuple) {
      event.tuple = tuple;
      pendingTuple.delete(skb!);
    }
    const detail = rest.replace(/\s*(reason|location)=\S*/g, '').trim();
    if (detail) event.detail = detail;
    if (point === 'kfree_skb') {
      const number = Number(fields.reason);
      event.reason = reasons.get(number) ?? String(number);
      if (fields.location) event.caller = fields.location;
    }
    trace.events.push(event);
    last = event;
  }
  return trace;
}
