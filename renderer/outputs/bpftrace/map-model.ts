/**
 * bpftrace payloads as tables: maps (one column per key part, the value with a magnitude bar),
 * stats/avg (count, average, total) and histogram buckets. Pure (no DOM).
 */
import type { BpftraceMapEntry, BpftraceMapPayload, BpftraceValue, HistBucket } from '../../../core/common/parsers/bpftrace/types.ts';
import type { CellValue, TableColumn, TableModel } from '../table/table-model.ts';
import { bucketLabels } from './hist-labels.ts';

/** A bpftrace value as bpftrace's text output shows it: tuples `(1, x)`, structs `{ a: 1 }`. */
export function valueText(v: BpftraceValue): string {
  if (v === null) return '';
  if (Array.isArray(v)) return `(${v.map(valueText).join(', ')})`;
  if (typeof v === 'object')
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${valueText(x)}`)
      .join(', ')} }`;
  return String(v);
}

function isNumeric(v: unknown): v is number | string {
  return typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v);
}

function keyColumns(entries: readonly BpftraceMapEntry[], keyless: boolean): TableColumn[] {
  if (keyless) return [];
  const arity = Math.max(1, ...entries.map((e) => e.key.length));
  return Array.from({ length: arity }, (_, i) => ({ label: arity === 1 ? 'key' : `key ${i + 1}`, type: 'string' as const }));
}

function keyCells(entry: BpftraceMapEntry, arity: number): CellValue[] {
  return Array.from({ length: arity }, (_, i) => entry.key[i] ?? null);
}

/** A `map` or `stats` payload as a table. */
export function mapTable(p: BpftraceMapPayload): TableModel {
  const keys = keyColumns(p.entries, p.keyless);
  if (p.kind === 'stats') {
    const stats = p.entries.map((e) => (e.value.type === 'stats' ? e.value.stats : null));
    const hasCount = stats.some((s) => s?.count !== undefined);
    const columns: TableColumn[] = [
      ...keys,
      ...(hasCount ? [{ label: 'count', type: 'number' as const, bar: true }] : []),
      { label: 'average', type: 'number', bar: !hasCount },
      ...(hasCount ? [{ label: 'total', type: 'number' as const }] : []),
    ];
    const rows = p.entries.map((e, i) => {
      const s = stats[i];
      return [...keyCells(e, keys.length), ...(hasCount ? [s?.count ?? null] : []), s?.average ?? null, ...(hasCount ? [s?.total ?? null] : [])];
    });
    return { columns, rows };
  }
  const values = p.entries.map((e) => (e.value.type === 'scalar' ? e.value.value : null));
  const numeric = values.every((v) => v === null || isNumeric(v));
  const columns: TableColumn[] = [...keys, { label: 'value', type: numeric ? 'number' : 'string', bar: numeric }];
  const rows = p.entries.map((e, i) => {
    const v = values[i];
    return [...keyCells(e, keys.length), v === null || v === undefined ? null : numeric ? (v as number | string) : valueText(v)];
  });
  return { columns, rows };
}

/** One histogram's buckets as a table: range as bpftrace labels it, inclusive bounds, count. */
export function histTable(buckets: readonly HistBucket[]): TableModel {
  const labels = bucketLabels(buckets);
  return {
    columns: [
      { label: 'range', type: 'string' },
      { label: 'min', type: 'number' },
      { label: 'max', type: 'number' },
      { label: 'count', type: 'number', bar: true },
    ],
    rows: buckets.map((b, i) => [labels[i]!, b.min, b.max, b.count]),
  };
}

/** Total count of a histogram (exact as a number up to 2^53). */
export function histTotal(buckets: readonly HistBucket[]): number {
  return buckets.reduce((sum, b) => sum + Number(b.count), 0);
}

/** A one-line summary of a payload: `map · 6 keys`, `hist · 2 keys`, `stats`. */
export function payloadSummary(p: BpftraceMapPayload): string {
  const kind = p.kind === 'hist' ? 'histogram' : p.kind;
  if (p.keyless) return kind;
  return `${kind} · ${p.entries.length} ${p.entries.length === 1 ? 'key' : 'keys'}`;
}
