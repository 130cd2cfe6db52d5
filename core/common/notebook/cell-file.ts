/**
 * `metadata.probebook.file`: the script-library file (bpf/NAME.bt) a bpftrace cell's program is a
 * copy of. Probebook runs only what the cell holds — the copy the notebook's trust signature covers
 * (docs/bpf-library.md says why it never loads the file by path); `file` says where the copy comes
 * from, so tests can check it is the same and `probebook bpf-sync` can refresh it.
 */
import type { Json, JsonObject } from './model.ts';

/** `file` as written, checked: a relative path to a `.bt` file, from the notebook's folder. */
export function checkCellFile(o: JsonObject, source: string, where: string): string | undefined {
  const file = o.file;
  if (file === undefined) return undefined;
  const problem = cellFileProblem(file, o.language, source);
  if (problem) throw new CellFileError(`${where}: metadata.probebook.file ${problem}.`);
  return file as string;
}

class CellFileError extends Error {
  override name = 'CellOptionsError';
}

/**
 * What is wrong with a `file` value on a cell, or undefined.
 * @example cellFileProblem('../bpf/flows.bt', 'bpftrace', 'BEGIN {}') // undefined
 */
export function cellFileProblem(file: Json, language: Json | undefined, source: string): string | undefined {
  if (typeof file !== 'string' || !/^[A-Za-z0-9._/-]+\.bt$/.test(file) || file.startsWith('/') || file.split('/').some((part) => part === '' || part === '.')) {
    return `must be a relative path to a .bt file from the notebook's folder, like "../bpf/flows.bt" (got ${JSON.stringify(file)})`;
  }
  if (language !== undefined && language !== 'bpftrace') return `is for bpftrace cells (this cell's language is ${JSON.stringify(language)})`;
  if (source.trim() === '') {
    return `names ${file}, but the cell is empty: Probebook runs only the program a cell holds, never a file by its path; copy it in with: probebook bpf-sync NOTEBOOK.ipynb`;
  }
  return undefined;
}
