/**
 * The banners under the header, what each says and offers: the notebook's (not trusted,
 * read-only, a backup newer than the file, cleanup cells a crashed run never ran) and the
 * connection's (lost, failed, a server restart that left an unsaved notebook on the page alone).
 */
import type { ConnectionStatus } from '../connection/host-connection.ts';
import type { App } from './app.ts';
import { saveNotebook } from './save-flow.ts';

/** Shows the notebook's banners as its state says (none when no notebook is shown). */
export function refreshNotebookBanners(app: App): void {
  const { doc, shell } = app;
  shell.banner(
    'trust',
    doc && !doc.trusted
      ? {
          kind: 'warn',
          text: 'This notebook was not written or trusted on this machine. Its outputs are shown safely, and nothing runs until you have read its code and trusted it.',
          actions: [{ label: 'Review and trust…', run: () => void app.trust.ensureTrusted(), primary: true }],
        }
      : null,
  );
  shell.banner(
    'readonly',
    doc?.readOnly
      ? {
          kind: 'warn',
          text: `Read-only: ${doc.readOnlyReason ?? 'this file cannot be saved over'}. Save it under another name to keep changes.`,
          actions: [{ label: 'Save as…', run: () => void saveNotebook(app, true) }],
        }
      : null,
  );
  shell.banner(
    'backup',
    doc?.backup
      ? {
          kind: 'info',
          text: `Unsaved edits of this notebook from ${new Date(doc.backup.savedAt).toLocaleString()} were found (${doc.backup.cells} cells), newer than the file.`,
          actions: [
            { label: 'Restore them', run: () => app.commands.run('notebook.restoreBackup'), primary: true },
            {
              label: 'Dismiss',
              run: () => {
                if (app.doc) app.doc.backup = undefined;
                shell.banner('backup', null);
              },
            },
          ],
        }
      : null,
  );
  shell.banner(
    'converted',
    doc?.converted
      ? {
          kind: 'info',
          text: `This file is nbformat ${doc.converted.from}: it was upgraded to 4.5 as Jupyter does. Saving writes 4.5 and keeps the original beside it as ${(doc.path?.split('/').pop() ?? 'NAME.ipynb').replace(/\.ipynb$/, '')}.nbformat3.ipynb, so nothing is lost.`,
          actions: [
            {
              label: 'Dismiss',
              run: () => {
                if (app.doc) app.doc.converted = undefined;
                shell.banner('converted', null);
              },
            },
          ],
        }
      : null,
  );
  shell.banner('cleanup', doc ? app.cleanup.banner(doc) : null);
}

/** The connection's banner for a status the connection reports (open: none). */
export function showConnectionStatus(app: App, status: ConnectionStatus, detail: string): void {
  if (status === 'open') app.shell.banner('connection', null);
  else if (status === 'reconnecting') showConnectionProblem(app, detail);
  else if (status === 'failed')
    app.shell.banner('connection', { kind: 'error', text: detail, actions: [{ label: 'Reload', primary: true, run: () => location.reload() }] });
}

export function showConnectionProblem(app: App, detail: string): void {
  const text = app.doc
    ? `Not connected to Probebook (${detail}). Reconnecting… Changes are paused until then.`
    : `Not connected to Probebook: ${detail} Retrying…`;
  app.shell.banner('connection', { kind: 'error', text });
}

/** The server restarted and this notebook never had a file: the host no longer knows it. */
export function showNotebookLostOnRestart(app: App): void {
  app.shell.banner('connection', {
    kind: 'error',
    text: 'The Probebook server restarted, and this notebook had never been saved: its cells now exist only on this page. Copy what you need, then open or create a notebook.',
    actions: [{ label: 'New notebook', run: () => app.commands.run('notebook.new') }],
  });
}
