/**
 * The cleanup cells of a run that did not finish (Probebook crashed or was killed mid-run): the
 * banner that offers them, running them through the same gate as any run, dismissing them, and
 * what became of them.
 */
import { resolveCell } from '../../core/common/notebook/cell-options.ts';
import type { PendingCleanupResolution } from '../../core/common/protocol.ts';
import type { NotebookDocument } from '../notebook/notebook-document.ts';
import type { App } from './app.ts';
import type { AppShell } from './app-shell.ts';
import { toast } from './dialog.ts';

export class PendingCleanup {
  /** The ledger run whose cleanup cells this window is running now (the banner says so). */
  private running: string | null = null;

  constructor(private readonly app: App) {}

  /** The notebook left the page: nothing of it runs from here any more. */
  reset(): void {
    this.running = null;
  }

  /**
   * Runs the cleanup cells that the oldest crashed run of this notebook never ran (the `cleanup`
   * banner): through the same gate as any run; the host clears the run once they ran.
   */
  async run(): Promise<void> {
    const app = this.app;
    const doc = app.doc;
    const run = doc?.pendingCleanup[0];
    if (!doc || !run || this.running) return;
    try {
      const reply = await app.runs.throughGate(doc, () => {
        this.running = run.runId;
        app.refreshChrome();
        return app.connection.request({ type: 'run_pending_cleanup', notebookId: doc.id, runId: run.runId });
      });
      if (!reply || app.doc !== doc) return;
      doc.applyPendingCleanup(reply.pendingCleanup);
      if (reply.resolved) reportCleanup(doc, reply.resolved);
    } catch (error) {
      toast(`The cleanup cells did not run: ${(error as Error).message}`, 'error');
    } finally {
      if (app.doc === doc) {
        this.running = null;
        app.refreshChrome();
      }
    }
  }

  /** Forgets the oldest crashed run's cleanup without running it. */
  async dismiss(): Promise<void> {
    const app = this.app;
    const doc = app.doc;
    const run = doc?.pendingCleanup[0];
    if (!doc || !run || this.running) return;
    const reply = await app.connection.request({ type: 'dismiss_pending_cleanup', notebookId: doc.id, runId: run.runId });
    if (app.doc === doc) doc.applyPendingCleanup(reply.pendingCleanup);
  }

  /** The offer to run the cleanup cells of the oldest crashed run of this notebook, if any. */
  banner(doc: NotebookDocument): Parameters<AppShell['banner']>[1] {
    const run = doc.pendingCleanup[0];
    if (!run) return null;
    const when = new Date(run.startedAt).toLocaleString();
    if (this.running === run.runId) return { kind: 'warn', text: `Running the cleanup cells of the run of ${when}…` };
    const present = run.cellIds.filter((id) => doc.cell(id)?.cellType === 'code');
    const gone = run.cellIds.length - present.length;
    const more = doc.pendingCleanup.length - 1;
    const later = more
      ? ` ${more} more run${more === 1 ? '' : 's'} of this notebook did not finish either; ${more === 1 ? 'it is' : 'they are'} offered next.`
      : '';
    const commands = this.app.commands;
    const dismiss = { label: 'Dismiss', run: () => commands.run('notebook.dismissPendingCleanup') };
    if (present.length === 0) {
      return {
        kind: 'warn',
        text: `A run of this notebook on ${when} did not finish, and none of its cleanup cells is in the notebook any more.${later}`,
        actions: [dismiss],
      };
    }
    const labels = present.map((id) => cellLabel(doc, id)).join(', ');
    const goneText = gone ? ` ${gone} more of its cleanup cells ${gone === 1 ? 'is' : 'are'} no longer in the notebook.` : '';
    return {
      kind: 'warn',
      text: `A run of this notebook on ${when} did not finish: its cleanup ${present.length === 1 ? 'cell' : 'cells'} (${labels}) never ran.${goneText}${later}`,
      actions: [{ label: 'Run cleanup cells', primary: true, run: () => commands.run('notebook.runPendingCleanup') }, dismiss],
    };
  }
}

/** Says what became of the cleanup cells this window ran. */
function reportCleanup(doc: NotebookDocument, resolved: PendingCleanupResolution): void {
  const skipped = resolved.skippedCells.length
    ? ` Not run: ${resolved.skippedCells.length} of its cleanup cells (${resolved.skippedCells.map((c) => (c.reason === 'deleted' ? `id ${c.cellId}, deleted since` : `${cellLabel(doc, c.cellId)}, no longer a code cell`)).join('; ')}).`
    : '';
  if (resolved.outcome === 'stopped') {
    toast(`The cleanup cells were stopped before they finished; the banner still offers them.${skipped}`, 'error');
    return;
  }
  if (resolved.ranCellIds.length === 0) {
    toast(`No cleanup cell of that run is left in the notebook; it is no longer offered.${skipped}`);
    return;
  }
  const failed = resolved.ranCellIds.filter((id) => doc.runState(id).status === 'failed');
  const ran = resolved.ranCellIds.map((id) => cellLabel(doc, id)).join(', ');
  if (resolved.ok) toast(`Cleanup done: ran ${ran}.${skipped}`);
  else
    toast(
      `The cleanup cells ran (${ran}), but ${failed.length ? failed.map((id) => cellLabel(doc, id)).join(', ') : 'not all'} failed: see the output for what is left to undo.${skipped}`,
      'error',
    );
}

/** "cell 3 “undo”": how banners and messages name a cell. */
function cellLabel(doc: NotebookDocument, cellId: string): string {
  const cell = doc.cell(cellId);
  if (!cell) return `id ${cellId}`;
  let name: string | undefined;
  try {
    name = resolveCell(cell, doc.notebook).options.name;
  } catch {
    name = undefined; // malformed options: the number is enough
  }
  return `cell ${doc.indexOf(cellId) + 1}${name ? ` “${name}”` : ''}`;
}
