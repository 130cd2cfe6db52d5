/**
 * `application/vnd.probebook.table+json` as a sortable, filterable table. Accepted data:
 * `{ columns?: (string | { name: string; type?: 'number' | 'string' })[], rows: (object | array)[] }`
 * or a bare array of row objects. Column types are inferred when not given.
 */
import { MIME } from '../../../core/common/mime.ts';
import type { Json } from '../../../core/common/notebook/model.ts';
import { inPlaceRenderer } from '../in-place-renderer.ts';
import type { CellValue, ColumnType, TableModel } from './table-model.ts';
import { TableViewer } from './table-view.ts';

function cell(v: Json | undefined): CellValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Reads table data into a model; throws a readable error for anything else. */
function tableModelOf(data: Json): TableModel {
  const obj = Array.isArray(data) ? { rows: data } : data;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj) || !Array.isArray(obj['rows'])) {
    throw new Error('table data must be { columns?, rows: [...] } or an array of row objects');
  }
  const rows = obj['rows'] as Json[];
  const declared = Array.isArray(obj['columns']) ? (obj['columns'] as Json[]) : null;
  let names: string[];
  let types: (ColumnType | undefined)[] = [];
  if (declared) {
    names = declared.map((c, i) =>
      typeof c === 'string' ? c : c && typeof c === 'object' && !Array.isArray(c) ? String(c['name'] ?? c['label'] ?? `column ${i + 1}`) : `column ${i + 1}`,
    );
    types = declared.map((c) =>
      c && typeof c === 'object' && !Array.isArray(c) && (c['type'] === 'number' || c['type'] === 'string') ? c['type'] : undefined,
    );
  } else {
    const seen = new Set<string>();
    let width = 0;
    for (const r of rows) {
      if (Array.isArray(r)) width = Math.max(width, r.length);
      else if (r && typeof r === 'object') for (const k of Object.keys(r)) seen.add(k);
    }
    names = seen.size ? [...seen] : Array.from({ length: width }, (_, i) => `column ${i + 1}`);
  }
  const cells = rows.map((r) =>
    names.map((name, i) => cell(Array.isArray(r) ? r[i] : r && typeof r === 'object' ? (r as Record<string, Json>)[name] : i === 0 ? r : undefined)),
  );
  const columns = names.map((label, i) => {
    const type: ColumnType =
      types[i] ?? (cells.some((r) => r[i] !== null) && cells.every((r) => r[i] === null || typeof r[i] === 'number') ? 'number' : 'string');
    return { label, type, bar: false };
  });
  // One bar column, the last numeric one (usually the measurement), keeps the table calm.
  const last = columns.map((c) => c.type).lastIndexOf('number');
  if (last !== -1) columns[last]!.bar = true;
  return { columns, rows: cells };
}

export const tableRenderer = inPlaceRenderer({ id: 'table', mimeTypes: [MIME.table], rank: 20, safe: true }, (element, item) => {
  const viewer = new TableViewer(element, tableModelOf(item.data));
  return { show: (next) => viewer.setModel(tableModelOf(next.data)), dispose: () => viewer.element.remove() };
});
