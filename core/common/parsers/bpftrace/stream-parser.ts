/**
 * bpftrace's `-f json` output, 0.17 through 0.26, as a stream of typed events. One JSON object per
 * line; blank lines skipped; lines may arrive split across chunks. Maps, histograms and stats
 * become {@link BpftraceMapPayload}s; lost events are summed; unknown types are passed on.
 * See shared/reference/formats.md §1.
 */
import { OrderedObject, parseOrderedJson, type OrderedJson } from './ordered-json.ts';
import type { BpftraceEntryValue, BpftraceMapEntry, BpftraceMapPayload, BpftraceValue, HistBucket, StatsValue } from './types.ts';

export type BpftraceEvent =
  /** printf/time/cat/join/syscall: text as the program produced it (join gets its newline). */
  | { type: 'text'; source: string; text: string }
  /** `print(non-map)`. */
  | { type: 'value'; value: BpftraceValue }
  | { type: 'map'; payload: BpftraceMapPayload }
  | { type: 'attached_probes'; probes: number }
  /** Runtime diagnostics: helper_error, runtime_error, errorf, warnf. */
  | { type: 'diagnostic'; level: 'error' | 'warning'; message: string; line?: number; column?: number }
  /** A type this parser does not know (new bpftrace releases add them); kept whole. */
  | { type: 'unknown'; kind: string; raw: BpftraceValue }
  /** A line that is not valid JSON (bpftrace bugs, truncated output): reported, parsing goes on. */
  | { type: 'invalid'; line: string; reason: string };

export interface BpftraceParserOptions {
  /** When the run started (epoch ms), stamped on map payloads. */
  runStart?: number;
  /** The clock (tests pass their own). */
  now?: () => number;
  /** Longest line accepted (default 64 MiB). */
  maxLineLength?: number;
}

export interface BpftraceParser {
  /** Feeds a chunk of stdout; returns the events of the lines it completed. */
  push(chunk: string): BpftraceEvent[];
  /** Ends the stream; returns the events of a last unterminated line. */
  end(): BpftraceEvent[];
  /** Sum of `lost_events` so far. */
  readonly lostEvents: number;
}

export function createBpftraceParser(options: BpftraceParserOptions = {}): BpftraceParser {
  const now = options.now ?? Date.now;
  const maxLine = options.maxLineLength ?? 64 * 1024 * 1024;
  const printCounts = new Map<string, number>();
  let partial = '';
  let lost = 0;

  const parseLine = (line: string, out: BpftraceEvent[]) => {
    if (line.trim() === '') return;
    if (line.length > maxLine) {
      out.push({ type: 'invalid', line: `${line.slice(0, 200)}…`, reason: `line longer than ${maxLine} characters` });
      return;
    }
    let json: OrderedJson;
    try {
      json = parseOrderedJson(line);
    } catch (error) {
      out.push({ type: 'invalid', line: line.length > 500 ? `${line.slice(0, 500)}…` : line, reason: (error as Error).message });
      return;
    }
    if (!(json instanceof OrderedObject) || typeof json.get('type') !== 'string') {
      out.push({ type: 'invalid', line: line.slice(0, 500), reason: 'not a bpftrace event object' });
      return;
    }
    const type = json.get('type') as string;
    const data = json.get('data');
    switch (type) {
      case 'printf':
      case 'time':
      case 'cat':
      case 'syscall':
        out.push({ type: 'text', source: type, text: typeof data === 'string' ? data : String(plain(data ?? '')) });
        return;
      case 'join':
        out.push({ type: 'text', source: type, text: `${typeof data === 'string' ? data : String(plain(data ?? ''))}\n` });
        return;
      case 'value':
        out.push({ type: 'value', value: plain(data ?? null) });
        return;
      case 'attached_probes':
        out.push({ type: 'attached_probes', probes: Number(numberField(data, 'probes') ?? json.get('count') ?? 0) });
        return;
      case 'lost_events':
        lost += Number(numberField(data, 'events') ?? json.get('count') ?? 0);
        return;
      case 'map':
      case 'hist':
      case 'stats':
        if (data instanceof OrderedObject) {
          for (const [name, value] of data.entries) {
            const index = printCounts.get(name) ?? 0;
            printCounts.set(name, index + 1);
            out.push({ type: 'map', payload: toPayload(type, name, value, index, now(), options.runStart) });
          }
          return;
        }
        out.push({ type: 'invalid', line: line.slice(0, 500), reason: `${type} event without map data` });
        return;
      case 'helper_error':
      case 'runtime_error':
      case 'errorf':
      case 'warnf': {
        const msg = json.get('msg');
        const helper = json.get('helper');
        const retcode = json.get('retcode');
        const message =
          typeof msg === 'string'
            ? msg + (typeof helper === 'string' ? ` (in ${helper}${retcode !== undefined ? `, returned ${retcode}` : ''})` : '')
            : typeof helper === 'string'
              ? `${helper} failed with ${retcode}`
              : type;
        const line = json.get('line');
        const col = json.get('col');
        out.push({
          type: 'diagnostic',
          level: type === 'warnf' ? 'warning' : 'error',
          message,
          line: typeof line === 'number' ? line : undefined,
          column: typeof col === 'number' ? col : undefined,
        });
        return;
      }
      default:
        out.push({ type: 'unknown', kind: type, raw: plain(data ?? null) });
    }
  };

  return {
    push(chunk: string) {
      const out: BpftraceEvent[] = [];
      let text = partial + chunk;
      let newline = text.indexOf('\n');
      let start = 0;
      while (newline !== -1) {
        parseLine(text.slice(start, newline), out);
        start = newline + 1;
        newline = text.indexOf('\n', start);
      }
      partial = text.slice(start);
      text = '';
      if (partial.length > maxLine) {
        parseLine(partial, out);
        partial = '';
      }
      return out;
    },
    end() {
      const out: BpftraceEvent[] = [];
      if (partial) parseLine(partial, out);
      partial = '';
      return out;
    },
    get lostEvents() {
      return lost;
    },
  };
}

function numberField(data: OrderedJson | undefined, key: string): number | string | undefined {
  if (!(data instanceof OrderedObject)) return undefined;
  const v = data.get(key);
  return typeof v === 'number' || typeof v === 'string' ? v : undefined;
}

/** OrderedJson → plain JSON-able values (objects lose nothing but key order, which only maps need). */
function plain(value: OrderedJson): BpftraceValue {
  if (value instanceof OrderedObject) {
    const o: Record<string, BpftraceValue> = {};
    for (const [k, v] of value.entries) o[k] = plain(v);
    return o;
  }
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

function toPayload(kind: 'map' | 'hist' | 'stats', name: string, value: OrderedJson, printIndex: number, time: number, runStart?: number): BpftraceMapPayload {
  const base = { version: 1 as const, name, kind, printIndex, time, ...(runStart !== undefined ? { runStart } : {}) };
  const keyless = isKeyless(kind, value);
  if (keyless) return { ...base, keyless: true, entries: [{ key: [], rawKey: '', value: entryValue(kind, value) }] };
  const entries = (value as OrderedObject).entries.map(([rawKey, v]): BpftraceMapEntry => ({ key: [rawKey], rawKey, value: entryValue(kind, v) }));
  splitKeys(entries);
  return { ...base, keyless: false, entries };
}

/** Whether a map's data is its one value rather than an object of keys. */
function isKeyless(kind: 'map' | 'hist' | 'stats', value: OrderedJson): boolean {
  if (!(value instanceof OrderedObject)) return true; // scalar, tuple, bucket list
  if (kind === 'stats') return isStatsObject(value);
  return false;
}

function isStatsObject(value: OrderedJson): value is OrderedObject {
  return (
    value instanceof OrderedObject &&
    value.entries.length > 0 &&
    value.entries.every(([k, v]) => (k === 'count' || k === 'average' || k === 'total') && (typeof v === 'number' || typeof v === 'string'))
  );
}

function entryValue(kind: 'map' | 'hist' | 'stats', value: OrderedJson): BpftraceEntryValue {
  if (kind === 'hist' && Array.isArray(value)) return { type: 'hist', buckets: value.map(bucket) };
  if (kind === 'stats') {
    if (isStatsObject(value)) {
      const stats: StatsValue = { average: 0 };
      for (const [k, v] of value.entries) (stats as unknown as Record<string, number | string>)[k] = v as number | string;
      return { type: 'stats', stats };
    }
    if (typeof value === 'number' || typeof value === 'string') return { type: 'stats', stats: { average: value } };
  }
  return { type: 'scalar', value: plain(value) };
}

function bucket(value: OrderedJson): HistBucket {
  const o = value instanceof OrderedObject ? value : new OrderedObject([]);
  const field = (k: string) => {
    const v = o.get(k);
    return typeof v === 'number' || typeof v === 'string' ? v : null;
  };
  return { min: field('min'), max: field('max'), count: field('count') ?? 0 };
}

/**
 * Multi-key maps print `@x[comm, pid]` keys as one string joined by ",". A string key may itself
 * hold a comma, so keys are split only when every entry splits into the same number of parts;
 * stack keys (multi-line) are never split.
 */
function splitKeys(entries: BpftraceMapEntry[]): void {
  if (entries.length === 0 || entries.some((e) => e.rawKey.includes('\n') || !e.rawKey.includes(','))) return;
  const parts = entries.map((e) => e.rawKey.split(','));
  const arity = parts[0]!.length;
  if (parts.some((p) => p.length !== arity)) return;
  entries.forEach((e, i) => {
    e.key = parts[i]!;
  });
}
