/**
 * stdout that is a stream of events (bpftrace's snoop tools and programs like them: a header line
 * from BEGIN, then one printf row per event) shows as a live table, filterable and sortable, with
 * the raw text one click away; any other stdout is the plain text view it always was.
 *
 * Why here and not in the kernel or the runner: the stream is already live in the page (appends),
 * so the table follows it with no new protocol, no second copy of the events in the notebook, and
 * no parsing in the root kernel host; the saved notebook keeps the plain stream that Jupyter and
 * GitHub show; and a shell cell running `/usr/sbin/opensnoop.bt` gets the same table.
 */
import { MIME } from '../../../core/common/mime.ts';
import { EventTableReader } from '../../../core/common/parsers/events/event-table.ts';
import { button, h } from '../dom.ts';
import type { ItemView, OutputRenderer } from '../registry.ts';
import type { TableModel } from '../table/table-model.ts';
import { TableViewer } from '../table/table-view.ts';
import { TextView } from '../text/text-view.ts';

/** The table is redrawn at most this often while events stream in. */
const UPDATE_MS = 250;
const NUMBER_RE = /^-?\d+(\.\d+)?$/;
/** Identifiers and ports are numbers to sort, not amounts: shown as printed (no `20,652`), in numeric text order. */
const ID_RE = /(ID|PORT)$/;

class EventStreamView {
  readonly element = h('div', 'pb-events');
  private readonly text: TextView;
  private readonly reader = new EventTableReader();
  private readonly bar = h('div', 'pb-events-bar');
  private readonly count = h('span', 'pb-events-count');
  private readonly toggle: HTMLButtonElement;
  private readonly tableBox = h('div', 'pb-events-table');
  private readonly rawBox = h('div', 'pb-events-raw');
  private table: TableViewer | undefined;
  private raw = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Whether each column is all numbers so far, and how many rows that covers. */
  private numeric: boolean[] = [];
  private typed = 0;

  constructor(parent: HTMLElement, first: string) {
    this.toggle = button('Raw text', 'Show the text as printed', () => this.show(!this.raw), 'pb-events-toggle');
    this.bar.append(this.count, h('span', 'pb-spacer'), this.toggle);
    this.bar.hidden = true;
    this.tableBox.hidden = true;
    this.element.append(this.bar, this.tableBox, this.rawBox);
    parent.append(this.element);
    this.text = new TextView(this.rawBox, { kind: 'stdout' });
    this.append(first);
    this.flush();
  }

  append(text: string): void {
    this.text.append(text);
    if (this.reader.push(text)) this.timer ??= setTimeout(() => this.update(), UPDATE_MS);
  }

  flush(): void {
    this.text.flush();
    if (this.timer !== undefined || (this.reader.state === 'table' && !this.table)) this.update();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.text.dispose();
    this.element.remove();
  }

  private show(raw: boolean): void {
    this.raw = raw;
    this.tableBox.hidden = raw;
    this.rawBox.hidden = !raw;
    this.toggle.textContent = raw ? 'Table' : 'Raw text';
    this.toggle.title = raw ? 'Show the events as a table' : 'Show the text as printed';
    if (raw) this.text.flush();
  }

  private update(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { columns, rows, otherLines, droppedRows } = this.reader;
    if (this.reader.state !== 'table') return;
    if (this.numeric.length !== columns.length) this.numeric = columns.map((name) => !ID_RE.test(name));
    for (; this.typed < rows.length; this.typed++) {
      const row = rows[this.typed]!;
      for (let c = 0; c < columns.length; c++) if (row[c] !== '' && !NUMBER_RE.test(row[c]!)) this.numeric[c] = false;
    }
    const model: TableModel = {
      columns: columns.map((label, c) => ({ label, type: this.numeric[c] ? 'number' : 'string' })),
      rows: rows.map((row) => row.map((v, c) => (v === '' ? null : this.numeric[c] ? Number(v) : v))),
    };
    if (!this.table) {
      this.table = new TableViewer(this.tableBox, model);
      this.bar.hidden = false;
      this.show(false);
    } else {
      const scroll = this.tableBox.querySelector('.pb-table-scroll');
      const atEnd = scroll ? scroll.scrollTop + scroll.clientHeight >= scroll.scrollHeight - 2 : false;
      this.table.setModel(model);
      // A live table follows its newest events while it is scrolled to the end.
      if (scroll && atEnd) scroll.scrollTop = scroll.scrollHeight;
    }
    const n = (x: number) => x.toLocaleString('en-US');
    this.count.textContent = `${n(rows.length + droppedRows)} events${droppedRows ? ` (the table keeps the first ${n(rows.length)})` : ''}${otherLines ? ` · ${n(otherLines)} other lines in the raw text` : ''}`;
  }
}

/** stdout, as text or as a live event table when it is one; preferred over the plain stdout view. */
export const eventStreamRenderer: OutputRenderer = {
  id: 'stdout-events',
  mimeTypes: [MIME.stdout],
  rank: 9,
  safe: true,
  render(item, element): ItemView {
    const view = new EventStreamView(element, typeof item.data === 'string' ? item.data : JSON.stringify(item.data, null, 2));
    return { append: (text) => view.append(text), flush: () => view.flush(), dispose: () => view.dispose() };
  },
};
