/**
 * nbformat 3 → 4, as Jupyter upgrades (nbformat's own `v4/convert.py`, `upgrade`): worksheets
 * flattened, `input` → `source`, `prompt_number` → `execution_count`, the cell's `language` and
 * the notebook's `name` and `signature` dropped, `collapsed` into the cell's metadata, heading
 * cells into markdown `#` lines, `html` cells into markdown, `pyout` → `execute_result`, `pyerr` →
 * `error`, a stream's `stream` → `name`, and output keys to MIME types (`png` → `image/png`, …,
 * `application/json` parsed). Works on the raw JSON; the v4 reader takes it from there.
 */
import type { Json, JsonObject } from './model.ts';

type Fail = (schemaPath: string, detail: string) => never;

/** nbformat's `_mime_map`, in its order. */
const MIME_KEYS: [string, string][] = [
  ['text', 'text/plain'],
  ['html', 'text/html'],
  ['svg', 'image/svg+xml'],
  ['png', 'image/png'],
  ['jpeg', 'image/jpeg'],
  ['latex', 'text/latex'],
  ['json', 'application/json'],
  ['javascript', 'application/javascript'],
];

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** A v3 notebook's JSON (nbformat 3) as nbformat 4.5 JSON; `fail` names the schema path of what cannot be read. */
export function upgradeV3(nb: JsonObject, fail: Fail): JsonObject {
  const { worksheets, nbformat: _v, nbformat_minor: minor, metadata: rawMetadata, ...extra } = nb;
  if (rawMetadata !== undefined && !isObject(rawMetadata)) fail('metadata', 'must be an object');
  const metadata: JsonObject = { ...((rawMetadata as JsonObject | undefined) ?? {}) };
  delete metadata.name;
  delete metadata.signature;
  metadata.orig_nbformat = 3;
  metadata.orig_nbformat_minor = (minor as Json) ?? 0;
  if (worksheets !== undefined && !Array.isArray(worksheets)) fail('worksheets', 'must be a list of worksheets');
  const cells: Json[] = [];
  ((worksheets as Json[] | undefined) ?? []).forEach((ws, w) => {
    if (!isObject(ws)) fail(`worksheets[${w}]`, 'must be an object');
    const list = (ws as JsonObject).cells ?? [];
    if (!Array.isArray(list)) fail(`worksheets[${w}].cells`, 'must be a list of cells');
    (list as Json[]).forEach((cell, c) => {
      cells.push(upgradeCell(cell, `worksheets[${w}].cells[${c}]`, fail));
    });
  });
  return { ...extra, cells, metadata, nbformat: 4, nbformat_minor: 5 };
}

function joined(value: Json | undefined): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('');
  return '';
}

function upgradeCell(raw: Json, path: string, fail: Fail): JsonObject {
  if (!isObject(raw)) fail(path, 'must be an object');
  const cell: JsonObject = { ...(raw as JsonObject) };
  const metadata: JsonObject = isObject(cell.metadata) ? { ...cell.metadata } : {};
  cell.metadata = metadata;
  if (cell.cell_type === 'code') {
    delete cell.language;
    if ('collapsed' in cell) {
      metadata.collapsed = cell.collapsed!;
      delete cell.collapsed;
    }
    cell.source = cell.input ?? '';
    delete cell.input;
    cell.execution_count = cell.prompt_number ?? null;
    delete cell.prompt_number;
    const outputs = cell.outputs ?? [];
    if (!Array.isArray(outputs)) fail(`${path}.outputs`, 'must be a list');
    cell.outputs = (outputs as Json[]).map((o, i) => upgradeOutput(o, `${path}.outputs[${i}]`, fail));
  } else if (cell.cell_type === 'heading') {
    cell.cell_type = 'markdown';
    const level = typeof cell.level === 'number' ? cell.level : 1;
    delete cell.level;
    // Python's splitlines: every line end it knows, joined with spaces into one heading line.
    const lines = joined(cell.source).split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
    if (lines.at(-1) === '') lines.pop();
    cell.source = `${'#'.repeat(level)} ${lines.join(' ')}`;
  } else if (cell.cell_type === 'html') {
    cell.cell_type = 'markdown';
  }
  return cell;
}

function toMimeKeys(data: JsonObject): JsonObject {
  const out: JsonObject = { ...data };
  for (const [alias, mime] of MIME_KEYS) {
    if (alias in out) {
      const value = out[alias]!;
      delete out[alias];
      out[mime] = value;
    }
  }
  return out;
}

function upgradeOutput(raw: Json, path: string, fail: Fail): JsonObject {
  if (!isObject(raw)) fail(path, 'must be an object');
  const output: JsonObject = { ...(raw as JsonObject) };
  const kind = output.output_type;
  if (kind === 'pyout' || kind === 'display_data') {
    const result: JsonObject = { output_type: kind === 'pyout' ? 'execute_result' : 'display_data' };
    if (kind === 'pyout') result.execution_count = output.prompt_number ?? null;
    delete output.prompt_number;
    result.metadata = toMimeKeys(isObject(output.metadata) ? output.metadata : {});
    const data: JsonObject = {};
    for (const [key, value] of Object.entries(output)) {
      if (key !== 'output_type' && key !== 'execution_count' && key !== 'metadata') data[key] = value;
    }
    const bundle = toMimeKeys(data);
    if ('application/json' in bundle) {
      const text = joined(bundle['application/json']);
      try {
        bundle['application/json'] = JSON.parse(text) as Json;
      } catch (error) {
        fail(`${path}.json`, `is not JSON text: ${(error as Error).message}`);
      }
    }
    result.data = bundle;
    return result;
  }
  if (kind === 'pyerr') return { ...output, output_type: 'error' };
  if (kind === 'stream') {
    const { stream, ...rest } = output;
    return { ...rest, name: stream ?? 'stdout' };
  }
  return output;
}
