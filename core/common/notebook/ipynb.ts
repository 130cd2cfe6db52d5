/**
 * The .ipynb codec: nbformat 4.0–4.5 (and 3, upgraded as Jupyter does) in, 4.5 out, written exactly as Jupyter writes it.
 * Unknown fields (other tools' metadata, attachments, raw cells, widget state) are kept.
 */
import { formatBytes } from '../format.ts';
import { utf8Length } from '../utf8.ts';
import { MIME, type CellErrorData } from '../mime.ts';
import { JsonSyntaxError, LinesOfText, linesJson, NumberLiteral, parseJsonText, stringifyJupyterParts, type LinesAt } from './json-text.ts';
import type { Cell, CellType, Json, JsonObject, Notebook, Output, OutputKind } from './model.ts';
import { upgradeV3 } from './nbformat3.ts';
import { newCellId, newOutputId } from './outputs.ts';

/** A file that is not JSON, or not a notebook. Names the file and the position or schema path. */
export class NotebookParseError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly where: { line?: number; column?: number; schemaPath?: string } = {},
  ) {
    const at = where.line !== undefined ? `:${where.line}:${where.column ?? 1}` : '';
    const kind = where.line !== undefined ? 'is not valid JSON' : 'is not a Jupyter notebook';
    const path = where.schemaPath ? ` at ${where.schemaPath}` : '';
    super(`${file}${at}: ${kind}${path}: ${detail}`);
    this.name = 'NotebookParseError';
  }
  get line() {
    return this.where.line;
  }
  get column() {
    return this.where.column;
  }
  get schemaPath() {
    return this.where.schemaPath;
  }
}

/** Default bytes of each stream kept in a saved file. */
const DEFAULT_OUTPUT_LIMIT = 4 * 1024 * 1024;

/** MIME types whose string values nbformat stores as lists of lines. */
const SPLIT_MIMES = new Set(['application/javascript', 'image/svg+xml']);
const isSplitMime = (mime: string) => mime.startsWith('text/') || SPLIT_MIMES.has(mime);
const isJsonMime = (mime: string) => mime === 'application/json' || mime.endsWith('+json');
const CELL_ID = /^[a-zA-Z0-9-_]{1,64}$/;

/**
 * Levels of the file above a notebook's metadata object (the notebook) and above a cell's (the
 * notebook, its cell list, the cell): what an edited metadata object may nest is
 * MAX_JSON_DEPTH minus these.
 */
export const METADATA_NESTING = { notebook: 1, cell: 3 } as const;

/**
 * Literals of numbers the model holds as JS numbers (execution counts, output times,
 * nbformat_minor) that a JS number would change (`1e999`, integers beyond 2^53), per owner and
 * field: written back as read while the number is the one read.
 */
const readLiterals = new WeakMap<object, Map<string, NumberLiteral>>();

function keepLiteral(owner: object, field: string, value: unknown): void {
  if (!(value instanceof NumberLiteral)) return;
  let fields = readLiterals.get(owner);
  if (!fields) readLiterals.set(owner, (fields = new Map()));
  fields.set(field, value);
}

function asRead(owner: object, field: string, n: number | null | undefined): Json {
  if (n === null || n === undefined) return null;
  const literal = readLiterals.get(owner)?.get(field);
  return literal && Object.is(Number(literal.literal), n) ? (literal as unknown as Json) : n;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Notebooks read from an nbformat 3 file, with the version they were (`"3.0"`). */
const upgraded = new WeakMap<Notebook, string>();

/**
 * The nbformat version a notebook's file had when it was upgraded on reading (`"3.0"`), or
 * undefined when it was read as nbformat 4. Its first save keeps the original file beside it.
 */
export function upgradedFrom(notebook: Notebook): string | undefined {
  return upgraded.get(notebook);
}

/** The notebook was written as 4.5 (its nbformat 3 original kept): no longer an upgrade. */
export function forgetUpgrade(notebook: Notebook): void {
  upgraded.delete(notebook);
}

export function parseNotebook(text: string, fileName: string): Notebook {
  let raw: unknown;
  try {
    raw = parseJsonText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new NotebookParseError(fileName, error.message, { line: error.line, column: error.column });
    throw error;
  }
  const fail = (schemaPath: string, detail: string): never => {
    throw new NotebookParseError(fileName, detail, { schemaPath });
  };
  let nb = object(raw, 'the top level', fail);
  const major = num(nb.nbformat);
  if (major === undefined) fail('nbformat', 'there is no nbformat version (is this a notebook?)');
  let upgradedFrom: string | undefined;
  if (major === 3) {
    // Upgraded as Jupyter does (nbformat3.ts); written as 4.5, the original kept (notebook-file.ts).
    upgradedFrom = `3.${num(nb.nbformat_minor) ?? 0}`;
    nb = upgradeV3(nb, fail);
  }
  if (major !== 3 && major !== 4) fail('nbformat', `nbformat ${major} is not supported: open and save it in Jupyter to convert it to version 4`);
  const minor = num(nb.nbformat_minor) ?? fail('nbformat_minor', 'must be a number');
  const metadata = object(nb.metadata ?? {}, 'metadata', fail);
  if (!Array.isArray(nb.cells)) fail('cells', 'must be a list of cells');
  const cells = (nb.cells as unknown[]).map((c, i) => readCell(c, `cells[${i}]`, fail));
  const { nbformat: _a, nbformat_minor: _b, metadata: _c, cells: _d, ...extra } = nb;
  const notebook: Notebook = { nbformat: 4, nbformatMinor: minor, metadata, cells, extra: nonEmpty(extra) };
  if (upgradedFrom) upgraded.set(notebook, upgradedFrom);
  keepLiteral(notebook, 'nbformat_minor', nb.nbformat_minor);
  // Cells are addressed by id everywhere; files before nbformat 4.5 have none (written as 4.5 with them).
  ensureCellIds(notebook);
  return notebook;
}

type Fail = (schemaPath: string, detail: string) => never;

function readCell(raw: unknown, path: string, fail: Fail): Cell {
  const c = object(raw, path, fail);
  const cellType = c.cell_type;
  if (cellType !== 'code' && cellType !== 'markdown' && cellType !== 'raw') {
    fail(`${path}.cell_type`, `must be "code", "markdown" or "raw" (got ${JSON.stringify(cellType)})`);
  }
  const source = multiline(c.source ?? '', `${path}.source`, fail);
  const metadata = object(c.metadata ?? {}, `${path}.metadata`, fail);
  const { id, cell_type: _t, source: _s, metadata: _m, outputs: rawOutputs, execution_count, attachments, ...extra } = c;
  if (id !== undefined && typeof id !== 'string') fail(`${path}.id`, 'must be a string');
  const cell: Cell = {
    id: typeof id === 'string' ? id : '',
    cellType: cellType as CellType,
    source,
    metadata,
    outputs: [],
    executionCount: null,
    extra: nonEmpty(extra),
  };
  if (attachments !== undefined) cell.attachments = object(attachments, `${path}.attachments`, fail);
  if (cellType === 'code') {
    if (execution_count !== null && execution_count !== undefined && num(execution_count) === undefined) {
      fail(`${path}.execution_count`, 'must be a number or null');
    }
    cell.executionCount = execution_count === undefined || execution_count === null ? null : num(execution_count)!;
    keepLiteral(cell, 'execution_count', execution_count);
    if (rawOutputs !== undefined && !Array.isArray(rawOutputs)) fail(`${path}.outputs`, 'must be a list');
    cell.outputs = ((rawOutputs as unknown[]) ?? []).map((o, i) => readOutput(o, `${path}.outputs[${i}]`, fail));
    const times = (metadata.probebook as JsonObject | undefined)?.outputTimes;
    if (Array.isArray(times) && times.length === cell.outputs.length) {
      times.forEach((t, i) => {
        const n = num(t);
        if (n === undefined) return;
        cell.outputs[i]!.time = n;
        keepLiteral(cell.outputs[i]!, 'time', t);
      });
    }
  } else {
    // Markdown and raw cells have no outputs; keep any such fields a tool wrote, as they were.
    if (rawOutputs !== undefined) (cell.extra ??= {}).outputs = rawOutputs as Json;
    if (execution_count !== undefined) (cell.extra ??= {}).execution_count = execution_count as Json;
  }
  return cell;
}

function readOutput(raw: unknown, path: string, fail: Fail): Output {
  const o = object(raw, path, fail);
  const kind = o.output_type as OutputKind;
  const outputId = newOutputId();
  switch (kind) {
    case 'stream': {
      const { output_type: _k, name, text, ...extra } = o;
      if (name !== 'stdout' && name !== 'stderr') fail(`${path}.name`, `must be "stdout" or "stderr" (got ${JSON.stringify(name)})`);
      const data = multiline(text ?? '', `${path}.text`, fail);
      return { outputId, kind, items: [{ mime: name === 'stdout' ? MIME.stdout : MIME.stderr, data }], extra: nonEmpty(extra) };
    }
    case 'display_data':
    case 'execute_result': {
      const { output_type: _k, data, metadata, execution_count, transient: _tr, ...extra } = o;
      const bundle = object(data ?? {}, `${path}.data`, fail);
      const items = Object.entries(bundle).map(([mime, value]) => ({
        mime,
        data: !isJsonMime(mime) && Array.isArray(value) ? multiline(value, `${path}.data.${mime}`, fail) : value,
      }));
      const output: Output = { outputId, kind, items, metadata: object(metadata ?? {}, `${path}.metadata`, fail), extra: nonEmpty(extra) };
      if (kind === 'execute_result') {
        output.executionCount = execution_count === null || execution_count === undefined ? null : (num(execution_count) ?? null);
        keepLiteral(output, 'execution_count', execution_count);
      }
      return output;
    }
    case 'error': {
      const { output_type: _k, ename, evalue, traceback, ...extra } = o;
      const error: CellErrorData = {
        ename: typeof ename === 'string' ? ename : String(ename ?? ''),
        evalue: typeof evalue === 'string' ? evalue : String(evalue ?? ''),
        traceback: Array.isArray(traceback) ? traceback.map(String) : [],
      };
      return { outputId, kind, items: [{ mime: MIME.error, data: error as unknown as Json }], extra: nonEmpty(extra) };
    }
    default:
      return fail(`${path}.output_type`, `must be "stream", "display_data", "execute_result" or "error" (got ${JSON.stringify(kind)})`);
  }
}

function object(value: unknown, path: string, fail: Fail): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof NumberLiteral) {
    fail(path, `must be an object (got ${describe(value)})`);
  }
  return value as JsonObject;
}

function multiline(value: unknown, path: string, fail: Fail): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('');
  return fail(path, `must be a string or a list of strings (got ${describe(value)})`);
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof NumberLiteral) return Number(value.literal);
  return undefined;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (value instanceof NumberLiteral || typeof value === 'number') return 'a number';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

function nonEmpty(extra: Record<string, unknown>): JsonObject | undefined {
  return Object.keys(extra).length ? (extra as JsonObject) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface SerializeOptions {
  /** Bytes of each stream output kept; cells override with `metadata.probebook.outputLimit`. */
  outputLimitBytes?: number;
}

/** The notebook as nbformat 4.5 text, byte for byte as Jupyter would write it. */
export function serializeNotebook(nb: Notebook, options: SerializeOptions = {}): string {
  return serializeNotebookParts(nb, options)
    .map((part) => (typeof part === 'string' ? part : linesJson(part)))
    .join('');
}

/**
 * The same text in parts, streams' texts left as {@link LinesAt} for the caller to write (a file
 * writer writes them as bytes straight from the text: no list of 600,000 lines built for a flood).
 */
export function serializeNotebookParts(nb: Notebook, options: SerializeOptions = {}): (string | LinesAt)[] {
  ensureCellIds(nb);
  const metadata = { ...nb.metadata };
  // nbformat's writer drops these (strip_transient).
  delete metadata.orig_nbformat;
  delete metadata.orig_nbformat_minor;
  delete metadata.signature;
  const out = {
    ...(nb.extra ?? {}),
    cells: nb.cells.map((c) => writeCell(c, options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT)),
    metadata,
    nbformat: 4,
    nbformat_minor: asRead(nb, 'nbformat_minor', Math.max(5, nb.nbformatMinor)),
  };
  const parts = stringifyJupyterParts(out);
  parts.push('\n');
  return parts;
}

/**
 * The notebook as reading back its saved file gives it (for signing what was written without
 * reading it again): streams capped as {@link serializeNotebook} caps them. A copy; shares the rest.
 */
export function notebookAsSaved(nb: Notebook, options: SerializeOptions = {}): Notebook {
  const defaultLimit = options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT;
  return {
    ...nb,
    cells: nb.cells.map((cell) => {
      if (cell.cellType !== 'code') return cell;
      const probebook = isObject(cell.metadata.probebook) ? cell.metadata.probebook : undefined;
      const limit = num(probebook?.outputLimit) ?? defaultLimit;
      const outputs = cell.outputs.map((o) => {
        if (o.kind !== 'stream') return o;
        const item = o.items[0];
        const text = cappedStream(o, limit);
        return { ...o, truncated: undefined, items: [{ mime: item?.mime ?? MIME.stdout, data: text }] };
      });
      return { ...cell, outputs };
    }),
  };
}

/** Gives every cell a valid, unique nbformat id (in place), as Jupyter does when upgrading to 4.5. */
function ensureCellIds(nb: Notebook): void {
  const seen = new Set<string>();
  for (const cell of nb.cells) {
    if (!CELL_ID.test(cell.id) || seen.has(cell.id)) {
      let id = newCellId();
      while (seen.has(id)) id = newCellId();
      cell.id = id;
    }
    seen.add(cell.id);
  }
}

function writeCell(cell: Cell, defaultLimit: number): JsonObject {
  const metadata: JsonObject = { ...cell.metadata };
  delete metadata.trusted; // never saved: trust is local (docs/security.md)
  const out: JsonObject = { ...(cell.extra ?? {}), cell_type: cell.cellType, id: cell.id, metadata, source: splitLines(cell.source) };
  if (cell.attachments !== undefined) out.attachments = splitBundles(cell.attachments);
  if (cell.cellType !== 'code') return out;

  const probebook = isObject(metadata.probebook) ? { ...metadata.probebook } : undefined;
  const limit = num(probebook?.outputLimit) ?? defaultLimit;
  out.execution_count = asRead(cell, 'execution_count', cell.executionCount);
  out.outputs = cell.outputs.map((o) => writeOutput(o, limit));
  const times = cell.outputs.map((o) => asRead(o, 'time', o.time));
  if (times.some((t) => t !== null)) {
    metadata.probebook = { ...(probebook ?? {}), outputTimes: times };
  } else if (probebook && 'outputTimes' in probebook) {
    delete probebook.outputTimes;
    if (Object.keys(probebook).length) metadata.probebook = probebook;
    else delete metadata.probebook;
  }
  return out;
}

function writeOutput(output: Output, limit: number): JsonObject {
  const extra = output.extra ?? {};
  switch (output.kind) {
    case 'stream': {
      const item = output.items[0];
      const name = item?.mime === MIME.stderr ? 'stderr' : 'stdout';
      const text = cappedStream(output, limit);
      return { ...extra, name, output_type: 'stream', text: new LinesOfText(text, splitLines) as unknown as Json };
    }
    case 'error': {
      const data = (output.items[0]?.data ?? {}) as unknown as CellErrorData;
      return { ...extra, ename: data.ename ?? '', evalue: data.evalue ?? '', output_type: 'error', traceback: data.traceback ?? [] };
    }
    case 'display_data':
    case 'execute_result': {
      const bundle: JsonObject = {};
      for (const item of output.items) bundle[item.mime] = item.data;
      if (!(MIME.plain in bundle) && output.items.length) bundle[MIME.plain] = '';
      const out: JsonObject = { ...extra, data: splitBundle(bundle), metadata: output.metadata ?? {}, output_type: output.kind };
      if (output.kind === 'execute_result') out.execution_count = asRead(output, 'execution_count', output.executionCount);
      return out;
    }
  }
}

/** Each stream output's last cut: saving a notebook and then signing it as saved cut a 4 MiB stream once. */
const cuts = new WeakMap<Output, { text: string; limit: number; bytes?: number; lines?: number; cut: string }>();

/** {@link capStream} of a stream output's text, remembered while its text, limit and dropped count stay the same. */
function cappedStream(output: Output, limit: number): string {
  const text = String(output.items[0]?.data ?? '');
  const { bytes, lines } = output.truncated ?? {};
  const last = cuts.get(output);
  if (last && last.limit === limit && last.bytes === bytes && last.lines === lines && last.text === text) return last.cut;
  const cut = capStream(text, limit, output.truncated);
  cuts.set(output, { text, limit, bytes, lines, cut });
  return cut;
}

/**
 * Cuts a stream to `limit` bytes at a line end and says so in the text. `already` counts what the
 * runner dropped before (it keeps no more than it may save).
 */
export function capStream(text: string, limit: number, already?: { bytes: number; lines: number }): string {
  let kept = text;
  let droppedBytes = already?.bytes ?? 0;
  let droppedLines = already?.lines ?? 0;
  if (utf8Length(text) > limit) {
    let cut = text.lastIndexOf('\n', Math.min(text.length, limit) - 1) + 1;
    while (cut > 0 && utf8Length(text.slice(0, cut)) > limit) cut = text.lastIndexOf('\n', cut - 2) + 1;
    kept = text.slice(0, cut);
    const rest = text.slice(cut);
    droppedBytes += utf8Length(rest);
    droppedLines += (rest.match(/\n/g)?.length ?? 0) + (rest.endsWith('\n') || rest === '' ? 0 : 1);
  }
  if (droppedBytes === 0) return text;
  const note =
    `[probebook: output truncated: ${formatBytes(droppedBytes)} (${droppedLines.toLocaleString('en-US')} lines) not saved; ` +
    `the limit is ${formatBytes(limit)} per stream, see metadata.probebook.outputLimit]\n`;
  return kept + (kept === '' || kept.endsWith('\n') ? '' : '\n') + note;
}

function splitBundle(bundle: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [mime, value] of Object.entries(bundle)) {
    out[mime] = typeof value === 'string' && isSplitMime(mime) ? splitLines(value) : value;
  }
  return out;
}

function splitBundles(attachments: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [name, bundle] of Object.entries(attachments)) out[name] = isObject(bundle) ? splitBundle(bundle) : bundle;
  return out;
}

/** Line ends other than \n that Python's splitlines knows. */
const OTHER_LINE_ENDS = /[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Python's `str.splitlines(True)`: the line ends it knows, each kept with its line. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  if (!OTHER_LINE_ENDS.test(text)) {
    // Only \n ends lines (most output): found by indexOf, not a loop over every character.
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      lines.push(text.slice(start, end + 1));
      start = end + 1;
    }
    if (start < text.length) lines.push(text.slice(start));
    return lines;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 /* \r */ && text.charCodeAt(i + 1) === 10) i++;
    else if (!(c === 10 || c === 13 || c === 11 || c === 12 || c === 0x1c || c === 0x1d || c === 0x1e || c === 0x85 || c === 0x2028 || c === 0x2029)) continue;
    lines.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof NumberLiteral);
}
