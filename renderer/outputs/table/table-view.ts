/**
 * A sortable, filterable table with in-cell magnitude bars and "CSV" / "Text" copy buttons. Used
 * by bpftrace maps and stats and by `table+json`. Click a header to sort (again to reverse, a
 * third time for the source order). Updates in place keep the sort and the filter.
 */
import { copyButton, h } from '../dom.ts';
import { columnMax, displayCell, toCsv, toText, viewRows, type TableModel, type TableView } from './table-model.ts';

/** Rows drawn before "Show all" (big maps stay fast; copy always takes every filtered row). */
const PAGE_ROWS = 500;

export class TableViewer {
  readonly element: HTMLElement;
  private model: TableModel;
  private readonly state: TableView = { sortColumn: null, descending: false, filter: '' };
  private readonly filterInput: HTMLInputElement;
  private readonly count: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly more: HTMLButtonElement;
  private showAll = false;
  private rows: number[] = [];

  constructor(parent: HTMLElement, model: TableModel, extraTools: Node[] = []) {
    this.model = model;
    this.filterInput = h('input', 'pb-filter');
    this.filterInput.type = 'search';
    this.filterInput.placeholder = 'Filter';
    this.filterInput.setAttribute('aria-label', 'Filter rows');
    this.filterInput.addEventListener('input', () => {
      this.state.filter = this.filterInput.value;
      this.draw();
    });
    this.count = h('span', 'pb-table-count');
    this.table = h('table', 'pb-table');
    this.more = h('button', 'pb-btn pb-table-more');
    this.more.type = 'button';
    this.more.addEventListener('click', () => {
      this.showAll = true;
      this.draw();
    });
    const tools = h(
      'div',
      'pb-table-tools',
      this.filterInput,
      this.count,
      h('span', 'pb-spacer'),
      ...extraTools,
      copyButton('CSV', 'Copy the rows shown as CSV', () => toCsv(this.model, this.rows)),
      copyButton('Text', 'Copy the rows shown as aligned text', () => toText(this.model, this.rows)),
    );
    this.element = h('div', 'pb-table-wrap', tools, h('div', 'pb-table-scroll', this.table), this.more);
    parent.append(this.element);
    this.draw();
  }

  /** New data, same sort and filter. */
  setModel(model: TableModel): void {
    const sameColumns = model.columns.length === this.model.columns.length;
    this.model = model;
    if (!sameColumns) this.state.sortColumn = null;
    this.draw();
  }

  /** The rows currently shown, after filtering and sorting, as CSV. */
  csv(): string {
    return toCsv(this.model, this.rows);
  }

  private sortBy(col: number): void {
    if (this.state.sortColumn !== col) {
      this.state.sortColumn = col;
      // Numbers first biggest; text A→Z.
      this.state.descending = this.model.columns[col]!.type === 'number';
    } else if (this.state.descending === (this.model.columns[col]!.type === 'number')) {
      this.state.descending = !this.state.descending;
    } else this.state.sortColumn = null;
    this.draw();
  }

  private draw(): void {
    const { columns } = this.model;
    this.rows = viewRows(this.model, this.state);
    const maxes = columns.map((c, i) => (c.bar ? columnMax(this.model, i) : 0));
    const head = h('tr');
    columns.forEach((c, i) => {
      const th = h('th', c.type === 'number' ? 'pb-num' : '');
      const sorted = this.state.sortColumn === i;
      const label = h('button', 'pb-sort', c.label, h('span', 'pb-sort-mark', sorted ? (this.state.descending ? '▼' : '▲') : ''));
      label.type = 'button';
      label.title = `Sort by ${c.label}`;
      label.addEventListener('click', () => this.sortBy(i));
      th.setAttribute('aria-sort', sorted ? (this.state.descending ? 'descending' : 'ascending') : 'none');
      th.append(label);
      head.append(th);
    });
    const body = h('tbody');
    const shown = this.showAll ? this.rows : this.rows.slice(0, PAGE_ROWS);
    for (const r of shown) {
      const tr = h('tr', this.model.rowClasses?.[r] ?? '');
      this.model.rows[r]!.forEach((v, i) => {
        const c = columns[i]!;
        const td = h('td', c.type === 'number' ? 'pb-num' : '', displayCell(v, c.type, c.label));
        if (c.bar && maxes[i]! > 0 && v !== null) {
          const frac = Math.min(1, Math.abs(Number(v)) / maxes[i]!);
          if (Number.isFinite(frac)) {
            td.classList.add('pb-bar');
            td.style.setProperty('--pb-bar-width', `${(frac * 100).toFixed(1)}%`);
          }
        }
        if (typeof v === 'string' && v.includes('\n')) td.classList.add('pb-multiline');
        tr.append(td);
      });
      body.append(tr);
    }
    const empty = this.rows.length === 0;
    if (empty) {
      const td = h('td', 'pb-table-empty', this.model.rows.length ? `No rows match “${this.state.filter.trim()}”.` : 'No rows.');
      td.colSpan = Math.max(1, columns.length);
      body.append(h('tr', '', td));
    }
    this.table.replaceChildren(h('thead', '', head), body);
    const total = this.model.rows.length;
    this.count.textContent = this.state.filter.trim() ? `${this.rows.length} of ${total} rows` : `${total} ${total === 1 ? 'row' : 'rows'}`;
    this.more.hidden = this.showAll || this.rows.length <= PAGE_ROWS;
    this.more.textContent = `Show all ${this.rows.length} rows`;
    // A one-row table needs no filter.
    this.filterInput.hidden = total < 2;
  }
}
