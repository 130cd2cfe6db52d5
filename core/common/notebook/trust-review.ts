/**
 * What the trust question shows before an untrusted notebook's first run: each code cell with its
 * exact code, who it runs as and its language as the runner will resolve it (the same
 * `resolveCell`, so a kernelspec that decides the language shows), and the parameters with the
 * values cells get, refused names marked. The session host puts it in the snapshot; the page
 * builds it again from the notebook as edited, with this same function.
 */
import type { ReviewCell, ReviewParameter, TrustReview } from '../protocol.ts';
import { notebookOptions, parameterNameProblem, resolveCell } from './cell-options.ts';
import type { JsonObject, Notebook } from './model.ts';

export function trustReview(notebook: Notebook): TrustReview {
  const cells: ReviewCell[] = [];
  notebook.cells.forEach((cell, index) => {
    if (cell.cellType !== 'code') return;
    const base = { cellId: cell.id, index, source: cell.source };
    try {
      const resolved = resolveCell(cell, notebook);
      cells.push({ ...base, runAs: resolved.options.user === true ? 'user' : 'root', language: resolved.language, languageSource: resolved.languageSource });
    } catch (error) {
      // The runner fails such a cell before it starts; shown anyway, as root unless it says otherwise.
      const user = (cell.metadata.probebook as JsonObject | undefined)?.user === true;
      cells.push({ ...base, runAs: user ? 'user' : 'root', language: null, languageSource: null, problem: (error as Error).message });
    }
  });
  return { cells, parameters: reviewParameters(notebook) };
}

/** The notebook's parameters as the runner passes them (values as strings), refused ones marked. */
function reviewParameters(notebook: Notebook): ReviewParameter[] {
  const declared = notebookOptions(notebook).parameters ?? {};
  return Object.entries(declared).map(([name, value]) => {
    const refused = parameterNameProblem(name);
    return refused ? { name, value: String(value), refused } : { name, value: String(value) };
  });
}
