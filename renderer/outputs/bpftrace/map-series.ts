/**
 * Repeated prints of one bpftrace map (`interval:s:1 { print(@); clear(@); }`) as time series:
 * x = seconds since the cell's run start, one series per key. Also the grouping of a cell's
 * outputs, so a page shows one growing chart instead of N tables. Pure (no DOM).
 */
import { MIME } from '../../../core/common/mime.ts';
import type { Output } from '../../../core/common/notebook/model.ts';
import type { BpftraceMapEntry, BpftraceMapPayload } from '../../../core/common/parsers/bpftrace/types.ts';

/** The bpftrace payload of an output, or null when it has none. */
export function bpftracePayloadOf(output: Output): BpftraceMapPayload | null {
  const item = output.items.find((i) => i.mime === MIME.bpftrace);
  const data = item?.data as unknown as BpftraceMapPayload | undefined;
  if (!data || typeof data !== 'object' || typeof data.name !== 'string' || !Array.isArray(data.entries)) return null;
  return data;
}

/** What a print contributes to a key's line: the value (scalar maps), the average (stats), the total count (hists). */
function entryMetric(entry: BpftraceMapEntry): number | null {
  const v = entry.value;
  let n: number;
  if (v.type === 'scalar') n = typeof v.value === 'number' ? v.value : typeof v.value === 'string' ? Number(v.value) : NaN;
  else if (v.type === 'stats') n = Number(v.stats.average);
  else n = v.buckets.reduce((s, b) => s + Number(b.count), 0);
  return Number.isFinite(n) ? n : null;
}

/** Which quantity the lines show, for the y axis title. */
export function metricLabel(kind: BpftraceMapPayload['kind']): string {
  return kind === 'stats' ? 'average' : kind === 'hist' ? 'count (all buckets)' : 'value';
}

export interface KeySeries {
  rawKey: string;
  key: string[];
  /** One value per print (aligned with {@link MapSeries.times}); null where the key had no value. */
  values: (number | null)[];
}

/**
 * The prints of one map so far. Build it with {@link MapSeries.add} as prints arrive (cheap:
 * O(keys) per print).
 */
export class MapSeries {
  readonly name: string;
  kind: BpftraceMapPayload['kind'] = 'map';
  /** Seconds since the run start of each print. */
  readonly times: number[] = [];
  readonly keys = new Map<string, KeySeries>();
  latest: BpftraceMapPayload | null = null;
  private origin: number | null = null;

  constructor(name: string) {
    this.name = name;
  }

  get prints(): number {
    return this.times.length;
  }

  add(p: BpftraceMapPayload): void {
    if (p.name !== this.name) throw new Error(`print of ${p.name} added to the series of ${this.name}`);
    this.kind = p.kind;
    this.origin ??= Number.isFinite(p.runStart) ? p.runStart! : Number.isFinite(p.time) ? p.time : 0;
    const t = Number.isFinite(p.time) ? (p.time - this.origin) / 1000 : this.times.length;
    const index = this.times.length;
    this.times.push(t);
    const seen = new Set<string>();
    for (const e of p.entries) {
      let s = this.keys.get(e.rawKey);
      if (!s) {
        // A key that appears late had no value before (a `map` key missing after clear() counts as 0).
        s = { rawKey: e.rawKey, key: e.key, values: new Array<number | null>(index).fill(p.kind === 'map' ? 0 : null) };
        this.keys.set(e.rawKey, s);
      }
      s.values.push(entryMetric(e));
      seen.add(e.rawKey);
    }
    for (const s of this.keys.values()) if (!seen.has(s.rawKey)) s.values.push(p.kind === 'map' ? 0 : null);
    this.latest = p;
  }

  /**
   * The last print when it covers only part of an interval, else null. bpftrace prints every map
   * once more when it exits (Ctrl-C, a timeout, `exit()`); for a map that `interval` prints and
   * clears, that print holds only the time since the last interval — 0.15 s of a 1 s interval
   * counts ~15% of a rate, and a line drawn to it drops at the end. It is taken to be partial when
   * it came less than 3/4 of the usual interval (the median of the earlier gaps, at least two)
   * after the print before, and the map was cleared in between (some key's value fell at least
   * once; a map that only grows is a running total, whose last print is as valid as any).
   */
  partialLast(): { index: number; covered: number; interval: number } | null {
    const n = this.times.length;
    if (n < 4) return null;
    const gaps: number[] = [];
    for (let i = 1; i < n - 1; i++) gaps.push(this.times[i]! - this.times[i - 1]!);
    const sorted = [...gaps].sort((a, b) => a - b);
    const interval = sorted[sorted.length >> 1]!;
    const covered = this.times[n - 1]! - this.times[n - 2]!;
    if (!(interval > 0) || covered >= 0.75 * interval) return null;
    let cleared = false;
    for (const k of this.keys.values()) {
      for (let i = 1; i < n - 1 && !cleared; i++) {
        const [a, b] = [k.values[i - 1], k.values[i]];
        if (a !== null && a !== undefined && b !== null && b !== undefined && b < a) cleared = true;
      }
      if (cleared) break;
    }
    return cleared ? { index: n - 1, covered, interval } : null;
  }

  /**
   * The `n` keys with the largest latest values (ties: larger peak first), for a readable chart.
   * A partial last print (see {@link partialLast}) does not rank: the print before it does.
   * `prints`: how many prints count (the index of a partial last print, when the caller has it).
   */
  topKeys(n: number, prints = this.partialLast()?.index ?? this.times.length): KeySeries[] {
    const last = (s: KeySeries): number => s.values[prints - 1] ?? -Infinity;
    const peak = (s: KeySeries): number => Math.max(-Infinity, ...s.values.map((v) => v ?? -Infinity));
    return [...this.keys.values()].sort((a, b) => last(b) - last(a) || peak(b) - peak(a)).slice(0, n);
  }
}

/** Folds prints (in arrival order) into one series per map name. */
export function aggregateMapPrints(payloads: Iterable<BpftraceMapPayload>): Map<string, MapSeries> {
  const out = new Map<string, MapSeries>();
  for (const p of payloads) {
    let s = out.get(p.name);
    if (!s) out.set(p.name, (s = new MapSeries(p.name)));
    s.add(p);
  }
  return out;
}

/** One entry of a cell's output plan. */
export type OutputGroup =
  | { kind: 'single'; output: Output }
  /** Every print of one map that was printed more than once, shown where its first print was. */
  | { kind: 'map-series'; name: string; outputs: Output[] };

/**
 * Groups a cell's outputs: each map printed again and again (a print with `printIndex > 0`)
 * becomes one `map-series` group at the place of its first print; everything else stays single.
 */
export function groupMapPrints(outputs: readonly Output[]): OutputGroup[] {
  const repeated = new Set<string>();
  for (const o of outputs) {
    const p = bpftracePayloadOf(o);
    if (p && p.printIndex > 0) repeated.add(p.name);
  }
  const groups: OutputGroup[] = [];
  const byName = new Map<string, Output[]>();
  for (const o of outputs) {
    const p = bpftracePayloadOf(o);
    if (p && repeated.has(p.name)) {
      const list = byName.get(p.name);
      if (list) list.push(o);
      else {
        const fresh = [o];
        byName.set(p.name, fresh);
        groups.push({ kind: 'map-series', name: p.name, outputs: fresh });
      }
    } else groups.push({ kind: 'single', output: o });
  }
  return groups;
}
