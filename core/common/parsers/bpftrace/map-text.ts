/**
 * The text/plain rendering of a map print, as bpftrace's own text output shows it
 * (`@x[curl, 15120]: 2`, histograms with `[4K, 8K)` labels and `|@@@@   |` bars, stats lines).
 */
import type { BpftraceMapPayload, BpftraceValue, HistBucket } from './types.ts';

const BAR_WIDTH = 52;

export function renderMapText(payload: BpftraceMapPayload): string {
  const lines: string[] = [];
  const label = (key: string[]) => (payload.keyless ? payload.name : `${payload.name}[${key.join(', ')}]`);
  for (const entry of payload.entries) {
    const v = entry.value;
    if (v.type === 'hist') {
      lines.push(`${label(entry.key)}: `);
      lines.push(...renderHistogram(v.buckets));
      lines.push('');
    } else if (v.type === 'stats') {
      const s = v.stats;
      lines.push(
        s.count === undefined ? `${label(entry.key)}: ${s.average}` : `${label(entry.key)}: count ${s.count}, average ${s.average}, total ${s.total ?? 0}`,
      );
    } else {
      lines.push(`${label(entry.key)}: ${formatValue(v.value)}`);
    }
  }
  return lines.join('\n').replace(/\n*$/, '\n');
}

/** Bucket lines: `[512, 1K)              4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|`. */
export function renderHistogram(buckets: HistBucket[]): string[] {
  const max = Math.max(0, ...buckets.map((b) => Number(b.count)));
  const power = isPowerOfTwoHistogram(buckets);
  return buckets.map((b) => {
    const count = Number(b.count);
    const filled = max === 0 ? 0 : Math.round((count / max) * BAR_WIDTH);
    return `${bucketLabel(b, power).padEnd(16)}${String(b.count).padStart(8)} |${'@'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}|`;
  });
}

/**
 * A bucket's label as bpftrace prints it. `hist()` buckets are powers of two with K/M/G/… suffixes
 * (`[1K, 2K)`, `[0]`, `[1]`); `lhist()` buckets are plain (`[100, 200)`); open ends print `...`.
 */
export function bucketLabel(b: HistBucket, powerOfTwo: boolean): string {
  const fmt = powerOfTwo ? suffixed : (n: bigint) => n.toString();
  if (b.min === null && b.max !== null) return `(..., ${fmt(BigInt(b.max) + 1n)})`;
  if (b.max === null && b.min !== null) return `[${fmt(BigInt(b.min))}, ...)`;
  if (b.min === null || b.max === null) return '?';
  const min = BigInt(b.min);
  const max = BigInt(b.max);
  if (powerOfTwo && min === max) return `[${fmt(min)}]`;
  return `[${fmt(min)}, ${fmt(max + 1n)})`;
}

/** Whether every closed bucket spans [2^k, 2^(k+1)) (or is 0 or 1): a `hist()`, not an `lhist()`. */
export function isPowerOfTwoHistogram(buckets: HistBucket[]): boolean {
  const closed = buckets.filter((b) => b.min !== null && b.max !== null);
  if (closed.length === 0) return true;
  return closed.every((b) => {
    const min = BigInt(b.min!);
    const max = BigInt(b.max!);
    if (min === max) return min === 0n || min === 1n;
    return min > 0n && (min & (min - 1n)) === 0n && max === min * 2n - 1n;
  });
}

const SUFFIXES = ['', 'K', 'M', 'G', 'T', 'P', 'E', 'Z'];

/** 1024 → "1K", 1048576 → "1M"; values that are not whole powers of 1024 stay plain. */
function suffixed(n: bigint): string {
  let value = n;
  let i = 0;
  while (value >= 1024n && value % 1024n === 0n && i < SUFFIXES.length - 1) {
    value /= 1024n;
    i++;
  }
  return `${value}${SUFFIXES[i]}`;
}

function formatValue(value: BpftraceValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `(${value.map(formatValue).join(', ')})`;
  if (value !== null && typeof value === 'object')
    return `{ ${Object.entries(value)
      .map(([k, v]) => `.${k} = ${formatValue(v)}`)
      .join(', ')} }`;
  return String(value);
}
