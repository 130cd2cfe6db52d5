/**
 * Validation of what the page sends over IPC. The page is the less trusted side: every argument
 * is checked for type, size and shape here before main acts on it.
 */
import { isAbsolute } from 'node:path';
import { isNotebookPath, pathProblem } from './notebook-paths.ts';
import { externalHttpUrl } from './security-policy.ts';

/** A payload that failed validation; the message names the argument and what was wrong. */
export class PayloadError extends Error {
  override name = 'PayloadError';
}

/** Turns the raw IPC arguments into a typed payload, or throws {@link PayloadError}. */
export type PayloadParser<T> = (args: readonly unknown[]) => T;

function arity(args: readonly unknown[], max: number, what: string): void {
  if (args.length > max) throw new PayloadError(`${what} takes at most ${max} argument(s), got ${args.length}`);
}

function checkedPath(value: unknown, what: string): string {
  const problem = pathProblem(value);
  if (problem !== null) throw new PayloadError(`${what} ${problem}`);
  return value as string;
}

export const noArgs: PayloadParser<void> = (args) => arity(args, 0, 'this call');

/** `saveFileDialog(defaultPath?)`. */
export const saveDialogArgs: PayloadParser<{ defaultPath?: string }> = (args) => {
  arity(args, 1, 'saveFileDialog');
  if (args[0] === undefined || args[0] === null) return {};
  return { defaultPath: checkedPath(args[0], 'saveFileDialog: defaultPath') };
};

/** `openNotebookWindow(path)`: an absolute path to a notebook. */
export const notebookPathArgs: PayloadParser<{ path: string }> = (args) => {
  arity(args, 1, 'openNotebookWindow');
  const path = checkedPath(args[0], 'openNotebookWindow: path');
  if (!isAbsolute(path)) throw new PayloadError(`openNotebookWindow: path must be absolute, got ${JSON.stringify(path)}`);
  if (!isNotebookPath(path)) throw new PayloadError(`openNotebookWindow: ${path} is not a notebook (.ipynb)`);
  return { path };
};

/** Largest report HTML printed to PDF (a report inlines plotly, 4.8 MB, and every output). */
export const MAX_REPORT_HTML = 64 * 1024 * 1024;

/** `exportPdf(html, fileName, paper?)`: a report's HTML (checked for the report policy when printed), its file name, A4 or Letter. */
export const exportPdfArgs: PayloadParser<{ html: string; fileName: string; paper: 'a4' | 'letter' }> = (args) => {
  arity(args, 3, 'exportPdf');
  const [html, fileName, paper] = args;
  if (typeof html !== 'string' || html.length === 0 || html.length > MAX_REPORT_HTML)
    throw new PayloadError(`exportPdf: html must be a report's HTML of at most ${MAX_REPORT_HTML} characters`);
  if (typeof fileName !== 'string' || fileName.length === 0 || fileName.length > 255 || /[\0/\\]/.test(fileName))
    throw new PayloadError('exportPdf: fileName must be a file name (no folders, at most 255 characters)');
  if (paper !== undefined && paper !== null && paper !== 'a4' && paper !== 'letter')
    throw new PayloadError(`exportPdf: paper must be "a4" or "letter", got ${JSON.stringify(String(paper).slice(0, 20))}`);
  return { html, fileName, paper: paper === 'letter' ? 'letter' : 'a4' };
};

/** `openExternal(url)`: a plain http(s) URL. */
export const externalUrlArgs: PayloadParser<{ url: string }> = (args) => {
  arity(args, 1, 'openExternal');
  const url = externalHttpUrl(args[0]);
  if (url === null) {
    const shown = typeof args[0] === 'string' ? JSON.stringify(args[0].slice(0, 100)) : typeof args[0];
    throw new PayloadError(`openExternal: only http and https links open in the browser, got ${shown}`);
  }
  return { url };
};
