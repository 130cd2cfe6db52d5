/**
 * The run timeline panel: the cells of one run on one time axis, docked under the notebook.
 * A run picker, an axis with round ticks, one row per cell with a bar from its start to its end
 * (coloured by status; background cells hatched, so a tracer that ran alongside the load reads
 * as one experiment), a marker where a cell was stopped, and a tooltip with the exact times.
 * It reads the timing the runner keeps in each cell's `metadata.execution` (run-timeline-model.ts),
 * so it is live while a run goes on and the same after a reload or for a notebook run headless.
 * Rows are kept and moved, not rebuilt, so hover and clicks survive the live updates.
 */
import { formatDuration } from '../../core/common/format.ts';
import { h } from '../outputs/dom.ts';
import { icon, iconButton } from './icons.ts';
import type { DocumentEvent, NotebookDocument } from './notebook-document.ts';
import {
  axisLength,
  axisTicks,
  buildTimeline,
  describeRow,
  listRuns,
  STATUS_LABELS,
  STOP_LABELS,
  type RunTimeline,
  type TimelineRow,
} from './run-timeline-model.ts';

export interface RunTimelineActions {
  /** Selects a cell in the notebook and scrolls to it. */
  selectCell(cellId: string): void;
  /** The close button (the page keeps the open state). */
  close(): void;
  /** The empty state's button. */
  runAll(): void;
  /** The panel's height changed (the page leaves room for it). */
  resized(heightPx: number): void;
}

/** How often running bars grow; only while something runs. */
const TICK_MS = 100;
const MIN_HEIGHT = 120;
/** The space the bar's duration label needs outside a bar. */
const LABEL_ROOM_PX = 64;

interface RowElements {
  row: HTMLButtonElement;
  label: HTMLElement;
  bar: HTMLElement;
  duration: HTMLElement;
  stop: HTMLElement;
  key: string;
}

export class RunTimelinePanel {
  readonly element: HTMLElement;
  private readonly picker: HTMLSelectElement;
  private readonly summary: HTMLElement;
  private readonly body: HTMLElement;
  private readonly axis: HTMLElement;
  private readonly rowsBox: HTMLElement;
  private readonly lines: HTMLElement;
  private readonly nowLine: HTMLElement;
  private readonly guides: [HTMLElement, HTMLElement];
  private readonly empty: HTMLElement;
  private readonly rows = new Map<string, RowElements>();
  /** The run the user picked; null follows the latest run. */
  private chosenRunId: string | null = null;
  private current: RunTimeline | null = null;
  private activeCellId: string | null = null;
  private laneWidth = 0;
  private frame = 0;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private readonly unsubscribe: () => void;
  private readonly resizeObserver: ResizeObserver;
  private heightPx: number;

  constructor(
    private readonly doc: NotebookDocument,
    private readonly actions: RunTimelineActions,
    options: { height: number },
  ) {
    this.heightPx = options.height;
    this.picker = h('select', 'pb-tl-picker');
    this.picker.setAttribute('aria-label', 'Run');
    this.picker.title = 'The run shown (each cell keeps its last execution)';
    this.picker.addEventListener('change', () => {
      const latest = listRuns(this.doc.notebook)[0]?.id;
      this.chosenRunId = this.picker.value === latest ? null : this.picker.value;
      this.render();
    });
    this.summary = h('span', 'pb-tl-summary');
    const legend = h(
      'span',
      'pb-tl-legend',
      ...(['ok', 'failed', 'interrupted', 'running'] as const).map((s) => h('span', 'pb-tl-key', h('span', `pb-tl-swatch pb-tl-s-${s}`), STATUS_LABELS[s])),
      h('span', 'pb-tl-key', h('span', 'pb-tl-swatch pb-tl-s-ok pb-tl-swatch-bg'), 'Background'),
    );
    const head = h(
      'div',
      'pb-tl-head',
      icon('timeline', 'pb-tl-icon'),
      h('span', 'pb-tl-title', 'Run timeline'),
      this.picker,
      this.summary,
      h('span', 'pb-spacer'),
      legend,
      iconButton('close', 'Close the run timeline (T)', () => this.actions.close(), { className: 'pb-tl-close' }),
    );
    const grip = h('div', 'pb-tl-grip');
    grip.title = 'Drag to resize';
    grip.setAttribute('role', 'separator');
    grip.setAttribute('aria-orientation', 'horizontal');
    grip.setAttribute('aria-label', 'Resize the run timeline');
    this.makeResizable(grip);

    this.axis = h('div', 'pb-tl-axis');
    this.rowsBox = h('div', 'pb-tl-rows');
    this.nowLine = h('div', 'pb-tl-now');
    this.nowLine.title = 'Now';
    this.guides = [h('div', 'pb-tl-guide'), h('div', 'pb-tl-guide')];
    for (const g of this.guides) g.hidden = true;
    this.lines = h('div', 'pb-tl-lines');
    const overlay = h('div', 'pb-tl-overlay', h('div', 'pb-tl-lane', this.lines, this.nowLine, ...this.guides));
    const corner = h('div', 'pb-tl-corner', 'Cell');
    const axisRow = h('div', 'pb-tl-axis-row', corner, h('div', 'pb-tl-axis-track', h('div', 'pb-tl-lane', this.axis)));
    const content = h('div', 'pb-tl-content', overlay, axisRow, this.rowsBox);
    this.empty = h(
      'div',
      'pb-tl-empty',
      icon('timeline', 'pb-tl-empty-icon'),
      h('p', 'pb-tl-empty-title', 'Run cells to see them on a time axis'),
      h(
        'p',
        '',
        'Each run — Run all, or the cells you run — shows here with every cell from its start to its end, background cells alongside. The times are kept in the notebook, so a saved notebook shows its last run when opened again.',
      ),
    );
    const runAll = h('button', 'pb-btn-secondary', icon('runAll'), 'Run all');
    runAll.type = 'button';
    runAll.addEventListener('click', () => this.actions.runAll());
    this.empty.append(runAll);
    this.body = h('div', 'pb-tl-body', content, this.empty);
    this.element = h('section', 'pb-timeline', grip, head, this.body);
    this.element.setAttribute('aria-label', 'Run timeline');
    this.element.style.height = `${this.heightPx}px`;

    this.rowsBox.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.pb-tl-row');
      if (row?.dataset['cellId']) this.actions.selectCell(row.dataset['cellId']);
    });
    this.rowsBox.addEventListener('pointerover', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.pb-tl-row');
      const data = row && this.current?.rows.find((r) => r.cellId === row.dataset['cellId']);
      this.showGuides(data ?? null);
    });
    this.rowsBox.addEventListener('pointerleave', () => this.showGuides(null));
    this.resizeObserver = new ResizeObserver(() => {
      const width = this.axis.clientWidth;
      if (width !== this.laneWidth) {
        this.laneWidth = width;
        this.render();
      }
    });
    this.resizeObserver.observe(this.axis);
    this.unsubscribe = doc.on((e) => this.onDocument(e));
    this.render();
  }

  get height(): number {
    return this.heightPx;
  }

  /** The notebook's selected cell, highlighted in its row. */
  setActiveCell(cellId: string | null): void {
    if (cellId === this.activeCellId) return;
    this.activeCellId = cellId;
    for (const [id, r] of this.rows) r.row.classList.toggle('pb-tl-selected', id === cellId);
  }

  dispose(): void {
    this.unsubscribe();
    this.resizeObserver.disconnect();
    this.stopTicker();
    if (this.frame) cancelAnimationFrame(this.frame);
    this.element.remove();
  }

  private onDocument(e: DocumentEvent): void {
    // Timing lives in the cell metadata; names and order in the cells; liveness in run states.
    if (e.kind === 'metadata' || e.kind === 'structure' || e.kind === 'run-state' || e.kind === 'cell-type' || e.kind === 'notebook-metadata') this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private isLive(cellId: string): boolean {
    // The runner records a cell's start before it reports it running, and its end before it reports the end.
    const s = this.doc.runState(cellId).status;
    return s === 'running' || s === 'queued';
  }

  /** Draws the chosen run as it is now. */
  render(): void {
    const now = Date.now();
    const runs = listRuns(this.doc.notebook, now);
    if (this.chosenRunId && !runs.some((r) => r.id === this.chosenRunId)) this.chosenRunId = null;
    const tl = buildTimeline(this.doc.notebook, { runId: this.chosenRunId, now, isLive: (id) => this.isLive(id) });
    this.current = tl;
    this.renderPicker(
      runs.map((r) => ({ id: r.id, label: r.label })),
      tl?.run.id ?? null,
    );
    this.element.classList.toggle('pb-tl-is-empty', !tl);
    if (!tl) {
      this.summary.textContent = '';
      for (const r of this.rows.values()) r.row.remove();
      this.rows.clear();
      this.stopTicker();
      return;
    }
    this.element.classList.toggle('pb-tl-is-running', tl.running);
    this.summary.textContent = summaryOf(tl);
    const length = axisLength(tl.spanMs, tl.running);
    const frac = (ms: number) => Math.min(1, Math.max(0, ms / length));
    const pct = (ms: number) => `${(frac(ms) * 100).toFixed(4)}%`;
    this.renderAxis(length, pct);
    this.nowLine.hidden = !tl.running;
    if (tl.running) this.nowLine.style.left = pct(tl.spanMs);

    const seen = new Set<string>();
    let before: Element | null = this.rowsBox.firstElementChild;
    for (const row of tl.rows) {
      seen.add(row.cellId);
      const els = this.rows.get(row.cellId) ?? this.makeRow(row.cellId);
      this.updateRow(els, row, frac, pct);
      if (els.row !== before) this.rowsBox.insertBefore(els.row, before);
      else before = before.nextElementSibling;
    }
    for (const [id, els] of this.rows) {
      if (seen.has(id)) continue;
      els.row.remove();
      this.rows.delete(id);
    }
    if (tl.running) this.startTicker();
    else this.stopTicker();
  }

  private renderPicker(runs: { id: string; label: string }[], selected: string | null): void {
    const key = runs.map((r) => `${r.id}\u0000${r.label}`).join('\u0001');
    if (this.picker.dataset['key'] !== key) {
      this.picker.dataset['key'] = key;
      this.picker.replaceChildren(
        ...runs.map((r, i) => {
          const o = h('option', '', i === 0 && runs.length > 1 ? `${r.label} (latest)` : r.label);
          o.value = r.id;
          return o;
        }),
      );
    }
    this.picker.hidden = runs.length === 0;
    this.picker.disabled = runs.length < 2;
    if (selected) this.picker.value = selected;
  }

  private renderAxis(length: number, pct: (ms: number) => string): void {
    const ticks = axisTicks(length, this.laneWidth || 600, 90);
    const key = `${length}|${this.laneWidth}`;
    if (this.axis.dataset['key'] === key) return;
    this.axis.dataset['key'] = key;
    this.axis.replaceChildren(
      ...ticks.map((t, i) => {
        const label = h('span', `pb-tl-tick${i === 0 ? ' pb-tl-tick-first' : ''}`, t.label);
        label.style.left = pct(t.ms);
        return label;
      }),
    );
    this.lines.replaceChildren(
      ...ticks.map((t) => {
        const line = h('div', 'pb-tl-line');
        line.style.left = pct(t.ms);
        return line;
      }),
    );
  }

  private makeRow(cellId: string): RowElements {
    const label = h('span', 'pb-tl-label');
    const bar = h('span', 'pb-tl-bar');
    const duration = h('span', 'pb-tl-duration');
    const stop = h('span', 'pb-tl-stop');
    const row = h('button', 'pb-tl-row', label, h('span', 'pb-tl-track', h('span', 'pb-tl-lane', bar, stop, duration)));
    row.type = 'button';
    row.dataset['cellId'] = cellId;
    row.classList.toggle('pb-tl-selected', cellId === this.activeCellId);
    const els: RowElements = { row, label, bar, duration, stop, key: '' };
    this.rows.set(cellId, els);
    return els;
  }

  private updateRow(els: RowElements, row: TimelineRow, frac: (ms: number) => number, pct: (ms: number) => string): void {
    const status = row.unfinished ? 'unfinished' : row.status;
    // The label and classes change rarely; the bar every tick while it runs.
    const key = `${row.index}|${row.name}|${row.language}|${status}|${row.stop ?? ''}|${row.background}|${row.cleanup}`;
    if (els.key !== key) {
      els.key = key;
      els.row.dataset['status'] = status;
      els.row.classList.toggle('pb-tl-background', row.background);
      els.row.classList.toggle('pb-tl-cleanup', row.cleanup);
      els.bar.className = `pb-tl-bar pb-tl-s-${status}`;
      els.label.replaceChildren(h('span', 'pb-tl-index', String(row.index + 1)), h('span', 'pb-tl-name', row.name), h('span', 'pb-tl-lang', row.language));
      if (row.background) els.label.append(h('span', 'pb-tl-flag', 'background'));
      if (row.cleanup) els.label.append(h('span', 'pb-tl-flag', 'cleanup'));
      els.stop.replaceChildren();
      els.stop.hidden = !row.stop;
      if (row.stop) {
        els.stop.append(icon(row.stop === 'timeout' ? 'clock' : 'interrupted'));
        els.stop.title = STOP_LABELS[row.stop];
        els.stop.dataset['stop'] = row.stop;
      }
    }
    els.row.title = `${describeRow(row)}\nClick to select the cell`;
    els.row.setAttribute(
      'aria-label',
      `${row.name}: ${row.unfinished ? 'did not finish' : STATUS_LABELS[row.status].toLowerCase()}, ${formatDuration(row.durationMs)}, from +${formatDuration(row.startMs)}`,
    );
    els.bar.style.left = pct(row.startMs);
    els.bar.style.width = `max(2px, ${((frac(row.endMs) - frac(row.startMs)) * 100).toFixed(4)}%)`;
    els.stop.style.left = pct(row.endMs);
    // The duration goes inside a wide bar, else after it, else (at the right edge) before it.
    const width = this.laneWidth || 600;
    const startPx = frac(row.startMs) * width;
    const endPx = frac(row.endMs) * width;
    const stopRoom = row.stop ? 14 : 0;
    els.duration.textContent = formatDuration(row.durationMs);
    let place: 'inside' | 'after' | 'before';
    if (endPx - startPx >= LABEL_ROOM_PX + 8 && !row.background) place = 'inside';
    else if (endPx + stopRoom + LABEL_ROOM_PX <= width) place = 'after';
    else place = startPx >= LABEL_ROOM_PX ? 'before' : 'inside';
    els.duration.dataset['place'] = place;
    els.duration.style.left = place === 'after' ? `calc(${pct(row.endMs)} + ${stopRoom + 5}px)` : place === 'inside' ? `calc(${pct(row.startMs)} + 6px)` : '';
    els.duration.style.right = place === 'before' ? `calc(${(100 - frac(row.startMs) * 100).toFixed(4)}% + 5px)` : '';
  }

  private showGuides(row: TimelineRow | null): void {
    const tl = this.current;
    for (const g of this.guides) g.hidden = !row || !tl;
    if (!row || !tl) return;
    const length = axisLength(tl.spanMs, tl.running);
    this.guides[0].style.left = `${(Math.min(1, row.startMs / length) * 100).toFixed(4)}%`;
    this.guides[1].style.left = `${(Math.min(1, row.endMs / length) * 100).toFixed(4)}%`;
  }

  private startTicker(): void {
    this.ticker ??= setInterval(() => this.render(), TICK_MS);
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  private makeResizable(grip: HTMLElement): void {
    grip.addEventListener('pointerdown', (down) => {
      down.preventDefault();
      grip.setPointerCapture(down.pointerId);
      const startY = down.clientY;
      const startHeight = this.heightPx;
      const move = (e: PointerEvent) => this.setHeight(startHeight + (startY - e.clientY));
      const up = () => {
        grip.removeEventListener('pointermove', move);
        grip.removeEventListener('pointerup', up);
        grip.removeEventListener('pointercancel', up);
      };
      grip.addEventListener('pointermove', move);
      grip.addEventListener('pointerup', up);
      grip.addEventListener('pointercancel', up);
    });
  }

  private setHeight(px: number): void {
    const max = Math.max(MIN_HEIGHT, Math.round(window.innerHeight * 0.7));
    this.heightPx = Math.round(Math.min(max, Math.max(MIN_HEIGHT, px)));
    this.element.style.height = `${this.heightPx}px`;
    this.actions.resized(this.heightPx);
  }
}

/** "Running · 1.20 s · 3 cells", "2.30 s · 4 cells · 1 failed · 1 stopped". */
function summaryOf(tl: RunTimeline): string {
  const count = (s: string) => tl.rows.filter((r) => r.status === s && !r.unfinished).length;
  const parts = [tl.running ? `Running · ${formatDuration(tl.spanMs)}` : formatDuration(tl.spanMs), `${tl.rows.length} cell${tl.rows.length === 1 ? '' : 's'}`];
  if (count('failed')) parts.push(`${count('failed')} failed`);
  if (count('interrupted')) parts.push(`${count('interrupted')} stopped`);
  const unfinished = tl.rows.filter((r) => r.unfinished).length;
  if (unfinished) parts.push(`${unfinished} did not finish`);
  return parts.join(' · ');
}
