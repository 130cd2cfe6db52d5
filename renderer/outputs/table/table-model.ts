/**
 * The data behind every table Probebook shows (bpftrace maps and stats, `table+json`): typed
 * columns, sorting (numbers numerically, exact past 2^53), filtering, and copying as CSV or
 * aligned text. Pure (no DOM).
 */

export type ColumnType = 'number' | 'string';

export interface TableColumn {
  label: string;
  type: ColumnType;
  /** Draw an in-cell magnitude bar (numeric columns). */
  bar?: boolean;
}

/** A cell: its sort/copy value and the text shown. `null` is an empty cell. */
export type CellValue = number | string | null;

export interface TableModel {
  columns: TableColumn[];
  rows: CellValue[][];
  /** A class per row (same order as `rows`) for the view to mark it, e.g. a rule that never matched. */
  rowClasses?: (string | undefined)[];
}

export interface TableView {
  /** Column index to sort by; `null` keeps the source order. */
  sortColumn: number | null;
  descending: boolean;
  filter: string;
}

const INTEGER_RE = /^-?\d+$/;

/** Compares two cells of a column: numbers numerically (decimal strings of big integers too), else by text. */
export function compareCells(a: CellValue, b: CellValue, type: ColumnType): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (type === 'number') {
    if (typeof a === 'string' || typeof b === 'string') {
      const sa = String(a);
      const sb = String(b);
      if (INTEGER_RE.test(sa) && INTEGER_RE.test(sb)) {
        const x = BigInt(sa);
        const y = BigInt(sb);
        return x < y ? -1 : x > y ? 1 : 0;
      }
      return Number(a) - Number(b) || 0;
    }
    return a - b;
  }
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** Row indices after filtering and sorting (stable: ties keep the source order). */
export function viewRows(model: TableModel, view: TableView): number[] {
  const needle = view.filter.trim().toLowerCase();
  let rows = model.rows.map((_, i) => i);
  if (needle) rows = rows.filter((i) => model.rows[i]!.some((c) => c !== null && String(c).toLowerCase().includes(needle)));
  const col = view.sortColumn;
  if (col !== null && model.columns[col]) {
    const type = model.columns[col]!.type;
    const sign = view.descending ? -1 : 1;
    rows.sort((x, y) => sign * compareCells(model.rows[x]![col]!, model.rows[y]![col]!, type) || x - y);
  }
  return rows;
}

/** The largest absolute value of a numeric column (for bar lengths); 0 when none. */
export function columnMax(model: TableModel, col: number): number {
  let max = 0;
  for (const row of model.rows) {
    const v = row[col];
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
    if (Number.isFinite(n) && Math.abs(n) > max) max = Math.abs(n);
  }
  return max;
}

/** Column names whose numbers are identifiers (uid 64001, port 5201, pid), not quantities. */
const IDENTIFIER_RE = /(^|[\s_-])(id|pid|ppid|tid|tgid|uid|gid|[lrsd]?port|cpu)$/i;

/**
 * Text of a cell for display: integers grouped by thousands (not in an identifier column, given by
 * its `label`: "uid 64,104" reads as a quantity), other values as they are.
 */
export function displayCell(value: CellValue, type: ColumnType, label = ''): string {
  if (value === null) return '';
  if (type === 'number') {
    const s = String(value);
    if (INTEGER_RE.test(s)) return IDENTIFIER_RE.test(label) ? s : s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    if (typeof value === 'number' && !Number.isInteger(value)) return Number(value.toPrecision(6)).toString();
  }
  return String(value);
}

function csvField(value: CellValue, type: ColumnType): string {
  if (value === null) return '';
  let s = String(value);
  // A text cell that a spreadsheet would run as a formula gets a leading quote (OWASP CSV injection).
  if (type === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV of the given rows (all rows when omitted), header first, CRLF line ends. */
export function toCsv(model: TableModel, rows: readonly number[] = model.rows.map((_, i) => i)): string {
  const lines = [model.columns.map((c) => csvField(c.label, 'string')).join(',')];
  for (const i of rows) lines.push(model.rows[i]!.map((v, c) => csvField(v, model.columns[c]!.type)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Aligned plain text (numbers right-aligned), for pasting into a terminal, an email or a report. */
export function toText(model: TableModel, rows: readonly number[] = model.rows.map((_, i) => i)): string {
  const cells = rows.map((i) => model.rows[i]!.map((v) => (v === null ? '' : String(v).replace(/\n/g, ' ⏎ '))));
  const widths = model.columns.map((c, k) => Math.max(c.label.length, ...cells.map((r) => r[k]!.length)));
  const pad = (s: string, k: number): string => (model.columns[k]!.type === 'number' ? s.padStart(widths[k]!) : s.padEnd(widths[k]!));
  const out = [model.columns.map((c, k) => pad(c.label, k)).join('  '), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of cells) out.push(r.map((s, k) => pad(s, k)).join('  '));
  return `${out.map((l) => l.trimEnd()).join('\n')}\n`;
}
