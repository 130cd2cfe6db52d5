/**
 * File → Export as HTML / PDF: the session host makes the report from the notebook as it is now
 * (unsaved edits included, drawn with its trust; docs/export.md) and the page saves it as a
 * download, in browser mode and in the app alike.
 */
import { download } from '../outputs/dom.ts';
import type { App } from './app.ts';
import { toast } from './dialog.ts';

const MIME_OF = { html: 'text/html', pdf: 'application/pdf' } as const;

export async function exportReport(app: App, format: 'html' | 'pdf'): Promise<void> {
  const doc = app.doc;
  if (!doc) return;
  toast(format === 'pdf' ? 'Making the PDF report…' : 'Making the HTML report…');
  try {
    const reply = await app.connection.request({ type: 'export_notebook', notebookId: doc.id, format });
    if (reply.error) throw new Error(reply.error);
    const bytes = Uint8Array.from(atob(reply.base64), (c) => c.charCodeAt(0));
    download(reply.fileName, new Blob([bytes], { type: MIME_OF[format] }));
    toast(`Exported ${reply.fileName}`);
  } catch (error) {
    toast(`The report could not be made: ${(error as Error).message}`, 'error');
  }
}
