/**
 * Path rules for notebooks that reach main from outside (page, command line, second instance).
 */

/** Longest path accepted (Linux PATH_MAX). */
export const MAX_PATH_LENGTH = 4096;

/** Why `value` is not an acceptable path (wrong type, empty, too long, NUL), or null. */
export function pathProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `must be a string, got ${value === null ? 'null' : typeof value}`;
  if (value.length === 0 || value.length > MAX_PATH_LENGTH) return `must be 1–${MAX_PATH_LENGTH} characters long, got ${value.length}`;
  if (value.includes('\0')) return 'contains a NUL character';
  return null;
}

/** Whether `path` names a notebook by its extension. */
export function isNotebookPath(path: string): boolean {
  return path.endsWith('.ipynb');
}

/** `path` with `.ipynb` appended unless it already ends so (GTK save dialogs do not add it). */
export function withNotebookExtension(path: string): string {
  return isNotebookPath(path) ? path : `${path}.ipynb`;
}
