/**
 * The data of one `application/vnd.probebook.bpftrace+json` output: one print of one bpftrace map
 * (at exit, by `print(@m)` or by an `interval` probe), normalised across bpftrace 0.17 – 0.26.
 *
 * Integers beyond 2^53 are kept exact as decimal strings (bpftrace 0.24+ does the same).
 */

/** A scalar as bpftrace prints it: numbers, strings (also exact big integers), tuples, structs. */
export type BpftraceValue = number | string | boolean | null | BpftraceValue[] | { [key: string]: BpftraceValue };

/** One histogram bucket; bounds are inclusive integers, `null` for an open end (underflow/overflow). */
export interface HistBucket {
  min: number | string | null;
  max: number | string | null;
  count: number | string;
}

/** `stats()` gives count/average/total; `avg()` gives the average alone. */
export interface StatsValue {
  count?: number | string;
  average: number | string;
  total?: number | string;
}

export type BpftraceEntryValue = { type: 'scalar'; value: BpftraceValue } | { type: 'hist'; buckets: HistBucket[] } | { type: 'stats'; stats: StatsValue };

export interface BpftraceMapEntry {
  /** Key parts: `@x[comm, pid]` → `["curl", "15030"]`; `[]` for a keyless map. */
  key: string[];
  /** The key exactly as bpftrace printed it (parts joined by `,`); `""` for a keyless map. */
  rawKey: string;
  value: BpftraceEntryValue;
}

export interface BpftraceMapPayload {
  /** Schema version of this payload. */
  version: 1;
  /** The map's name with its `@`, e.g. `@bytes` (`@` for the anonymous map). */
  name: string;
  /** bpftrace's JSON event type: `map` (count/sum/min/max/…), `hist` (hist and lhist), `stats` (stats and avg). */
  kind: 'map' | 'hist' | 'stats';
  /** True when the map has no key (`@total = count()`): one entry with `key: []`. */
  keyless: boolean;
  /** Entries in bpftrace's own print order (ascending by value for count/sum maps). */
  entries: BpftraceMapEntry[];
  /** How many times this map was printed before in this run (0 for the first print). */
  printIndex: number;
  /** When this print arrived (epoch ms), for timelines and live charts. */
  time: number;
  /** The cell's run start (epoch ms), so `time - runStart` is seconds into the trace. */
  runStart?: number;
}
