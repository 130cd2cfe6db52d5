/**
 * "Snoop" output as a table: bpftrace's tools (execsnoop, opensnoop, tcpconnect, killsnoop…) print
 * a header line from BEGIN (`PID    COMM             FD ERR PATH`) and then one printf row per
 * event whose columns line up under it; the last column may hold spaces (arguments, paths). Read
 * incrementally, as the stream arrives; pure (no DOM, no Node). Output that has no such header in
 * its first lines, or whose next lines do not line up with it, stays text.
 */

/** Lines looked at for a header before the stream is taken for plain text. */
const SNIFF_LINES = 40;
/** Characters looked at for a header (a flood's first chunk is not split whole). */
const SNIFF_CHARS = 64 * 1024;
/** Rows that must line up under a header before the stream is called a table. */
const ROWS_TO_DECIDE = 2;
/** Rows kept; later events are counted (the text has them all). */
export const MAX_EVENT_ROWS = 100_000;

interface Column {
  name: string;
  start: number;
  end: number;
}

/** A header: two or more names in capitals (`PID`, `TIME(ms)`, `SADDR:SPORT`, `LATms`), nothing else. */
function headerOf(line: string): Column[] | undefined {
  const columns = fields(line);
  if (columns.length < 2) return undefined;
  for (const { name } of columns) {
    if (!/^[A-Z]/.test(name)) return undefined;
    const upper = name.replace(/[^A-Z]/g, '').length;
    const lower = name.replace(/[^a-z]/g, '').length;
    if (upper < lower || upper < 1) return undefined;
  }
  return columns;
}

/** Whitespace-separated fields with where each starts and ends. */
function fields(line: string, most = Infinity): Column[] {
  const out: Column[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null = re.exec(line);
  while (m) {
    if (out.length === most - 1) {
      out.push({ name: line.slice(m.index).trimEnd(), start: m.index, end: line.trimEnd().length });
      break;
    }
    out.push({ name: m[0], start: m.index, end: m.index + m[0].length });
    m = re.exec(line);
  }
  return out;
}

/** A row's cells under the header, or undefined when the line does not line up with it. */
function rowOf(line: string, header: Column[], strict: boolean): string[] | undefined {
  if (line.startsWith('@')) return undefined; // a map print at the end (bpftrace prints maps on exit)
  const cells = fields(line, header.length);
  if (cells.length < header.length - 1 || cells.length === 0) return undefined;
  // A cell sits under its name when it starts where the name starts (left-aligned) or ends where it ends (right-aligned).
  const under = (i: number) => cells[i]!.start === header[i]!.start || cells[i]!.end === header[i]!.end;
  if (!under(0)) return undefined;
  if (strict) {
    const inner = Math.min(cells.length, header.length - 1);
    let aligned = 0;
    for (let i = 0; i < inner; i++) if (under(i)) aligned++;
    if (aligned < Math.ceil(inner / 2)) return undefined;
  }
  const out = cells.map((c) => c.name);
  while (out.length < header.length) out.push('');
  return out;
}

/** Reads a stream's text as it comes; {@link state} says whether it is an event table. */
export class EventTableReader {
  state: 'undecided' | 'table' | 'text' = 'undecided';
  /** The header's names, once the stream is a table. */
  columns: string[] = [];
  readonly rows: string[][] = [];
  /** Lines that are not rows (the "Tracing… Hit Ctrl-C" line, map prints, blank lines). */
  otherLines = 0;
  /** Rows past {@link MAX_EVENT_ROWS}, counted only. */
  droppedRows = 0;
  #partial = '';
  #seen: string[] = [];
  #seenChars = 0;
  #header: Column[] | undefined;

  /** Adds stream text; returns true when the table changed. */
  push(text: string): boolean {
    if (this.state === 'text') return false;
    let rest = text;
    let changed = false;
    if (this.state === 'undecided') {
      // Only the head of a flood is looked at while deciding: splitting all of it could take a while.
      const head = text.slice(0, SNIFF_CHARS);
      const lines = (this.#partial + head).split('\n');
      this.#partial = lines.pop()!;
      for (const line of lines) {
        this.#seen.push(line.replace(/\r$/, ''));
        this.#seenChars += line.length + 1;
      }
      if (!this.#decide(false)) return false;
      changed = true;
      rest = text.slice(head.length);
      if (!rest) return true;
    }
    const lines = (this.#partial + rest).split('\n');
    this.#partial = lines.pop()!;
    return this.#addRows(lines) || changed;
  }

  /** The stream ended: its last line (without a newline) counts, and an undecided stream is decided. */
  end(): boolean {
    const last = this.#partial;
    this.#partial = '';
    if (this.state === 'text') return false;
    if (this.state === 'table') return last ? this.#addRows([last]) : false;
    if (last) this.#seen.push(last);
    return this.#decide(true);
  }

  /** Looks for a header with rows under it; true once the stream is a table. */
  #decide(ended: boolean): boolean {
    const seen = this.#seen;
    for (let h = 0; h < Math.min(seen.length, SNIFF_LINES); h++) {
      const header = headerOf(seen[h]!);
      if (!header) continue;
      const after = seen.slice(h + 1).filter((l) => l.trim() !== '');
      const lined = after.slice(0, ROWS_TO_DECIDE).map((l) => rowOf(l, header, true));
      if (lined.some((r) => !r)) continue;
      if (lined.length < ROWS_TO_DECIDE && !(ended && lined.length > 0)) {
        // The header may be the one: wait for its rows, unless the stream was looked at long enough.
        if (seen.length < SNIFF_LINES && this.#seenChars < SNIFF_CHARS && !ended) return false;
        continue;
      }
      this.state = 'table';
      this.#header = header;
      this.columns = header.map((c) => c.name);
      this.otherLines = seen.slice(0, h).length;
      this.#seen = [];
      this.#addRows(seen.slice(h + 1));
      return true;
    }
    if (ended || seen.length >= SNIFF_LINES || this.#seenChars >= SNIFF_CHARS) {
      this.state = 'text';
      this.#seen = [];
    }
    return false;
  }

  #addRows(lines: string[]): boolean {
    let changed = false;
    for (const raw of lines) {
      const line = raw.replace(/\r$/, '');
      const row = rowOf(line, this.#header!, false);
      if (!row) {
        this.otherLines++;
        continue;
      }
      if (this.rows.length >= MAX_EVENT_ROWS) this.droppedRows++;
      else this.rows.push(row);
      changed = true;
    }
    return changed;
  }
}
