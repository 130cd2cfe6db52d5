/**
 * The cleanup cells that crashed runs never ran, as the cleanup ledger keeps them: offered on the
 * notebook's pages, then run (like any run) or dismissed.
 */
import type { ClientMessage, PendingCleanupResolution, PendingCleanupRun, RunSummary } from '../../common/protocol.ts';
import { allRan } from '../run/notebook-runner.ts';
import type { CleanupLedger } from './cleanup-ledger.ts';
import { HostError } from './host-error.ts';
import { titleOf, type Connection, type OpenNotebook } from './open-notebooks.ts';

export class PendingCleanups {
  readonly #ledger: CleanupLedger;
  /** Ledger runs whose cleanup cells run now: not offered again meanwhile, and not run twice. */
  readonly #running = new Set<string>();

  constructor(ledger: CleanupLedger) {
    this.#ledger = ledger;
  }

  /** The notebook's crashed runs whose cleanup cells never ran (none for a notebook never saved). */
  of(nb: OpenNotebook): PendingCleanupRun[] {
    if (!nb.path) return [];
    return this.#ledger
      .pendingCleanups(nb.path)
      .filter((p) => !this.#running.has(p.runId))
      .map((p) => ({ runId: p.runId, startedAt: p.startedAt, cellIds: p.cleanupCellIds }));
  }

  #entry(nb: OpenNotebook, runId: string): PendingCleanupRun {
    if (this.#running.has(runId)) throw new HostError('conflict', 'The cleanup cells of that run are running already.');
    const entry = this.of(nb).find((p) => p.runId === runId);
    if (!entry)
      throw new HostError('not_found', `${titleOf(nb)} has no pending cleanup of a run ${runId}: it was run or dismissed already (in another window?).`);
    return entry;
  }

  /**
   * Runs the cleanup cells a crashed run never reached through `run`, like any execution. Cells
   * deleted since, or no longer code, are left out and named; the run leaves the ledger once they
   * ran (failed ones included: their outputs say what is left to undo), not when the user stopped them.
   */
  async run(
    conn: Connection,
    nb: OpenNotebook,
    m: Extract<ClientMessage, { type: 'run_pending_cleanup' }>,
    run: (cellIds: string[]) => Promise<RunSummary>,
  ): Promise<void> {
    const entry = this.#entry(nb, m.runId);
    const cellIds: string[] = [];
    const skippedCells: PendingCleanupResolution['skippedCells'] = [];
    for (const cellId of entry.cellIds) {
      const cell = nb.notebook.cells.find((c) => c.id === cellId);
      if (!cell) skippedCells.push({ cellId, reason: 'deleted' });
      else if (cell.cellType !== 'code') skippedCells.push({ cellId, reason: 'not_code' });
      else cellIds.push(cellId);
    }
    this.#running.add(entry.runId);
    try {
      const summary = cellIds.length ? await run(cellIds) : undefined;
      // Stopped by the user, or cut off (the kernel host died): still to be done.
      const stopped = summary !== undefined && !allRan(summary, cellIds);
      if (!stopped) this.#ledger.endRun(entry.runId);
      // Stopped, it is offered again: the list sent now must hold it.
      this.#running.delete(entry.runId);
      this.broadcast(nb, conn, m.requestId, {
        runId: entry.runId,
        outcome: stopped ? 'stopped' : 'ran',
        ranCellIds: summary?.cells.map((c) => c.cellId) ?? [],
        ok: summary?.ok ?? true,
        skippedCells,
      });
    } finally {
      this.#running.delete(entry.runId);
    }
  }

  /** The user will not run that run's cleanup cells: it leaves the ledger. */
  dismiss(conn: Connection, nb: OpenNotebook, m: Extract<ClientMessage, { type: 'dismiss_pending_cleanup' }>): void {
    const entry = this.#entry(nb, m.runId);
    this.#ledger.endRun(entry.runId);
    this.broadcast(nb, conn, m.requestId, { runId: entry.runId, outcome: 'dismissed', ranCellIds: [], ok: true, skippedCells: [] });
  }

  /** Sends the notebook's pending cleanups to its pages and to `conn`, with what answers `requestId`. */
  broadcast(nb: OpenNotebook, conn?: Connection, requestId?: string, resolved?: PendingCleanupResolution): void {
    const pendingCleanup = this.of(nb);
    for (const viewer of new Set([...nb.viewers, ...(conn ? [conn] : [])])) {
      viewer.send({
        type: 'pending_cleanup',
        notebookId: nb.id,
        ...(viewer === conn && requestId ? { requestId } : {}),
        pendingCleanup,
        ...(resolved ? { resolved } : {}),
      });
    }
  }
}
