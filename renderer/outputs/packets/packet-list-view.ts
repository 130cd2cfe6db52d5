/**
 * The packet list: Wireshark's columns over a {@link PacketListModel}, virtualised (only the rows in
 * view are in the DOM, made from the model as they scroll in), with a selected row and keyboard
 * navigation (↑ ↓ Home End PageUp PageDown). Follows the end of a live capture while scrolled there.
 */
import { h } from '../dom.ts';
import type { PacketListModel } from './packet-list-model.ts';
import type { ListRow } from './packet-source.ts';
import { atEnd, type ListGeometry, revealRow, rowWindow, scrollHeight } from './virtual-window.ts';

/** Row height in px; outputs.css gives `.pb-pk-row` the same. */
const ROW_PX = 20;
/** The list's height at the most, in rows. */
const MAX_VISIBLE_ROWS = 16;

const COLUMNS = ['No.', 'Time', 'Source', 'Destination', 'Protocol', 'Length', 'Info'] as const;

export class PacketListView {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly body: HTMLElement;
  private readonly rowsEl: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly drawn: { packet: number; row: ListRow | null; selected: boolean }[] = [];
  private model: PacketListModel;
  /** The selected packet (an index into the source), or -1. */
  selected = -1;
  /** Whether to keep the end in view as rows arrive (live captures, while the user is there). */
  follow = false;
  private atEnd = true;

  constructor(
    model: PacketListModel,
    private readonly onSelect: (packet: number) => void,
  ) {
    this.model = model;
    const head = h('div', 'pb-pk-row pb-pk-head', ...COLUMNS.map((c) => h('span', 'pb-pk-c', c)));
    head.setAttribute('role', 'row');
    for (const c of head.children) c.setAttribute('role', 'columnheader');
    this.rowsEl = h('div', 'pb-pk-rows');
    this.rowsEl.setAttribute('role', 'rowgroup');
    this.body = h('div', 'pb-pk-body', this.rowsEl);
    this.viewport = h('div', 'pb-pk-list', head, this.body);
    this.viewport.tabIndex = 0;
    this.viewport.setAttribute('role', 'grid');
    this.viewport.setAttribute('aria-label', 'Packets: ↑ ↓ Home End PageUp PageDown to move');
    this.empty = h('div', 'pb-empty pb-pk-empty');
    this.element = h('div', 'pb-pk-listwrap', this.viewport, this.empty);
    this.viewport.addEventListener('scroll', this.onScroll, { passive: true });
    this.viewport.addEventListener('keydown', this.onKey);
    this.rowsEl.addEventListener('click', (ev) => {
      const row = (ev.target as HTMLElement).closest<HTMLElement>('.pb-pk-row');
      if (row?.dataset['packet']) this.select(Number(row.dataset['packet']), false);
    });
  }

  setModel(model: PacketListModel): void {
    this.model = model;
    this.drawn.length = 0;
    this.refresh();
  }

  /** Number of row elements in the DOM (tests, diagnostics). */
  get renderedRows(): number {
    return this.rowsEl.childElementCount;
  }

  /** Sizes the list for the model's rows, follows the end when asked, draws the rows in view. */
  refresh(emptyText = 'No packets yet.'): void {
    const n = this.model.length;
    const height = Math.min(n, MAX_VISIBLE_ROWS) * ROW_PX;
    this.viewport.style.height = `${height + ROW_PX}px`;
    this.viewport.hidden = n === 0;
    this.empty.hidden = n > 0;
    this.empty.textContent = emptyText;
    this.viewport.setAttribute('aria-rowcount', String(n + 1));
    const g = this.geometry();
    this.body.style.height = `${scrollHeight(g)}px`;
    if (this.follow && this.atEnd) this.viewport.scrollTop = scrollHeight(g);
    this.draw();
  }

  /** Selects packet `packet` (an index into the source) and scrolls its row into view. */
  select(packet: number, reveal = true): void {
    if (packet < 0 || packet >= this.model.total) return;
    this.selected = packet;
    const row = this.model.rowOf(packet);
    if (reveal && row >= 0) {
      const top = revealRow(this.geometry(), this.viewport.scrollTop, row);
      if (top !== undefined) this.viewport.scrollTop = top;
    }
    this.draw();
    this.onSelect(packet);
  }

  focus(): void {
    this.viewport.focus();
  }

  private geometry(): ListGeometry {
    const n = this.model.length;
    return { rows: n, rowHeight: ROW_PX, viewport: Math.min(n, MAX_VISIBLE_ROWS) * ROW_PX };
  }

  private readonly onScroll = (): void => {
    this.atEnd = atEnd(this.geometry(), this.viewport.scrollTop);
    this.draw();
  };

  private readonly onKey = (ev: KeyboardEvent): void => {
    const n = this.model.length;
    if (n === 0 || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const current = this.selected >= 0 ? this.model.rowOf(this.selected) : -1;
    const page = MAX_VISIBLE_ROWS - 1;
    const moves: Record<string, number> = {
      ArrowDown: current < 0 ? 0 : current + 1,
      ArrowUp: current < 0 ? 0 : current - 1,
      PageDown: current + page,
      PageUp: current - page,
      Home: 0,
      End: n - 1,
    };
    const to = moves[ev.key];
    if (to === undefined) return;
    ev.preventDefault();
    this.select(this.model.packetAt(Math.max(0, Math.min(n - 1, to))));
  };

  private draw(): void {
    const g = this.geometry();
    const w = rowWindow(g, this.viewport.scrollTop);
    this.rowsEl.style.transform = `translateY(${w.top}px)`;
    const count = w.end - w.start;
    while (this.rowsEl.childElementCount > count) this.rowsEl.lastElementChild!.remove();
    while (this.rowsEl.childElementCount < count) this.rowsEl.append(newRow());
    this.drawn.length = Math.min(this.drawn.length, count);
    for (let k = 0; k < count; k++) {
      const packet = this.model.packetAt(w.start + k);
      const row = this.model.row(packet);
      const selected = packet === this.selected;
      const was = this.drawn[k];
      const el = this.rowsEl.children[k] as HTMLElement;
      if (was?.row === row && was.packet === packet && was.selected === selected) continue;
      this.drawn[k] = { packet, row, selected };
      fillRow(el, row, packet, selected);
      el.setAttribute('aria-rowindex', String(w.start + k + 2));
    }
  }
}

function newRow(): HTMLElement {
  const el = h('div', 'pb-pk-row', ...COLUMNS.map(() => h('span', 'pb-pk-c')));
  el.setAttribute('role', 'row');
  return el;
}

function fillRow(el: HTMLElement, row: ListRow, packet: number, selected: boolean): void {
  const cells = [String(row.no), row.time, row.source, row.destination, row.protocol, row.length, row.info];
  cells.forEach((text, i) => {
    const cell = el.children[i] as HTMLElement;
    cell.textContent = text.length > 500 ? `${text.slice(0, 500)}…` : text;
  });
  el.dataset['packet'] = String(packet);
  el.dataset['no'] = String(row.no);
  el.classList.toggle('pb-pk-selected', selected);
  el.classList.toggle('pb-pk-bad', row.problems.length > 0);
  el.setAttribute('aria-selected', String(selected));
  el.title = row.problems.length ? `Problem: ${row.problems.join('; ')}` : row.info.length > 80 ? row.info.slice(0, 2000) : '';
}
