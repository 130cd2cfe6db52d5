/**
 * Validation at the edge: every message arriving from a socket or a port is checked against the
 * protocol before anything acts on it — known types only, field types, and size limits — with an
 * error that names the field.
 */
import type { PageFigure } from './export/figure-fallbacks.ts';
import { CELL_LANGUAGES } from './languages.ts';
import { METADATA_NESTING } from './notebook/ipynb.ts';
import { jsonDepth, MAX_JSON_DEPTH } from './notebook/json-text.ts';
import type { ClientMessage, NotebookEdit } from './protocol.ts';
import { checks, describeValue, type Obj } from './validate.ts';

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

const LIMITS = {
  id: 200,
  path: 4096,
  source: 4 * 1024 * 1024,
  edits: 10_000,
  cellIds: 100_000,
  metadataBytes: 1024 * 1024,
  /** PNG fallbacks with one save: how many, base64 characters of one and of all, pixels across or down. */
  figures: 256,
  figureChars: 4 * 1024 * 1024,
  figuresChars: 12 * 1024 * 1024,
  figurePixels: 4096,
};

function fail(field: string, expected: string, value: unknown): never {
  throw new ProtocolError(`${field} must be ${expected} (got ${describeValue(value)})`);
}

const check = checks(fail);
const str = (o: Obj, key: string, max: number, optional = false) => check.string(o[key], key, { max, optional });
const int = (o: Obj, key: string, optional = false) => check.int(o[key], key, { optional });
const bool = (o: Obj, key: string) => check.bool(o[key], key);
const object = check.object;

/** Metadata for a place in the file `above` levels deep: no deeper than the reader reads back. */
function jsonObject(v: unknown, field: string, above: number): Obj {
  const o = object(v, field);
  // Measured without recursion, before anything (stringify, clone, save, sign) recurses into it.
  const max = MAX_JSON_DEPTH - above;
  if (jsonDepth(o, max) > max)
    throw new ProtocolError(
      `${field} nests deeper than ${max} levels: a notebook holding it could not be opened again (files nest at most ${MAX_JSON_DEPTH} levels)`,
    );
  if (JSON.stringify(o).length > LIMITS.metadataBytes) throw new ProtocolError(`${field} is larger than ${LIMITS.metadataBytes} bytes`);
  return o;
}

const CELL_TYPES = ['code', 'markdown', 'raw'];

/** Run ids of the cleanup ledger are UUIDs; they name files, so nothing else gets through. */
function runId(o: Obj): string {
  const v = o.runId;
  if (typeof v !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v)) fail('runId', 'a run id (a UUID)', v);
  return v;
}

function edit(v: unknown, i: number): NotebookEdit {
  const e = object(v, `edits[${i}]`);
  const at = (k: string) => `edits[${i}].${k}`;
  const cellId = () => {
    const id = e.cellId;
    if (typeof id !== 'string' || id.length === 0 || id.length > LIMITS.id) fail(at('cellId'), 'a cell id', id);
    return id;
  };
  switch (e.kind) {
    case 'insert_cell': {
      const cell = object(e.cell, at('cell'));
      if (typeof cell.id !== 'string' || !/^[a-zA-Z0-9-_]{1,64}$/.test(cell.id)) fail(at('cell.id'), 'an nbformat cell id', cell.id);
      if (!CELL_TYPES.includes(cell.cellType as string)) fail(at('cell.cellType'), '"code", "markdown" or "raw"', cell.cellType);
      if (typeof cell.source !== 'string' || cell.source.length > LIMITS.source) fail(at('cell.source'), 'a string', cell.source);
      const index = e.index;
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) fail(at('index'), 'a non-negative integer', index);
      return {
        kind: 'insert_cell',
        index,
        cell: {
          id: cell.id,
          cellType: cell.cellType as 'code',
          source: cell.source,
          metadata: jsonObject(cell.metadata ?? {}, at('cell.metadata'), METADATA_NESTING.cell) as never,
        },
      };
    }
    case 'delete_cell':
      return { kind: 'delete_cell', cellId: cellId() };
    case 'move_cell': {
      const toIndex = e.toIndex;
      if (typeof toIndex !== 'number' || !Number.isInteger(toIndex) || toIndex < 0) fail(at('toIndex'), 'a non-negative integer', toIndex);
      return { kind: 'move_cell', cellId: cellId(), toIndex };
    }
    case 'set_source':
      if (typeof e.source !== 'string' || e.source.length > LIMITS.source) fail(at('source'), `a string of at most ${LIMITS.source} characters`, e.source);
      return { kind: 'set_source', cellId: cellId(), source: e.source };
    case 'set_cell_type':
      if (!CELL_TYPES.includes(e.cellType as string)) fail(at('cellType'), '"code", "markdown" or "raw"', e.cellType);
      return { kind: 'set_cell_type', cellId: cellId(), cellType: e.cellType as 'code' };
    case 'set_cell_metadata':
      return { kind: 'set_cell_metadata', cellId: cellId(), metadata: jsonObject(e.metadata, at('metadata'), METADATA_NESTING.cell) as never };
    case 'clear_outputs':
      return { kind: 'clear_outputs', cellId: cellId() };
    case 'set_notebook_metadata':
      return { kind: 'set_notebook_metadata', metadata: jsonObject(e.metadata, at('metadata'), METADATA_NESTING.notebook) as never };
    default:
      return fail(at('kind'), 'a known edit', e.kind);
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const B64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** The 8-byte PNG signature and an IHDR chunk's length and type, as the first 16 bytes of every PNG. */
const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

/** The first 24 bytes of base64 text (32 characters, already checked as base64). */
function base64Head(text: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i + 4 <= 32; i += 4) {
    const n = [0, 1, 2, 3].reduce((acc, k) => (acc << 6) | B64_DIGITS.indexOf(text[i + k]!), 0);
    bytes.push((n >> 16) & 255, (n >> 8) & 255, n & 255);
  }
  return bytes;
}

/** `save_request.figures`: base64 PNGs whose header says the size they claim. */
function pageFigures(v: unknown): PageFigure[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > LIMITS.figures) fail('figures', `a list of at most ${LIMITS.figures} figures`, v);
  let total = 0;
  return v.map((item, i) => {
    const f = object(item, `figures[${i}]`);
    const at = (k: string) => `figures[${i}].${k}`;
    const outputId = check.string(f.outputId, at('outputId'), { max: LIMITS.id, nonEmpty: true });
    const figure = f.figure;
    if (typeof figure !== 'string' || !/^[0-9a-f]{16}$/.test(figure)) fail(at('figure'), 'a figure hash (16 hex digits)', figure);
    const width = check.int(f.width, at('width'), { min: 1, max: LIMITS.figurePixels });
    const height = check.int(f.height, at('height'), { min: 1, max: LIMITS.figurePixels });
    const png = f.png;
    if (typeof png !== 'string' || png.length > LIMITS.figureChars) fail(at('png'), `a base64 PNG of at most ${LIMITS.figureChars} characters`, png);
    total += png.length;
    if (total > LIMITS.figuresChars) fail('figures', `PNGs of at most ${LIMITS.figuresChars} base64 characters in all`, v);
    if (png.length < 44 || !BASE64.test(png)) fail(at('png'), 'base64 text of a PNG (no data: prefix)', png);
    const head = base64Head(png);
    if (PNG_HEAD.some((b, k) => head[k] !== b)) fail(at('png'), 'a PNG (its signature and IHDR header)', png);
    const u32 = (k: number) => ((head[k]! << 24) >>> 0) + (head[k + 1]! << 16) + (head[k + 2]! << 8) + head[k + 3]!;
    if (u32(16) !== width || u32(20) !== height) throw new ProtocolError(`${at('png')} is ${u32(16)}×${u32(20)} pixels, not the ${width}×${height} it claims`);
    return { outputId, figure, png, width, height };
  });
}

/** Checks a message from a UI; throws {@link ProtocolError} naming the field that is wrong. */
export function parseClientMessage(raw: unknown): ClientMessage {
  const m = object(raw, 'message');
  const requestId = () => str(m, 'requestId', LIMITS.id)!;
  const notebookId = () => str(m, 'notebookId', LIMITS.id)!;
  switch (m.type) {
    case 'hello': {
      const client = m.client;
      if (client !== 'browser' && client !== 'electron') fail('client', '"browser" or "electron"', client);
      return { type: 'hello', protocolVersion: int(m, 'protocolVersion')!, client };
    }
    case 'open_notebook':
      return { type: 'open_notebook', requestId: requestId(), path: str(m, 'path', LIMITS.path)! };
    case 'create_notebook': {
      const language = m.language;
      if (language !== undefined && !(CELL_LANGUAGES as readonly unknown[]).includes(language)) fail('language', CELL_LANGUAGES.join(', '), language);
      return { type: 'create_notebook', requestId: requestId(), path: str(m, 'path', LIMITS.path, true), language: language as never };
    }
    case 'close_notebook':
      return { type: 'close_notebook', requestId: requestId(), notebookId: notebookId() };
    case 'edit': {
      if (!Array.isArray(m.edits) || m.edits.length > LIMITS.edits) fail('edits', `a list of at most ${LIMITS.edits} edits`, m.edits);
      return { type: 'edit', requestId: requestId(), notebookId: notebookId(), baseVersion: int(m, 'baseVersion')!, edits: (m.edits as unknown[]).map(edit) };
    }
    case 'execute_request': {
      if (!Array.isArray(m.cellIds) || m.cellIds.length > LIMITS.cellIds || !m.cellIds.every((c) => typeof c === 'string' && c.length <= LIMITS.id)) {
        fail('cellIds', 'a list of cell ids', m.cellIds);
      }
      return { type: 'execute_request', requestId: requestId(), notebookId: notebookId(), cellIds: m.cellIds as string[], runAll: bool(m, 'runAll') };
    }
    case 'interrupt_request':
      return { type: 'interrupt_request', requestId: requestId(), notebookId: notebookId(), cellId: str(m, 'cellId', LIMITS.id, true) };
    case 'restart_request':
      return { type: 'restart_request', requestId: requestId(), notebookId: notebookId() };
    case 'save_request':
      return {
        type: 'save_request',
        requestId: requestId(),
        notebookId: notebookId(),
        path: str(m, 'path', LIMITS.path, true),
        force: bool(m, 'force'),
        ...(m.figures === undefined ? {} : { figures: pageFigures(m.figures) }),
      };
    case 'list_directory':
      return { type: 'list_directory', requestId: requestId(), path: str(m, 'path', LIMITS.path)! };
    case 'trust_request':
      return { type: 'trust_request', requestId: requestId(), notebookId: notebookId() };
    case 'restore_backup':
      return { type: 'restore_backup', requestId: requestId(), notebookId: notebookId() };
    case 'run_pending_cleanup':
    case 'dismiss_pending_cleanup':
      return { type: m.type, requestId: requestId(), notebookId: notebookId(), runId: runId(m) };
    case 'list_probes':
      return { type: 'list_probes', requestId: requestId(), filter: str(m, 'filter', 200, true) };
    case 'dissect_packet': {
      const packet = int(m, 'packet')!;
      if (packet < 1 || packet > 2 ** 31) return fail('packet', 'a packet number from 1', packet);
      return { type: 'dissect_packet', requestId: requestId(), notebookId: notebookId(), file: str(m, 'file', LIMITS.path)!, packet };
    }
    case 'export_notebook': {
      if (m.format !== 'html' && m.format !== 'pdf' && m.format !== 'md') return fail('format', '"html", "pdf" or "md"', m.format);
      if (m.paper !== undefined && m.paper !== 'a4' && m.paper !== 'letter') return fail('paper', '"a4" or "letter"', m.paper);
      return {
        type: 'export_notebook',
        requestId: requestId(),
        notebookId: notebookId(),
        format: m.format,
        paper: m.paper,
        showCode: m.showCode === undefined ? undefined : bool(m, 'showCode'),
        showOutputs: m.showOutputs === undefined ? undefined : bool(m, 'showOutputs'),
        author: str(m, 'author', 200, true),
      };
    }
    case 'read_capture': {
      const offset = int(m, 'offset')!;
      const length = int(m, 'length')!;
      if (offset < 0) return fail('offset', 'a byte offset from 0', offset);
      if (length < 1 || length > 4 * 1024 * 1024) return fail('length', 'a byte count from 1 to 4 MiB', length);
      return { type: 'read_capture', requestId: requestId(), notebookId: notebookId(), file: str(m, 'file', LIMITS.path)!, offset, length };
    }
    case 'ping':
      return { type: 'ping', requestId: requestId() };
    default:
      return fail('type', 'a known message type', m.type);
  }
}
