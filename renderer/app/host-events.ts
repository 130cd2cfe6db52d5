/**
 * What the host says, applied to the page: changes, state, outputs and run states of the notebook
 * shown; snapshots it sends unasked; errors no request waits for; Electron's menu commands; and
 * the connection's ups and downs (after a reconnect the notebook is taken again, fresh).
 */
import type { App } from './app.ts';
import { showConnectionStatus, showNotebookLostOnRestart } from './banners.ts';
import { toast } from './dialog.ts';

export function followHost(app: App): void {
  const c = app.connection;
  const mine = (notebookId: string) => app.doc?.id === notebookId;
  c.on('notebook_changed', (m) => {
    if (!mine(m.notebookId)) return;
    if (!app.doc!.applyChanged(m)) void app.files.resync();
  });
  c.on('notebook_state', (m) => {
    if (!mine(m.notebookId)) return;
    const doc = app.doc!;
    const wasTrusted = doc.trusted;
    doc.applyState(m);
    // The host re-checks trust after every change; a change typed here is the user's own code.
    if (wasTrusted && !m.trusted && doc.lastChangeWasOurs) app.trust.ownChangeWasUntrusted(doc);
  });
  c.on('notebook_opened', (m) => {
    // Unasked snapshots (after a conflict, a restored backup) replace the one shown.
    if (!m.requestId && mine(m.snapshot.notebookId)) app.notebook.show(m.snapshot);
  });
  c.on('pending_cleanup', (m) => mine(m.notebookId) && app.doc!.applyPendingCleanup(m.pendingCleanup));
  c.on('execution_state', (m) => mine(m.notebookId) && app.doc!.applyExecutionState(m));
  c.on('execution_ended', (m) => mine(m.notebookId) && app.doc!.applyExecutionEnded(m));
  c.on('output', (m) => mine(m.notebookId) && app.doc!.applyOutput(m));
  c.on('error', (m) => {
    if (!m.requestId) toast(m.message, 'error');
  });
  c.on('app_command', (m) => {
    if (!app.commands.run(m.command)) toast(`The menu command ${m.command} is not available now.`);
  });
  c.onStatus((status, detail) => {
    showConnectionStatus(app, status, detail);
    app.view?.setLocked(status !== 'open');
    app.refreshStatus();
  });
  c.onReconnected((w) => {
    const restarted = app.welcome !== null && app.welcome.sessionId !== w.sessionId;
    app.welcome = w;
    // Messages may have been missed: take the notebook again, fresh.
    const path = app.doc?.path ?? app.notebook.opening;
    if (path) void app.files.reopen(path);
    else if (app.doc && restarted) {
      app.view?.setLocked(true);
      showNotebookLostOnRestart(app);
    }
    app.refreshChrome();
  });
}
