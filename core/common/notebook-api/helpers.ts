/**
 * Helpers of the TypeScript cells' notebook API that turn tool output into plottable data.
 * Pure: they run in cells and in tests alike.
 */
import type { BpftraceMapPayload, HistBucket } from '../parsers/bpftrace/types.ts';
import { bucketLabel, isPowerOfTwoHistogram } from '../parsers/bpftrace/map-text.ts';

export interface Iperf3Interval {
  /** Seconds since the test started (end of the interval). */
  t: number;
  mbps: number;
  /** Congestion window in KB (TCP senders), when iperf3 reported it. */
  cwndKB?: number;
  retransmits?: number;
}

export interface Iperf3Result {
  intervals: Iperf3Interval[];
  summary: { mbps: number; retransmits?: number; seconds: number } | null;
  error?: string;
}

/**
 * `iperf3 -J` output (text or parsed) → intervals of time, Mbit/s and cwnd.
 * @example const { intervals } = iperf3((await cell('load')).stdout); plot([{ x: intervals.map(i => i.t), y: intervals.map(i => i.mbps) }]);
 */
export function iperf3(input: string | object): Iperf3Result {
  const json = (typeof input === 'string' ? JSON.parse(input.slice(input.indexOf('{'))) : input) as {
    error?: string;
    intervals?: { sum?: { end: number; bits_per_second: number; retransmits?: number }; streams?: { snd_cwnd?: number }[] }[];
    end?: { sum_sent?: { bits_per_second: number; retransmits?: number; seconds: number }; sum?: { bits_per_second: number; seconds: number } };
  };
  const intervals = (json.intervals ?? []).map((i) => {
    const cwnd = (i.streams ?? []).map((s) => s.snd_cwnd).filter((c): c is number => typeof c === 'number');
    return {
      t: i.sum?.end ?? 0,
      mbps: (i.sum?.bits_per_second ?? 0) / 1e6,
      cwndKB: cwnd.length ? cwnd.reduce((a, b) => a + b, 0) / 1024 : undefined,
      retransmits: i.sum?.retransmits,
    };
  });
  const end = json.end?.sum_sent ?? json.end?.sum;
  return {
    intervals,
    summary: end ? { mbps: end.bits_per_second / 1e6, retransmits: (end as { retransmits?: number }).retransmits, seconds: end.seconds } : null,
    error: json.error,
  };
}

export interface Bucket {
  low: number | null;
  high: number | null;
  count: number;
  label: string;
}

/** A bpftrace hist/lhist print → buckets with bpftrace's labels (`[4K, 8K)`). First key's histogram unless `key` is given. */
export function histogram(payload: BpftraceMapPayload, key?: string): Bucket[] {
  const entry = key === undefined ? payload.entries[0] : payload.entries.find((e) => e.rawKey === key);
  if (entry?.value.type !== 'hist') throw new Error(`${payload.name}${key ? `[${key}]` : ''} is not a histogram`);
  const buckets: HistBucket[] = entry.value.buckets;
  const power = isPowerOfTwoHistogram(buckets);
  return buckets.map((b) => ({
    low: b.min === null ? null : Number(b.min),
    high: b.max === null ? null : Number(b.max) + 1,
    count: Number(b.count),
    label: bucketLabel(b, power),
  }));
}

/**
 * Repeated prints of one map (`interval:s:1 { print(@x); clear(@x); }`) → one time series per key:
 * `{ key: { t: seconds since the trace started, value }[] }`.
 */
export function series(prints: BpftraceMapPayload[]): Record<string, { t: number; value: number }[]> {
  const out: Record<string, { t: number; value: number }[]> = {};
  for (const print of prints) {
    const t = (print.time - (print.runStart ?? prints[0]?.time ?? print.time)) / 1000;
    for (const entry of print.entries) {
      const v = entry.value;
      const value = v.type === 'scalar' ? Number(v.value) : v.type === 'stats' ? Number(v.stats.average) : v.buckets.reduce((a, b) => a + Number(b.count), 0);
      (out[entry.rawKey || print.name] ??= []).push({ t, value });
    }
  }
  return out;
}
