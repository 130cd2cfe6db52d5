/**
 * The runner's progress on stderr: cell i/n, its name or first line, live elapsed time, result.
 * On a terminal one line updates in place; elsewhere (CI logs) each cell prints a start and an end line.
 */
import { formatDuration } from '../../common/format.ts';
import type { Cell } from '../../common/notebook/model.ts';
import type { CellReadiness, RunSummary } from '../../common/protocol.ts';
import type { CellOutcome } from '../run/notebook-runner.ts';

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export class ProgressReporter {
  readonly #out: Stream;
  readonly #cells: Cell[];
  readonly #quiet: boolean;
  readonly #tty: boolean;
  readonly #started = new Map<string, number>();
  /** Running cells not ready yet, and what they wait for. */
  readonly #waiting = new Map<string, string>();
  #ticker: NodeJS.Timeout | undefined;

  constructor(out: Stream, cells: Cell[], options: { quiet?: boolean } = {}) {
    this.#out = out;
    this.#cells = cells;
    this.#quiet = options.quiet ?? false;
    this.#tty = Boolean(out.isTTY);
  }

  started(cellId: string): void {
    this.#started.set(cellId, Date.now());
    if (this.#quiet) return;
    if (this.#tty) {
      this.#ticker ??= setInterval(() => this.#redraw(), 100);
      this.#ticker.unref?.();
      this.#redraw();
    } else {
      this.#out.write(`${this.#label(cellId)} running\n`);
    }
  }

  ended(cellId: string, outcome: CellOutcome): void {
    const startedAt = this.#started.get(cellId) ?? Date.now();
    this.#started.delete(cellId);
    this.#waiting.delete(cellId);
    if (this.#quiet) return;
    const elapsed = formatDuration(outcome.durationMs ?? Date.now() - startedAt, 'short');
    const result = describe(outcome);
    this.#clearLine();
    this.#out.write(`${this.#label(cellId)} ${result} ${elapsed}\n`);
    if (this.#started.size === 0 && this.#ticker) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    } else {
      this.#redraw();
    }
  }

  /** A background cell said it is ready (Run All goes on now): when, and after how long. */
  readiness(cellId: string, readiness: CellReadiness): void {
    if (this.#quiet) return;
    if (readiness.state === 'waiting') {
      this.#waiting.set(cellId, readiness.waitingFor);
      if (this.#tty) this.#redraw();
      else this.#out.write(`${this.#label(cellId)} waiting until ready: ${readiness.waitingFor}\n`);
      return;
    }
    this.#waiting.delete(cellId);
    this.#clearLine();
    this.#out.write(`${this.#label(cellId)} ready after ${formatDuration(readiness.afterMs, 'short')}\n`);
    this.#redraw();
  }

  skipped(cellId: string): void {
    if (this.#quiet) return;
    this.#clearLine();
    this.#out.write(`${this.#label(cellId)} skipped\n`);
    this.#redraw();
  }

  finish(summary: RunSummary): void {
    if (this.#quiet) return;
    const failed = summary.cells.filter((c) => !c.success).length;
    const total = summary.cells.reduce((sum, c) => sum + c.durationMs, 0);
    const verdict = summary.interrupted ? 'interrupted' : summary.ok ? 'all cells succeeded' : `${failed} cell${failed === 1 ? '' : 's'} failed`;
    this.#out.write(`${summary.cells.length}/${this.#cells.length} cells ran in ${formatDuration(total, 'short')}: ${verdict}\n`);
  }

  close(): void {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  #label(cellId: string): string {
    const index = this.#cells.findIndex((c) => c.id === cellId);
    const cell = this.#cells[index];
    const width = String(this.#cells.length).length;
    return `[${String(index + 1).padStart(width)}/${this.#cells.length}] ${cell ? describeCell(cell) : cellId}`;
  }

  #redraw(): void {
    if (!this.#tty || this.#quiet || this.#started.size === 0) return;
    const now = Date.now();
    const parts = [...this.#started].map(([id, t]) => {
      const waiting = this.#waiting.get(id);
      return `${this.#label(id)} ${formatDuration(now - t, 'short')}${waiting ? ` waiting until ready: ${waiting}` : ''}`;
    });
    const line = parts.join('  |  ');
    const columns = this.#out.columns ?? 100;
    this.#out.write(`\r\x1b[2K${line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line}`);
  }

  #clearLine(): void {
    if (this.#tty && this.#started.size >= 0) this.#out.write('\r\x1b[2K');
  }
}

/** The cell's name, or its first non-empty line, shortened. */
function describeCell(cell: Cell): string {
  const probebook = cell.metadata.probebook as { name?: unknown } | undefined;
  if (probebook && typeof probebook.name === 'string' && probebook.name) return probebook.name;
  const first =
    cell.source
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l && !l.startsWith('%%')) ?? '(empty cell)';
  return first.length > 48 ? `${first.slice(0, 47)}…` : first;
}

function describe(outcome: CellOutcome): string {
  if (outcome.success) {
    if (outcome.stopReason === 'timeout') return 'ok (stopped by its timeout)';
    if (outcome.stopReason === 'run-ended') return 'ok (stopped at the end of the run)';
    if (outcome.stopped) return 'ok (interrupted)';
    return 'ok';
  }
  if (outcome.status === 'interrupted') return 'interrupted';
  if (outcome.error) return `failed: ${outcome.error.evalue.split('\n')[0]}`;
  if (outcome.exitCode !== undefined && outcome.exitCode !== null) return `failed (exit ${outcome.exitCode})`;
  if (outcome.exitSignal) return `failed (killed by ${outcome.exitSignal})`;
  return 'failed';
}
