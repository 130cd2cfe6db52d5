/**
 * What `probebook strip` removes from a notebook for committing a lab template: every code cell's
 * outputs and execution count, and what a run recorded — the cells' `metadata.execution` (and the
 * `ExecuteTime` of JupyterLab's execute-time extension), `metadata.probebook.outputTimes`, the
 * notebook's `metadata.probebook.environment`, and saved widget state (`metadata.widgets`).
 * Everything else stays as it was: sources, tags, options, other tools' metadata, attachments.
 */
import type { Json, JsonObject, Notebook } from './model.ts';

const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Strips `notebook` in place; returns what was removed, for people (empty when nothing was). */
export function stripNotebook(notebook: Notebook): string[] {
  let outputs = 0;
  let counts = 0;
  let timing = 0;
  const removed: string[] = [];
  for (const cell of notebook.cells) {
    if (cell.cellType === 'code') {
      outputs += cell.outputs.length;
      if (cell.outputs.length) cell.outputs = [];
      if (cell.executionCount !== null) counts++;
      cell.executionCount = null;
    }
    let touched = false;
    for (const key of ['execution', 'ExecuteTime']) {
      if (key in cell.metadata) {
        delete cell.metadata[key];
        touched = true;
      }
    }
    const probebook = cell.metadata.probebook;
    if (isObject(probebook) && 'outputTimes' in probebook) {
      const { outputTimes: _t, ...rest } = probebook;
      if (Object.keys(rest).length) cell.metadata.probebook = rest;
      else delete cell.metadata.probebook;
      touched = true;
    }
    if (touched) timing++;
  }
  if (outputs) removed.push(`${outputs} output${outputs === 1 ? '' : 's'}`);
  if (counts) removed.push(`${counts} execution count${counts === 1 ? '' : 's'}`);
  if (timing) removed.push(`run metadata of ${timing} cell${timing === 1 ? '' : 's'}`);
  const probebook = notebook.metadata.probebook;
  if (isObject(probebook) && 'environment' in probebook) {
    const { environment: _e, ...rest } = probebook;
    if (Object.keys(rest).length) notebook.metadata.probebook = rest;
    else delete notebook.metadata.probebook;
    removed.push('the recorded environment');
  }
  if ('widgets' in notebook.metadata) {
    delete notebook.metadata.widgets;
    removed.push('widget state');
  }
  return removed;
}
