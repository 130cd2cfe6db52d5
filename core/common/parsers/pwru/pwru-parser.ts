/**
 * pwru's output, text or `--output-json`, read as a stream (chunks may split lines anywhere).
 * Text layouts (docs/journeys.md, fixtures in test/fixtures/pwru):
 * - v1.0.7 and later: `SKB CPU PROCESS [TIMESTAMP] [NETNS MARK IFACE PROTO MTU LEN [CB]] [TUPLE] FUNC [CALLER]`,
 *   with `--timestamp absolute` a wall-clock column first;
 * - before: `SKB CPU [PROCESS] FUNC [TIMESTAMP] [netns=… mark=… ifindex=… proto=… mtu=… len=…] [TUPLE]`;
 * - `--output-stack` frames follow their row, one symbol a line.
 * Columns drift (pwru pads to the longest tuple seen), so rows are read by token shape, not offset.
 * A line that is not a row (logs, progress bars, `--output-skb` dumps) stays text; nothing throws.
 */
import type { JourneyEvent } from '../../journeys/build.ts';

export type PwruItem = { kind: 'event'; event: PwruEvent } | { kind: 'header'; columns: string[] } | { kind: 'text'; text: string };

/** One pwru row, fields as printed. */
export interface PwruEvent {
  skb: string;
  cpu: number;
  process: string;
  /** Function name without the drop reason. */
  func: string;
  /** `SKB_DROP_REASON_` stripped: `NETFILTER_DROP`; a number when pwru could not name it. */
  reason?: string;
  caller?: string;
  /** The TIMESTAMP column (ns): ktime with `current`, since the skb's previous row with `relative`. */
  timestamp?: number;
  /** `--timestamp absolute` wall clock, as printed. */
  wallClock?: string;
  netns?: number;
  mark?: string;
  iface?: string;
  proto?: string;
  mtu?: number;
  len?: number;
  tuple?: string;
  stack?: string[];
  /** 1-based line number in the output. */
  line: number;
}

export interface PwruParser {
  push(chunk: string): PwruItem[];
  end(): PwruItem[];
  /** `json` once a JSON row was read. */
  readonly format: 'text' | 'json';
}

const SKB = /^0x[0-9a-f]+$/i;
const WALL = /^(\d{4}-\d{2}-\d{2}T)?\d{2}:\d{2}:\d{2}(\.\d+)?$/;
const INT = /^\d+$/;
const PROTO = /^0x[0-9a-f]{4}$/i;
const TUPLE = /^\S*:\d*->\S*:\d*\(.*\)$/;
const FRAME = /^\s*[A-Za-z_.$][\w.$]*(\+0x[0-9a-f]+(\/0x[0-9a-f]+)?|\+\d+)?(\s*\[\w+\])?\s*$/;

export function createPwruParser(): PwruParser {
  let rest = '';
  let lineNo = 0;
  let held: PwruEvent | undefined;
  let format: 'text' | 'json' = 'text';

  const flush = (out: PwruItem[]) => {
    if (held) out.push({ kind: 'event', event: held });
    held = undefined;
  };
  const line = (text: string, out: PwruItem[]) => {
    lineNo++;
    const json = text.startsWith('{') ? parseJsonRow(text, lineNo) : undefined;
    if (json) {
      format = 'json';
      flush(out);
      out.push({ kind: 'event', event: json });
      return;
    }
    const row = parseTextRow(text, lineNo);
    if (row) {
      flush(out);
      held = row;
      return;
    }
    if (held && text.trim() && FRAME.test(text)) {
      (held.stack ??= []).push(text.trim());
      return;
    }
    flush(out);
    const header = /^\s*(TIME\s+)?SKB\s+CPU\s+PROCESS\b/.test(text);
    out.push(header ? { kind: 'header', columns: text.trim().split(/\s+/) } : { kind: 'text', text });
  };
  return {
    get format() {
      return format;
    },
    push(chunk) {
      const out: PwruItem[] = [];
      rest += chunk;
      const lines = rest.split('\n');
      rest = lines.pop()!;
      for (const l of lines) line(l.replace(/\r$/, ''), out);
      return out;
    },
    end() {
      const out: PwruItem[] = [];
      if (rest) line(rest, out);
      rest = '';
      flush(out);
      return out;
    },
  };
}

/** A text row, or undefined when the line is not one. */
function parseTextRow(text: string, line: number): PwruEvent | undefined {
  const tokens = text.trim().split(/\s+/);
  let i = 0;
  let wallClock: string | undefined;
  if (WALL.test(tokens[0] ?? '')) wallClock = tokens[i++];
  const skb = tokens[i++];
  const cpu = tokens[i++];
  if (!skb || !SKB.test(skb) || !cpu || !INT.test(cpu) || i >= tokens.length) return undefined;
  const event: PwruEvent = { skb, cpu: Number(cpu), process: '', func: '', line };
  if (wallClock) event.wallClock = wallClock;
  if (tokens[i]!.startsWith('[')) return parseOldRow(tokens, i, event);
  event.process = tokens[i++]!;
  const rest = tokens.slice(i);
  // The meta block is found by its PROTO column (0x0800): NETNS MARK IFACE PROTO MTU LEN.
  const protoAt = rest.findIndex((t, k) => k >= 3 && PROTO.test(t) && INT.test(rest[k - 3]!) && INT.test(rest[k + 1] ?? '') && INT.test(rest[k + 2] ?? ''));
  let k = 0;
  if (protoAt >= 0) {
    if (protoAt === 4 && INT.test(rest[0]!)) event.timestamp = Number(rest[0]);
    else if (protoAt !== 3) return undefined;
    k = protoAt - 3;
    event.netns = Number(rest[k]);
    event.mark = rest[k + 1]!;
    event.iface = rest[k + 2]!;
    event.proto = rest[k + 3]!;
    event.mtu = Number(rest[k + 4]);
    event.len = Number(rest[k + 5]);
    k += 6;
    if (rest[k]?.startsWith('[0x')) k++; // --output-skb-cb / --filter-trace-tc
  } else if (INT.test(rest[0] ?? '') && rest.length >= 2) {
    event.timestamp = Number(rest[0]);
    k = 1;
  }
  if (rest[k] && TUPLE.test(rest[k]!)) event.tuple = rest[k++]!;
  const func = readFunc(rest, k, event);
  if (func === undefined) return undefined;
  k = func;
  if (rest[k] && !TUPLE.test(rest[k]!)) event.caller = rest[k];
  return event;
}

/** Before v1.0.7: `SKB CPU [PROCESS] FUNC [TIMESTAMP] [netns=… …] [TUPLE]`; the process may hold spaces. */
function parseOldRow(tokens: string[], start: number, event: PwruEvent): PwruEvent | undefined {
  let i = start;
  const parts: string[] = [];
  while (i < tokens.length) {
    const t = tokens[i++]!;
    parts.push(t);
    if (t.endsWith(']')) break;
  }
  event.process = parts.join(' ');
  const next = readFunc(tokens, i, event);
  if (next === undefined) return undefined;
  i = next;
  if (INT.test(tokens[i] ?? '')) event.timestamp = Number(tokens[i++]);
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    const kv = /^(netns|mark|ifindex|proto|mtu|len)=(\S*)$/.exec(t);
    if (kv) {
      const [, key, value] = kv;
      if (key === 'netns') event.netns = Number(value);
      else if (key === 'mark') event.mark = value!;
      else if (key === 'ifindex') event.iface = value!;
      else if (key === 'proto') event.proto = value!;
      else if (key === 'mtu') event.mtu = Number(value);
      else event.len = Number(value);
    } else if (TUPLE.test(t)) {
      event.tuple = t;
    }
  }
  return event;
}

/** Reads FUNC at `tokens[i]` (`kfree_skb_reason(SKB_DROP_REASON_X)`, `kfree_skb_reason (12)`, `f(tc)`); returns the next index. */
function readFunc(tokens: string[], i: number, event: PwruEvent): number | undefined {
  const raw = tokens[i];
  if (!raw || !/^[A-Za-z_.$0-9][\w.$]*(\[\w+\])?(\(.*\))?$/.test(raw) || /^\d+$/.test(raw)) return undefined;
  const m = /^([^(]+)(?:\((.*)\))?$/.exec(raw)!;
  event.func = m[1]!;
  if (m[2] !== undefined && m[2] !== 'tc' && m[2] !== 'xdp') event.reason = m[2].replace(/^SKB_DROP_REASON_/, '');
  else if (m[2]) event.func = raw;
  if (/^\(\d+\)$/.test(tokens[i + 1] ?? '')) {
    event.reason = tokens[i + 1]!.slice(1, -1);
    return i + 2;
  }
  return i + 1;
}

/** A `--output-json` row, or undefined when the line is not JSON with `skb` and `func`. */
function parseJsonRow(text: string, line: number): PwruEvent | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!o || typeof o !== 'object' || typeof o.func !== 'string' || (typeof o.skb !== 'string' && o.skb !== undefined)) return undefined;
  // Every field is omitempty: an absent cpu or mark is 0.
  const event: PwruEvent = {
    skb: typeof o.skb === 'string' ? o.skb : '0x0',
    cpu: typeof o.cpu === 'number' ? o.cpu : 0,
    process: String(o.process ?? ''),
    func: '',
    line,
  };
  readFunc([o.func], 0, event);
  if (!event.func) event.func = o.func;
  if (typeof o.caller_func === 'string') event.caller = o.caller_func;
  if (typeof o.time === 'number') event.timestamp = o.time;
  else if (typeof o.time === 'string') event.wallClock = o.time;
  if (typeof o.netns === 'number') event.netns = o.netns;
  if (o.mark !== undefined) event.mark = String(o.mark);
  if (typeof o.iface === 'string') event.iface = o.iface;
  if (typeof o.proto === 'number') event.proto = `0x${o.proto.toString(16).padStart(4, '0')}`;
  if (typeof o.mtu === 'number') event.mtu = o.mtu;
  if (typeof o.len === 'number') event.len = o.len;
  const t = o.tuple;
  if (typeof t === 'string') event.tuple = t;
  else if (t && typeof t === 'object') event.tuple = tupleText(t as Record<string, unknown>);
  if (typeof o.stack === 'string') event.stack = o.stack.split('\n').filter(Boolean);
  return event;
}

const L4: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6', 132: 'sctp' };

/** pwru's own tuple text from its JSON tuple object. */
function tupleText(t: Record<string, unknown>): string {
  const addr = (a: unknown) => (typeof a === 'string' && a.includes(':') ? `[${a}]` : String(a ?? ''));
  const proto = typeof t.proto === 'number' ? (L4[t.proto] ?? String(t.proto)) : '';
  return `${addr(t.saddr)}:${Number(t.sport ?? 0)}->${addr(t.daddr)}:${Number(t.dport ?? 0)}(${proto}${t.flags ? `:${t.flags}` : ''})`;
}

/**
 * Events for the journey builder. `timestamps`: what the TIMESTAMP column holds (the cell's
 * `--timestamp`); without it, `relative` when some skb's first row is 0, else `current`.
 */
export function pwruJourneyEvents(events: PwruEvent[], timestamps?: 'current' | 'relative'): JourneyEvent[] {
  const kind = timestamps ?? guessTimestamps(events);
  return events.map((e) => {
    const out: JourneyEvent = { skb: e.skb, fn: e.func, cpu: e.cpu, process: e.process };
    if (e.timestamp !== undefined) {
      if (kind === 'relative') out.sinceLastNs = e.timestamp;
      else out.timeNs = e.timestamp;
    }
    const detail = [
      e.iface !== undefined && e.iface !== '0' ? `iface=${e.iface}` : '',
      e.len !== undefined ? `len=${e.len}` : '',
      e.mark && e.mark !== '0' && e.mark !== '0x0' ? `mark=${e.mark}` : '',
      e.wallClock ? `at ${e.wallClock}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    if (detail) out.detail = detail;
    if (e.caller) out.caller = e.caller;
    if (e.stack) out.stack = e.stack;
    if (e.reason) out.reason = e.reason;
    if (e.tuple) out.tuple = e.tuple;
    return out;
  });
}

/** ktime only grows; relative times start at 0 or go down within an skb. */
function guessTimestamps(events: PwruEvent[]): 'current' | 'relative' {
  const last = new Map<string, number>();
  for (const e of events) {
    if (e.timestamp === undefined) continue;
    const before = last.get(e.skb);
    if ((before === undefined && e.timestamp === 0) || (before !== undefined && e.timestamp < before)) return 'relative';
    last.set(e.skb, e.timestamp);
  }
  return 'current';
}
