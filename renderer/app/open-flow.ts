/**
 * Which notebook the page shows: opening one (by path, the Open dialog or the file browser),
 * creating, closing, the start screen, asking about unsaved changes before leaving one, taking
 * it again from the host after a reconnect, and restoring a backup of unsaved edits.
 */
import type { HostMessage } from '../../core/common/protocol.ts';
import { h } from '../outputs/dom.ts';
import type { App } from './app.ts';
import { ask, toast } from './dialog.ts';
import { browseFiles } from './file-browser.ts';
import { recentFiles, removeRecentFile } from './recent-files.ts';
import { saveNotebook } from './save-flow.ts';
import { renderStartScreen } from './start-screen.ts';

export class OpenFlow {
  constructor(private readonly app: App) {}

  /** Opens a notebook by its path in the served folder (`reply`: an open already sent). */
  async openPath(path: string, reply?: Promise<Extract<HostMessage, { type: 'notebook_opened' }>>): Promise<void> {
    const app = this.app;
    if (!(await this.leaveCurrent())) return;
    app.notebook.opening = path;
    app.shell.main.replaceChildren(h('div', 'pb-loading', `Opening ${path}…`));
    try {
      const { snapshot } = await (reply ?? app.connection.request({ type: 'open_notebook', path }));
      performance.mark('pb-snapshot');
      app.notebook.show(snapshot);
      performance.mark('pb-rendered');
    } catch (error) {
      app.notebook.opening = null;
      const message = (error as Error).message;
      if (app.welcome) removeRecentFile(app.welcome.root, path);
      await this.showStart(`${path} could not be opened: ${message}`);
    }
  }

  async newNotebook(): Promise<void> {
    const app = this.app;
    if (!(await this.leaveCurrent())) return;
    const { snapshot } = await app.connection.request({ type: 'create_notebook' });
    app.notebook.show(snapshot);
    // Written here, by this user: nothing to review.
    if (!snapshot.trusted && app.doc) await app.trust.retrust(app.doc);
    app.view?.select(snapshot.notebook.cells[0]?.id ?? '', 'command');
    void app.view?.selection.enterEdit();
  }

  async closeNotebook(): Promise<void> {
    const app = this.app;
    if (!app.doc || !(await this.leaveCurrent())) return;
    const id = app.doc.id;
    app.notebook.drop();
    await app.connection.request({ type: 'close_notebook', notebookId: id }).catch(() => undefined);
    await this.showStart();
  }

  async openDialog(): Promise<void> {
    const app = this.app;
    if (app.bridge) {
      const paths = await app.bridge.openFileDialog();
      if (!paths.length) return;
      const [first, ...rest] = paths;
      // One window per notebook in the app: this one takes the first if it is empty.
      if (app.doc) for (const p of paths) await app.bridge.openNotebookWindow(p);
      else {
        for (const p of rest) await app.bridge.openNotebookWindow(p);
        await this.openPath(first!);
      }
      return;
    }
    const path = await browseFiles(app.connection, { mode: 'open', start: app.doc?.path ?? null });
    if (path) await this.openPath(path);
  }

  async showStart(problem?: string): Promise<void> {
    const app = this.app;
    app.notebook.drop();
    if (!app.bridge) history.replaceState(null, '', location.pathname);
    app.refreshChrome();
    const root = app.welcome?.root ?? '';
    renderStartScreen(app.shell.main, {
      root,
      problem,
      electron: !!app.bridge,
      recent: recentFiles(root),
      connection: app.connection,
      open: (path) => void this.openPath(path),
      newNotebook: () => app.commands.run('notebook.new'),
      openDialog: () => app.commands.run('notebook.open'),
    });
  }

  /** Takes the notebook again from the host (after a reconnect: messages may have been missed). */
  async reopen(path: string): Promise<void> {
    try {
      const { snapshot } = await this.app.connection.request({ type: 'open_notebook', path });
      this.app.notebook.show(snapshot);
    } catch (error) {
      toast(`${path} could not be opened again after reconnecting: ${(error as Error).message}`, 'error');
    }
  }

  /** This copy no longer fits the host's: take a fresh snapshot. */
  async resync(): Promise<void> {
    const path = this.app.doc?.path;
    if (path) await this.reopen(path);
    else toast('This window fell out of step with the notebook; save it, then reopen it.', 'error');
  }

  async restoreBackup(): Promise<void> {
    const app = this.app;
    if (!app.doc) return;
    const { snapshot } = await app.connection.request({ type: 'restore_backup', notebookId: app.doc.id });
    app.notebook.show(snapshot);
    toast('Unsaved edits restored. Save to keep them.');
  }

  /** Asks what to do with unsaved changes before leaving this notebook; false = stay. */
  private async leaveCurrent(): Promise<boolean> {
    const doc = this.app.doc;
    if (!doc?.dirty) return true;
    const answer = await ask(`Save ${doc.title}?`, `${doc.title} has unsaved changes. The host keeps them (and a backup) if you leave without saving.`, [
      { value: 'cancel', label: 'Cancel' },
      { value: 'leave', label: "Don't save" },
      { value: 'save', label: 'Save', kind: 'primary' },
    ]);
    if (answer === 'save') return saveNotebook(this.app);
    return answer === 'leave';
  }
}
