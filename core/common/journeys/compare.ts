/**
 * Two journeys side by side: their steps aligned by the longest common subsequence of function
 * names, so a step only one side took shows as a gap on the other, and the first such row is where
 * the paths diverge.
 */
import type { ComparisonRow, Journey, JourneyComparison, JourneyStep } from './types.ts';

/** Aligns `left` and `right` step by step and names where they part. */
export function compareJourneys(left: Journey, right: Journey): JourneyComparison {
  const a = left.steps.map((s) => s.fn);
  const b = right.steps.map((s) => s.fn);
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs: Uint16Array[] = Array.from({ length: a.length + 1 }, () => new Uint16Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const rows: ComparisonRow[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) rows.push({ left: i++, right: j++, same: true });
    else if (j >= b.length || (i < a.length && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) rows.push({ left: i++, same: false });
    else rows.push({ right: j++, same: false });
  }
  const divergeRow = rows.findIndex((r) => !r.same);
  const lastCommonRow = divergeRow > 0 ? rows[divergeRow - 1] : undefined;
  const lastCommon = lastCommonRow?.left !== undefined ? a[lastCommonRow.left] : undefined;
  const comparison: JourneyComparison = { left: left.id, right: right.id, rows, divergeRow: divergeRow === -1 ? null : divergeRow, summary: '' };
  if (lastCommon) comparison.lastCommon = lastCommon;
  comparison.summary = summarise(left, right, comparison);
  return comparison;
}

function summarise(left: Journey, right: Journey, c: JourneyComparison): string {
  if (c.divergeRow === null) return `Journeys ${left.id} and ${right.id} take the same path.`;
  const after = c.rows.slice(c.divergeRow);
  const leftNext = after.find((r) => r.left !== undefined)?.left;
  const rightNext = after.find((r) => r.right !== undefined)?.right;
  const where = c.lastCommon ? `after ${c.lastCommon}` : 'from the first step';
  const side = (j: Journey, index: number | undefined, label: string) => {
    const step: JourneyStep | undefined = index === undefined ? undefined : j.steps[index];
    if (j.end.kind === 'dropped' && (step === undefined || step.fn === j.end.at)) {
      return `${label} ${j.id} is dropped at ${j.end.at}${j.end.reason ? ` (${j.end.reason})` : ''}${j.end.where && j.end.where !== j.end.at ? ` in ${j.end.where}` : ''}`;
    }
    return step ? `${label} ${j.id} goes on to ${step.fn}` : `${label} ${j.id} ends`;
  };
  return `The paths diverge ${where}: ${side(left, leftNext, 'journey')}; ${side(right, rightNext, 'journey')}.`;
}
