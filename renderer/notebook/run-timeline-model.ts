/**
 * The run timeline as data: which runs a notebook's cells record, and for one run the cells on
 * one time axis. It reads Jupyter's timing metadata (`metadata.execution`: `iopub.execute_input`,
 * `shell.execute_reply`, all strings) and Probebook's keys beside them (`probebook.run`,
 * `probebook.status`, …), which the runner writes at each cell's start and end. Pure: no DOM, so
 * node:test covers it; `run-timeline.ts` draws what it returns.
 */
import { formatDuration } from '../../core/common/format.ts';
import { resolveCell } from '../../core/common/notebook/cell-options.ts';
import type { Cell, JsonObject, Notebook } from '../../core/common/notebook/model.ts';
import { isStopReason, type StopReason } from '../../core/common/protocol.ts';

export type TimelineStatus = 'running' | 'ok' | 'failed' | 'interrupted';

const STATUSES: readonly string[] = ['running', 'ok', 'failed', 'interrupted'];

/** One cell's last execution, as its metadata records it. */
export interface CellTiming {
  cellId: string;
  /** Position in the notebook (0-based). */
  index: number;
  runId: string;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms; null while the cell runs. */
  endedAt: number | null;
  status: TimelineStatus;
  stop?: StopReason;
  background: boolean;
  cleanup: boolean;
  /** The run was a Run All (`probebook.runAll`; older files: guessed from the cells). */
  runAll: boolean;
}

/** One run (a Run All, or one run of selected cells) as the cells still holding its id tell it. */
export interface TimelineRun {
  id: string;
  startedAt: number;
  /** The last end; null while one of its cells runs. */
  endedAt: number | null;
  cellCount: number;
  /** Run All (it had background or cleanup cells, or ran every code cell). */
  runAll: boolean;
  /** "Run all · 14:02:11 · 6 cells", "Cell 3 (measure) · 14:05:40". */
  label: string;
}

/** One row of the chosen run: a cell and its bar. */
export interface TimelineRow {
  cellId: string;
  index: number;
  /** metadata.probebook.name, else "Cell N". */
  name: string;
  /** The code language (shell, bpftrace, typescript). */
  language: string;
  /** From the run's start, in ms. */
  startMs: number;
  /** From the run's start, in ms (`now` for a running cell). */
  endMs: number;
  durationMs: number;
  startedAt: number;
  endedAt: number | null;
  status: TimelineStatus;
  /** A running cell whose run this page does not see going (the host stopped before its end was written). */
  unfinished: boolean;
  stop?: StopReason;
  background: boolean;
  cleanup: boolean;
}

export interface RunTimeline {
  run: TimelineRun;
  /** By start time, then notebook order. */
  rows: TimelineRow[];
  /** The run's length so far, in ms. */
  spanMs: number;
  running: boolean;
}

const str = (o: JsonObject, key: string): string | undefined => (typeof o[key] === 'string' ? (o[key] as string) : undefined);

/** A date-time as nbformat and Jupyter write them (ISO 8601 with a zone); NaN otherwise. */
function parseTime(text: string | undefined): number {
  if (!text || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return Number.NaN;
  return Date.parse(text);
}

/** A cell's timing, or null when it has none or it is malformed (such a cell is left out). */
export function readTiming(cell: Cell, index: number): CellTiming | null {
  if (cell.cellType !== 'code') return null;
  const raw = cell.metadata.execution;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const e = raw as JsonObject;
  const runId = str(e, 'probebook.run');
  const startedAt = parseTime(str(e, 'iopub.execute_input'));
  if (!runId || !Number.isFinite(startedAt)) return null;
  const endText = str(e, 'shell.execute_reply');
  const endParsed = endText === undefined ? null : parseTime(endText);
  if (endParsed !== null && (!Number.isFinite(endParsed) || endParsed < startedAt)) return null;
  const statusText = str(e, 'probebook.status');
  // Jupyter's own files have the two times and no status: a finished cell.
  const status = (statusText && STATUSES.includes(statusText) ? statusText : endParsed === null ? 'running' : 'ok') as TimelineStatus;
  const endedAt = status === 'running' ? null : endParsed;
  if (status !== 'running' && endedAt === null) return null;
  const stopText = str(e, 'probebook.stop');
  return {
    cellId: cell.id,
    index,
    runId,
    startedAt,
    endedAt,
    status,
    ...(isStopReason(stopText) ? { stop: stopText } : {}),
    background: str(e, 'probebook.background') === 'true',
    cleanup: str(e, 'probebook.cleanup') === 'true',
    runAll: str(e, 'probebook.runAll') === 'true',
  };
}

/** Every cell's timing, in notebook order. */
function readTimings(notebook: Notebook): CellTiming[] {
  const out: CellTiming[] = [];
  notebook.cells.forEach((cell, i) => {
    const t = readTiming(cell, i);
    if (t) out.push(t);
  });
  return out;
}

/** "14:02:11" (local time), with the day in front when it is not `now`'s day. */
export function formatClock(at: number, now = Date.now()): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (new Date(now).toDateString() === d.toDateString()) return time;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** The runs the cells record, latest first. */
export function listRuns(notebook: Notebook, now = Date.now()): TimelineRun[] {
  const timings = readTimings(notebook);
  const byRun = new Map<string, CellTiming[]>();
  for (const t of timings) {
    const list = byRun.get(t.runId);
    if (list) list.push(t);
    else byRun.set(t.runId, [t]);
  }
  const codeCells = notebook.cells.filter((c) => c.cellType === 'code').length;
  const runs: TimelineRun[] = [];
  for (const [id, cells] of byRun) {
    const startedAt = Math.min(...cells.map((c) => c.startedAt));
    const endedAt = cells.some((c) => c.endedAt === null) ? null : Math.max(...cells.map((c) => c.endedAt!));
    const runAll = cells.some((c) => c.runAll || c.background || c.cleanup) || (cells.length > 1 && cells.length === codeCells);
    const clock = formatClock(startedAt, now);
    let label: string;
    if (cells.length === 1) label = `${cellName(notebook.cells[cells[0]!.index]!, cells[0]!.index)} · ${clock}`;
    else label = `${runAll ? 'Run all' : 'Run'} · ${clock} · ${cells.length} cells`;
    runs.push({ id, startedAt, endedAt, cellCount: cells.length, runAll, label });
  }
  return runs.sort((a, b) => b.startedAt - a.startedAt || a.id.localeCompare(b.id));
}

/** metadata.probebook.name, else "Cell N" (1-based, as the status bar counts). */
function cellName(cell: Cell, index: number): string {
  const p = cell.metadata.probebook;
  const name = p !== null && typeof p === 'object' && !Array.isArray(p) ? (p as JsonObject).name : undefined;
  return typeof name === 'string' && name.trim() ? name.trim() : `Cell ${index + 1}`;
}

function languageOf(cell: Cell, notebook: Notebook): string {
  try {
    return resolveCell(cell, notebook).language;
  } catch {
    const p = cell.metadata.probebook as JsonObject | undefined;
    return typeof p?.language === 'string' ? p.language : 'shell';
  }
}

export interface TimelineOptions {
  /** The run to show; the latest when absent or gone. */
  runId?: string | null;
  now?: number;
  /**
   * Whether a cell still runs as far as this page knows. A cell whose metadata says running but
   * which does not (the host stopped before writing its end, or an old file) is drawn up to its
   * run's last known time and marked unfinished instead of growing forever.
   */
  isLive?: (cellId: string) => boolean;
}

/** The chosen run's rows; null when no cell records a run. */
export function buildTimeline(notebook: Notebook, options: TimelineOptions = {}): RunTimeline | null {
  const now = options.now ?? Date.now();
  const runs = listRuns(notebook, now);
  const run = runs.find((r) => r.id === options.runId) ?? runs[0];
  if (!run) return null;
  const timings = readTimings(notebook).filter((t) => t.runId === run.id);
  const isLive = options.isLive ?? (() => true);
  const lastKnown = Math.max(run.startedAt, ...timings.map((t) => t.endedAt ?? t.startedAt));
  const rows = timings.map((t): TimelineRow => {
    const cell = notebook.cells[t.index]!;
    const live = t.endedAt === null && isLive(t.cellId);
    const unfinished = t.endedAt === null && !live;
    const end = t.endedAt ?? (live ? Math.max(now, t.startedAt) : lastKnown);
    return {
      cellId: t.cellId,
      index: t.index,
      name: cellName(cell, t.index),
      language: languageOf(cell, notebook),
      startMs: t.startedAt - run.startedAt,
      endMs: end - run.startedAt,
      durationMs: end - t.startedAt,
      startedAt: t.startedAt,
      endedAt: t.endedAt,
      status: t.status,
      unfinished,
      ...(t.stop ? { stop: t.stop } : {}),
      background: t.background,
      cleanup: t.cleanup,
    };
  });
  rows.sort((a, b) => a.startMs - b.startMs || a.index - b.index);
  const running = rows.some((r) => r.status === 'running' && !r.unfinished);
  const spanMs = Math.max(0, ...rows.map((r) => r.endMs));
  return { run, rows, spanMs, running };
}

// ---------------------------------------------------------------------------------------------
// The axis

/** 1, 2, 5 × 10^k ms, and the minute and hour steps people read. */
const STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000,
  10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/** While a run goes on, the axis is at least this long, so bars visibly grow instead of the axis rescaling every frame. */
export const LIVE_MIN_AXIS_MS = 5000;

/**
 * The axis length for a span: finished runs fit (a little room after the last bar); a running one
 * gets a round length with headroom that stays put until the run outgrows it.
 */
export function axisLength(spanMs: number, running: boolean): number {
  if (!running) return Math.max(spanMs * 1.04, 1);
  return niceAtLeast(Math.max(spanMs * 1.25, LIVE_MIN_AXIS_MS));
}

function niceAtLeast(ms: number): number {
  let p = 1;
  while (p * 10 <= ms) p *= 10;
  for (const m of [1, 2, 5, 10]) if (m * p >= ms) return m * p;
  return 10 * p;
}

export interface AxisTick {
  /** From the run's start, in ms. */
  ms: number;
  label: string;
}

/** Ticks for an axis of `lengthMs` drawn `widthPx` wide: at least `minGapPx` apart, at round values. */
export function axisTicks(lengthMs: number, widthPx: number, minGapPx = 80): AxisTick[] {
  if (!(lengthMs > 0) || !(widthPx > 0)) return [{ ms: 0, label: '0' }];
  const wantedStep = (lengthMs * minGapPx) / widthPx;
  const step = STEPS.find((s) => s >= wantedStep) ?? STEPS.at(-1)! * Math.ceil(wantedStep / STEPS.at(-1)!);
  const ticks: AxisTick[] = [];
  for (let i = 0, ms = 0; ms <= lengthMs + 1e-9; i++, ms = i * step) ticks.push({ ms, label: formatTick(ms, step, lengthMs) });
  return ticks;
}

/**
 * A tick's label, in one unit for the whole axis (chosen by the step and the axis length):
 * "250 ms", "1.5 s", "2 min", "1 h 30 min".
 */
function formatTick(ms: number, stepMs: number, lengthMs: number): string {
  if (ms === 0) return '0';
  if (stepMs < 1000 && lengthMs <= 1000) return `${trim(ms, 3)} ms`;
  if (stepMs < 60_000) return `${trim(ms / 1000, Math.max(0, Math.ceil(3 - Math.log10(stepMs))))} s`;
  if (stepMs < 3_600_000) return `${trim(ms / 60_000, 1)} min`;
  return `${trim(ms / 3_600_000, 1)} h`;
}

function trim(value: number, decimals: number): string {
  return String(Number(value.toFixed(Math.max(0, decimals))));
}

export const STATUS_LABELS: Record<TimelineStatus, string> = { running: 'Running', ok: 'Succeeded', failed: 'Failed', interrupted: 'Stopped' };
export const STOP_LABELS: Record<StopReason, string> = {
  interrupt: 'stopped by you',
  timeout: 'stopped by its timeout',
  'run-ended': 'stopped when the run ended',
};

/** The tooltip of a row: name, exact start, duration, status and why it stopped. */
export function describeRow(row: TimelineRow): string {
  const status = row.unfinished ? 'Did not finish (no end was recorded)' : STATUS_LABELS[row.status];
  const kind = [row.background ? 'background' : '', row.cleanup ? 'cleanup' : ''].filter(Boolean).join(', ');
  const lines = [
    `${row.name} (cell ${row.index + 1}, ${row.language}${kind ? `, ${kind}` : ''})`,
    `Started ${new Date(row.startedAt).toISOString()} (+${formatDuration(row.startMs)})`,
    `${row.status === 'running' && !row.unfinished ? 'Running for' : 'Duration'} ${formatDuration(row.durationMs)}`,
    `${status}${row.stop ? `, ${STOP_LABELS[row.stop]}` : ''}`,
  ];
  return lines.join('\n');
}
