/**
 * What a TypeScript cell sees of its notebook (`cell()`, `run()`): other cells' outputs as
 * snapshots, and running a cell inside the caller's run.
 */
import { MIME } from '../../common/mime.ts';
import type { CellLanguage } from '../../common/languages.ts';
import type { Cell, Notebook } from '../../common/notebook/model.ts';
import type { CellSnapshot, NotebookAccess } from '../kernels/kernel.ts';
import { executionStatus } from './execution-status.ts';
import type { CellOutcome } from './notebook-runner.ts';

/** A cell's last execution that ended, as `cell()` reports it. */
export interface FinishedCell {
  outcome: CellOutcome;
  startedAt: number;
  endedAt: number;
}

/** What the runner lends a TypeScript cell's notebook access. */
export interface NotebookAccessHost {
  notebook: Notebook;
  isRunning(cellId: string): boolean;
  finished(cellId: string): FinishedCell | undefined;
  languageOf(cell: Cell): CellLanguage | undefined;
  /** Runs `cell` inside the calling cell's run (stopped with it); resolves when it ended. */
  runCell(cell: Cell, params: Record<string, string> | undefined): Promise<unknown>;
}

export function notebookAccess(host: NotebookAccessHost): NotebookAccess {
  const find = (name: string): Cell => {
    const cell = host.notebook.cells.find((c) => c.cellType === 'code' && (c.metadata.probebook as { name?: unknown } | undefined)?.name === name);
    if (!cell) {
      const names = host.notebook.cells.map((c) => (c.metadata.probebook as { name?: unknown } | undefined)?.name).filter((n) => typeof n === 'string');
      throw new Error(`no cell is named "${name}" (named cells: ${names.join(', ') || 'none'}; set metadata.probebook.name)`);
    }
    return cell;
  };
  const snapshot = (cell: Cell, name: string) => cellSnapshot(cell, name, host.finished(cell.id), host.isRunning(cell.id));
  return {
    cellOutputs: async (name) => snapshot(find(name), name),
    runCell: async (name, params) => {
      const cell = find(name);
      if (host.isRunning(cell.id)) throw new Error(`cell "${name}" is running already`);
      // Only TypeScript cells call run(), and a notebook's TypeScript cells share one context
      // that runs one cell at a time: waiting for another TypeScript cell would wait forever.
      if (host.languageOf(cell) === 'typescript') {
        throw new Error(
          `cell "${name}" is a TypeScript cell: run() cannot wait for it from a TypeScript cell (they share one context, one cell at a time). Put its code in a function in an earlier cell and call that.`,
        );
      }
      await host.runCell(cell, params);
      return snapshot(cell, name);
    },
  };
}

/** A cell as `cell()` returns it: its text streams, stdout parsed when it is JSON, its bpftrace maps, every output. */
function cellSnapshot(cell: Cell, name: string, finished: FinishedCell | undefined, running: boolean): CellSnapshot {
  const text = (mime: string) =>
    cell.outputs
      .filter((o) => o.kind === 'stream' && o.items[0]?.mime === mime)
      .map((o) => String(o.items[0]!.data))
      .join('');
  const stdout = text(MIME.stdout);
  let json: unknown;
  const trimmed = stdout.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      json = JSON.parse(trimmed);
    } catch {
      json = undefined; // not JSON after all
    }
  }
  const maps: Record<string, unknown[]> = {};
  for (const o of cell.outputs) {
    const item = o.items.find((i) => i.mime === MIME.bpftrace);
    if (item) (maps[(item.data as { name: string }).name] ??= []).push(item.data);
  }
  const status = running || !finished ? 'idle' : executionStatus(finished.outcome);
  return {
    name,
    status,
    exitCode: finished?.outcome.exitCode,
    stdout,
    stderr: text(MIME.stderr),
    json,
    maps,
    outputs: cell.outputs.flatMap((o) => o.items.map((i) => ({ kind: o.kind, mime: i.mime, data: i.data, time: o.time }))),
    startedAt: finished?.startedAt,
    endedAt: finished?.endedAt,
  };
}
