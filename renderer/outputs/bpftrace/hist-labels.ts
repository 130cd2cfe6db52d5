/**
 * Bucket labels exactly as bpftrace's text output prints them: log2 `hist()` buckets as
 * `[4K, 8K)` with power-of-1024 suffixes, the zero and one buckets as `[0]` and `[1]`, linear
 * `lhist()` buckets as `[0, 100)` without suffixes, open ends as `(..., 0)` and `[1500, ...)`.
 * Pure. Bounds in the payload are inclusive integers (number, or decimal string past 2^53).
 */
import type { HistBucket } from '../../../core/common/parsers/bpftrace/types.ts';

const SUFFIXES = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

export type HistKind = 'log2' | 'linear';

function big(v: number | string): bigint {
  return typeof v === 'number' ? BigInt(Math.trunc(v)) : BigInt(v);
}

/** `4096` → `4K`, `1048576` → `1M`, `1280` → `1280` (only whole multiples of 1024^n get a suffix). */
export function sizeLabel(value: number | string | bigint): string {
  let n = typeof value === 'bigint' ? value : big(value);
  const negative = n < 0n;
  if (negative) n = -n;
  let i = 0;
  while (n !== 0n && n % 1024n === 0n && i < SUFFIXES.length - 1) {
    n /= 1024n;
    i++;
  }
  return `${negative ? '-' : ''}${n}${SUFFIXES[i]}`;
}

function isPowerOfTwo(n: bigint): boolean {
  return n > 0n && (n & (n - 1n)) === 0n;
}

/** Whether the buckets are log2 `hist()` buckets (else `lhist()`): every closed bucket is `[0]`, `[1]` or `[2^k, 2^(k+1))`. */
export function histKind(buckets: readonly HistBucket[]): HistKind {
  let closed = 0;
  for (const b of buckets) {
    if (b.min === null || b.max === null) continue;
    closed++;
    const lo = big(b.min);
    const hi = big(b.max) + 1n;
    const single = hi - lo === 1n && (lo === 0n || lo === 1n);
    if (!single && !(isPowerOfTwo(lo) && hi === lo * 2n)) return 'linear';
  }
  // Only open buckets (e.g. everything overflowed): lhist is the only kind with an upper open end.
  if (closed === 0) return buckets.some((b) => b.max === null) ? 'linear' : 'log2';
  return 'log2';
}

/** One bucket's label, as bpftrace prints it for that kind of histogram. */
export function bucketLabel(bucket: HistBucket, kind: HistKind): string {
  const label = kind === 'log2' ? sizeLabel : (v: bigint): string => v.toString();
  if (bucket.min === null && bucket.max === null) return '(..., ...)';
  if (bucket.min === null) return `(..., ${label(big(bucket.max!) + 1n)})`;
  if (bucket.max === null) return `[${label(big(bucket.min))}, ...)`;
  const lo = big(bucket.min);
  const hi = big(bucket.max) + 1n;
  if (kind === 'log2' && hi - lo === 1n) return `[${label(lo)}]`;
  return `[${label(lo)}, ${label(hi)})`;
}

/** Labels for all buckets of one histogram. */
export function bucketLabels(buckets: readonly HistBucket[]): string[] {
  const kind = histKind(buckets);
  return buckets.map((b) => bucketLabel(b, kind));
}

/** The count of a bucket as a number (huge counts lose precision only for bar lengths). */
export function countOf(b: HistBucket): number {
  return typeof b.count === 'number' ? b.count : Number(b.count);
}

/**
 * The histogram as bpftrace's text output draws it (`[4K, 8K)   12 |@@@@   |`), for "copy as text".
 */
export function histText(buckets: readonly HistBucket[], width = 52): string {
  const labels = bucketLabels(buckets);
  const counts = buckets.map(countOf);
  const max = Math.max(1, ...counts);
  const labelWidth = Math.max(...labels.map((l) => l.length), 1);
  const countWidth = Math.max(...buckets.map((b) => String(b.count).length), 1);
  return buckets
    .map((b, i) => {
      const bar = '@'.repeat(Math.round((counts[i]! / max) * width));
      return `${labels[i]!.padEnd(Math.max(labelWidth, 20))} ${String(b.count).padStart(Math.max(countWidth, 3))} |${bar.padEnd(width)}|`;
    })
    .join('\n');
}
