/**
 * The words and numbers of the journey view, kept pure (no DOM) so they are tested on their own:
 * nanosecond times, how a journey ended, what a text filter matches, what a comparison row shows.
 */
import type { ComparisonRow, Journey, JourneyComparison, JourneyEnd, JourneyLayer, JourneyPayload, JourneyStep } from '../../../core/common/journeys/types.ts';

/** Every layer, in the order of the legend (top of the stack first). */
export const LAYERS: readonly JourneyLayer[] = ['socket', 'transport', 'ip', 'netfilter', 'neighbour', 'qdisc', 'device', 'driver', 'skb', 'other'];

/** A layer name safe to put in a class name: an unknown one (a hand-written payload) is `other`. */
export function layerOrOther(layer: unknown): JourneyLayer {
  return LAYERS.includes(layer as JourneyLayer) ? (layer as JourneyLayer) : 'other';
}

/** 950 → "950 ns", 21_861 → "21.9 µs", 1_234_567 → "1.23 ms", 2_500_000_000 → "2.50 s" (three significant digits). */
export function formatNs(ns: number): string {
  const abs = Math.abs(ns);
  if (abs < 1000) return `${Math.round(ns)} ns`;
  const [value, unit] = abs < 1e6 ? [ns / 1e3, 'µs'] : abs < 1e9 ? [ns / 1e6, 'ms'] : [ns / 1e9, 's'];
  const digits = Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${unit}`;
}

/** "pwru (kprobes)" or "tracepoint journey (no kprobes)". */
export function methodLabel(method: JourneyPayload['method']): string {
  return method === 'tracepoints' ? 'tracepoint journey (no kprobes)' : 'pwru (kprobes)';
}

/** Where drop reason names came from, as a note; empty when there is nothing to say. */
export function reasonsFromLabel(from: JourneyPayload['reasonsFrom']): string {
  if (from === 'kernel-format') return 'drop reasons named from this kernel’s kfree_skb format';
  if (from === 'pwru') return 'drop reasons as pwru named them';
  if (from === 'none') return 'drop reasons not named';
  return '';
}

/** The end badge's word and its longer text: "dropped" / "dropped at kfree_skb (NETFILTER_DROP) in nft_do_chain". */
export function endText(end: JourneyEnd): { badge: string; long: string } {
  if (end.kind === 'consumed') return { badge: 'consumed', long: `consumed at ${end.at}` };
  if (end.kind === 'dropped') {
    const reason = end.reason ? ` (${end.reason})` : '';
    const where = end.where && end.where !== end.at ? ` in ${end.where}` : '';
    return { badge: `dropped${reason}`, long: `dropped at ${end.at}${reason}${where}` };
  }
  return { badge: 'in flight', long: 'still in flight when the trace ended (no free seen)' };
}

/** What a journey's list row and the filter read: id, skb, process, tuple, how it ended, its functions. */
function searchText(j: Journey): string {
  const end = endText(j.end).long;
  return [`#${j.id}`, j.skb, j.process ?? '', j.tuple ?? '', end, ...j.steps.map((s) => s.fn)].join(' ').toLowerCase();
}

/**
 * Whether a journey matches the filter: every word of `query` (case-insensitive) is in its id
 * (`#4`), skb, process, tuple, end (`dropped`, a reason) or one of its functions.
 */
export function journeyMatches(j: Journey, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = searchText(j);
  return words.every((w) => text.includes(w));
}

/** One row of the side-by-side view: the step on each side and how the row is marked. */
export interface ComparisonLine {
  left?: JourneyStep;
  right?: JourneyStep;
  /** `shared`: both took it before the paths part; `diverge`: the first row that differs; `apart`: after it. */
  mark: 'shared' | 'diverge' | 'apart' | 'same-after';
  /** This side's step is where its journey was dropped. */
  leftDrop: boolean;
  rightDrop: boolean;
}

/** The index of the step where a dropped journey was freed (the first call of its end's function), or -1. */
export function dropStepIndex(j: Journey): number {
  const end = j.end;
  return end.kind === 'dropped' ? j.steps.findIndex((s) => s.fn === end.at) : -1;
}

/**
 * The rows of a comparison with their steps looked up (an index out of range leaves that side
 * empty) and marked: before `divergeRow` shared, at it diverge, after it apart (or the same again).
 */
export function comparisonLines(c: JourneyComparison, left: Journey, right: Journey): ComparisonLine[] {
  const [leftDrop, rightDrop] = [dropStepIndex(left), dropStepIndex(right)];
  return c.rows.map((row: ComparisonRow, i) => {
    const mark = c.divergeRow === null || i < c.divergeRow ? 'shared' : i === c.divergeRow ? 'diverge' : row.same ? 'same-after' : 'apart';
    const line: ComparisonLine = { mark, leftDrop: row.left === leftDrop, rightDrop: row.right === rightDrop };
    const l = row.left === undefined ? undefined : left.steps[row.left];
    const r = row.right === undefined ? undefined : right.steps[row.right];
    if (l) line.left = l;
    if (r) line.right = r;
    return line;
  });
}

/**
 * Which rows of a long comparison to draw (at most `cap`): from the top, unless that would hide
 * the first divergence; then from a few shared rows before it.
 */
export function comparisonWindow(total: number, divergeRow: number | null, cap: number): { start: number; end: number } {
  if (total <= cap || divergeRow === null || divergeRow < cap - 10) return { start: 0, end: Math.min(total, cap) };
  const start = Math.max(0, Math.min(divergeRow - 10, total - cap));
  return { start, end: start + cap };
}
