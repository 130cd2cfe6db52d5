/**
 * File → Export as HTML / PDF: the session host makes the report from the notebook as it is now
 * (unsaved edits included, drawn with its trust; docs/export.md) and the page saves it as a
 * download; in the desktop app a PDF is printed from the HTML report by Electron (bridge.exportPdf)
 * and saved where the user chooses. Markdown is several files (NAME.md and its figures), so the host
 * writes them beside the saved notebook and the page names them.
 */
import { download } from '../outputs/dom.ts';
import type { App } from './app.ts';
import { toast } from './dialog.ts';

const MIME_OF = { html: 'text/html', pdf: 'application/pdf' } as const;

export async function exportReport(app: App, format: 'html' | 'pdf' | 'md'): Promise<void> {
  const doc = app.doc;
  if (!doc) return;
  if (format === 'md') return exportMarkdown(app, doc.id);
  toast(format === 'pdf' ? 'Making the PDF report…' : 'Making the HTML report…');
  try {
    // The desktop app prints the HTML report with its own Chromium (Electron's printToPDF): no browser on the host.
    const bridge = format === 'pdf' ? app.bridge : null;
    const reply = await app.connection.request({ type: 'export_notebook', notebookId: doc.id, format: bridge ? 'html' : format });
    if (reply.error) throw new Error(reply.error);
    const bytes = Uint8Array.from(atob(reply.base64), (c) => c.charCodeAt(0));
    if (bridge) {
      const path = await bridge.exportPdf(new TextDecoder().decode(bytes), reply.fileName);
      if (path) toast(`Exported ${path}`);
      return;
    }
    download(reply.fileName, new Blob([bytes], { type: MIME_OF[format] }));
    toast(`Exported ${reply.fileName}`);
  } catch (error) {
    toast(`The report could not be made: ${(error as Error).message}`, 'error');
  }
}

/** NAME.md and NAME_files/ written by the host beside the notebook (never over an earlier export). */
async function exportMarkdown(app: App, notebookId: string): Promise<void> {
  toast('Exporting as Markdown (its figures are drawn on the host)…');
  try {
    const reply = await app.connection.request({ type: 'export_notebook', notebookId, format: 'md' });
    if (reply.error) throw new Error(reply.error);
    const figures = (reply.written ?? []).slice(1);
    const folder = figures[0]?.replace(/\/[^/]*$/, '');
    const beside = figures.length === 0 ? '' : ` and ${figures.length} ${figures.length === 1 ? 'file' : 'files'} in ${folder}/`;
    toast(`Exported ${reply.fileName}${beside}, beside the notebook`);
  } catch (error) {
    toast(`The Markdown could not be made: ${(error as Error).message}`, 'error');
  }
}
