/**
 * Bucket labels exactly as bpftrace's text output prints them (`[4K, 8K)`, `[0]`, `[0, 100)`,
 * `(..., 0)`, `[1500, ...)`), from the bpftrace parser's own text rendering in core/common, so
 * the chart, the table and the text/plain fallback always agree.
 */
import { bucketLabel, isPowerOfTwoHistogram, renderHistogram } from '../../../core/common/parsers/bpftrace/map-text.ts';
import type { HistBucket } from '../../../core/common/parsers/bpftrace/types.ts';

/** Labels for all buckets of one histogram (log2 `hist()` or linear `lhist()`, told apart by their bounds). */
export function bucketLabels(buckets: readonly HistBucket[]): string[] {
  const log2 = isPowerOfTwoHistogram([...buckets]);
  return buckets.map((b) => bucketLabel(b, log2));
}

/** The count of a bucket as a number (huge counts lose precision only for bar lengths). */
export function countOf(b: HistBucket): number {
  return typeof b.count === 'number' ? b.count : Number(b.count);
}

/** The histogram as bpftrace's text output draws it (`[4K, 8K)   12 |@@@@   |`), for "copy as text". */
export function histText(buckets: readonly HistBucket[]): string {
  return renderHistogram([...buckets]).join('\n');
}
