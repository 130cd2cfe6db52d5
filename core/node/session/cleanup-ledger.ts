/**
 * The cleanup ledger: a small on-disk record of notebook runs that have not finished, so the
 * cleanup cells of a run that crashed (app killed, power lost) are offered on the next open.
 *
 * One file per run under `$XDG_STATE_HOME/probebook/runs/`: written when a run with cleanup cells
 * starts, removed when its cleanup cells have run. One file per run means two processes never
 * rewrite each other's entries. A run whose process is still alive is not pending.
 *
 * @example
 * ```ts
 * const ledger = new CleanupLedger();
 * const runId = ledger.beginRun('/labs/nat.ipynb', ['undo-iptables']);
 * try { await runner.run({ runAll: true }); } finally { ledger.endRun(runId); }
 * // next start, when opening /labs/nat.ipynb:
 * ledger.pendingCleanups('/labs/nat.ipynb'); // [] after a clean end; the entry after a crash
 * ```
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { isAlive, processStartTime } from '../process/process-identity.ts';
import { readJsonFile, userStateDir, writePrivateFile } from '../state-dir.ts';

/** A run that started and never reached its clean end. */
export interface PendingCleanup {
  runId: string;
  notebookPath: string;
  /** Cells marked `metadata.probebook.cleanup: true`, in notebook order. */
  cleanupCellIds: string[];
  /** Epoch ms. */
  startedAt: number;
  /** The process that ran it and that process's start time (to tell a reused pid apart). */
  pid: number;
  pidStartTime: string | null;
  /** The run ended, alive, without its cleanup cells running to their end (the kernel host died, a stop). */
  abandoned?: boolean;
}

const RUN_ID = /^[0-9a-f-]{36}$/;

export class CleanupLedger {
  readonly dir: string;

  constructor(dir: string = join(userStateDir(), 'runs')) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Records a run at its start; returns the id to pass to {@link endRun}. */
  beginRun(notebookPath: string, cleanupCellIds: string[]): string {
    const runId = randomUUID();
    const entry: PendingCleanup = {
      runId,
      notebookPath,
      cleanupCellIds: [...cleanupCellIds],
      startedAt: Date.now(),
      pid: process.pid,
      pidStartTime: processStartTime(process.pid),
    };
    writePrivateFile(this.#file(runId), `${JSON.stringify(entry)}\n`);
    return runId;
  }

  /** Clears a run: call after its cleanup cells ran (or were offered and declined). */
  endRun(runId: string): void {
    if (!RUN_ID.test(runId)) throw new Error(`"${runId}" is not a run id of the cleanup ledger.`);
    rmSync(this.#file(runId), { force: true });
  }

  /**
   * Marks a run that ended without its cleanup cells running to their end: it is pending from now
   * on, although the process that ran it lives on.
   */
  abandonRun(runId: string): void {
    if (!RUN_ID.test(runId)) throw new Error(`"${runId}" is not a run id of the cleanup ledger.`);
    const entry = readJsonFile<PendingCleanup | null>(this.#file(runId), null);
    if (!entry) return; // ended meanwhile (dismissed in another window)
    writePrivateFile(this.#file(runId), `${JSON.stringify({ ...entry, abandoned: true })}\n`);
  }

  /**
   * Runs that did not finish and whose process is gone (or that were abandoned), oldest first; only those of
   * `notebookPath` when given. Entries of runs still going on (another window) are left out.
   */
  pendingCleanups(notebookPath?: string): PendingCleanup[] {
    const pending: PendingCleanup[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json') || !RUN_ID.test(name.slice(0, -5))) continue;
      let entry: PendingCleanup | null;
      try {
        entry = readJsonFile<PendingCleanup | null>(join(this.dir, name), null);
      } catch {
        // A torn entry cannot name its cleanup cells; drop it rather than fail every open.
        rmSync(join(this.dir, name), { force: true });
        continue;
      }
      if (!entry || typeof entry.notebookPath !== 'string' || !Array.isArray(entry.cleanupCellIds)) continue;
      if (notebookPath !== undefined && entry.notebookPath !== notebookPath) continue;
      if (entry.abandoned !== true && isAlive(entry.pid, entry.pidStartTime)) continue;
      pending.push(entry);
    }
    return pending.sort((a, b) => a.startedAt - b.startedAt);
  }

  #file(runId: string): string {
    return join(this.dir, `${runId}.json`);
  }
}
