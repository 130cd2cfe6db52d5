/**
 * Saving the notebook shown: asking where when it has no file (or is read-only, or on Save as),
 * asking before overwriting a file that changed on disk, and the recent list and URL after.
 */
import { HostRequestError } from '../connection/host-connection.ts';
import type { App } from './app.ts';
import { ask, toast } from './dialog.ts';
import { figurePngs, figurePngsSaved } from './figure-pngs.ts';
import { browseFiles } from './file-browser.ts';
import { addRecentFile } from './recent-files.ts';

/** Saves (asking where when it has no file or `as`); resolves whether it saved. */
export async function saveNotebook(app: App, as = false): Promise<boolean> {
  const doc = app.doc;
  if (!doc) return false;
  doc.flush();
  let path: string | undefined;
  if (as || !doc.path || doc.readOnly) {
    const chosen = app.bridge
      ? await app.bridge.saveFileDialog(doc.path ?? doc.title)
      : await browseFiles(app.connection, { mode: 'save', start: doc.path, suggested: doc.title });
    if (!chosen) return false;
    path = chosen;
  }
  let force = false;
  for (;;) {
    try {
      // PNGs of new or changed figures, drawn here so the host needs no browser (docs/export.md).
      const figures = await figurePngs(doc.cells);
      const saved = await app.connection.request({ type: 'save_request', notebookId: doc.id, path, force, ...(figures.length ? { figures } : {}) });
      figurePngsSaved(figures);
      doc.applySaved(saved.path);
      if (app.welcome) addRecentFile(app.welcome.root, { path: saved.path, title: saved.path.split('/').pop() ?? saved.path });
      if (!app.bridge) history.replaceState(null, '', `?open=${encodeURIComponent(saved.path)}`);
      toast(saved.originalKept ? `Saved ${saved.path} as nbformat 4.5; the nbformat 3 original is kept as ${saved.originalKept}` : `Saved ${saved.path}`);
      if (doc.converted && saved.path === doc.path) {
        doc.converted = undefined;
        app.refreshChrome();
      }
      return true;
    } catch (error) {
      if (error instanceof HostRequestError && error.code === 'changed_on_disk' && !force) {
        const answer = await ask('The file changed on disk', error.message, [
          { value: 'cancel', label: 'Cancel' },
          { value: 'as', label: 'Save as…' },
          { value: 'overwrite', label: 'Overwrite', kind: 'danger' },
        ]);
        if (answer === 'overwrite') {
          force = true;
          continue;
        }
        if (answer === 'as') return saveNotebook(app, true);
        return false;
      }
      toast(`Not saved: ${(error as Error).message}`, 'error');
      return false;
    }
  }
}
