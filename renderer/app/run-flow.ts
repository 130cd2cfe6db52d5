/**
 * Running cells from the page: one gate every run goes through (typing sent first, trust asked,
 * the elevation banner when root could not be had), Run All, stop and restart.
 */
import { HostRequestError } from '../connection/host-connection.ts';
import type { NotebookDocument } from '../notebook/notebook-document.ts';
import type { App } from './app.ts';
import { toast } from './dialog.ts';

export class RunFlow {
  constructor(private readonly app: App) {}

  async runCells(cellIds: string[], runAll = false): Promise<void> {
    const doc = this.app.doc;
    if (!doc) return;
    try {
      await this.throughGate(doc, () => this.app.connection.execute({ notebookId: doc.id, cellIds, runAll }).done);
    } catch (error) {
      toast(`The run did not finish: ${(error as Error).message}`, 'error');
    }
  }

  /**
   * Starts something that runs cells, the way every run starts: typing sent first, the trust
   * question before the first run (and again when the host says the notebook changed since it was
   * trusted), the elevation banner when root could not be had. Resolves undefined when it did not
   * start; other errors are the caller's.
   */
  async throughGate<T>(doc: NotebookDocument, start: () => Promise<T>, retried = false): Promise<T | undefined> {
    doc.flush();
    if (!(await this.app.trust.ensureTrusted())) return undefined;
    try {
      return await start();
    } catch (error) {
      if (error instanceof HostRequestError && error.code === 'untrusted' && !retried) {
        // Changed since it was trusted (an edit here, or a root cell edited elsewhere): trust again, then run.
        doc.trusted = false;
        return this.throughGate(doc, start, true);
      }
      if (error instanceof HostRequestError && error.code === 'elevation_failed') {
        const shell = this.app.shell;
        shell.banner('elevation', {
          kind: 'error',
          text: `Cells could not run with root privileges: ${error.message}`,
          actions: [{ label: 'Dismiss', run: () => shell.banner('elevation', null) }],
        });
        return undefined;
      }
      throw error;
    }
  }

  runAll(): void {
    const doc = this.app.doc;
    if (!doc) return;
    const ids = doc.cells.filter((c) => c.cellType === 'code').map((c) => c.id);
    if (ids.length === 0) {
      toast('There is no code cell to run: add one with B.');
      return;
    }
    void this.runCells(ids, true);
  }

  interrupt(cellId?: string): void {
    const doc = this.app.doc;
    if (!doc) return;
    this.app.connection.send({ type: 'interrupt_request', notebookId: doc.id, cellId });
  }

  async restart(): Promise<void> {
    const doc = this.app.doc;
    if (!doc) return;
    await this.app.connection.request({ type: 'restart_request', notebookId: doc.id });
    toast('Restarted: running cells were stopped, shell and TypeScript state cleared.');
  }
}
