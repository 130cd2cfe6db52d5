/**
 * What a cell is and how it runs: its language (metadata, `%%bash`-style first line, other tools'
 * cell language, notebook default, kernelspec) and its options from `metadata.probebook`, checked
 * with errors that name the cell and the value.
 */
import { refusedEnvName } from '../env-names.ts';
import { checkCellFile } from './cell-file.ts';
import { CELL_LANGUAGES, DEFAULT_LANGUAGE, isCellLanguage, type CellLanguage } from '../languages.ts';
import { foreignCellLanguage } from './foreign-languages.ts';
import type { Cell, CellOptions, Json, JsonObject, Notebook, NotebookOptions, ReadyOptions, ReadyPort } from './model.ts';

/** First-line magics (IPython's and ours) and the language each marks. */
const MAGICS: Record<string, CellLanguage> = {
  '%%bash': 'shell',
  '%%sh': 'shell',
  '%%shell': 'shell',
  '%%bpftrace': 'bpftrace',
  '%%typescript': 'typescript',
  '%%ts': 'typescript',
};

export interface ResolvedCell {
  language: CellLanguage;
  /** The code to run: a magic first line becomes an empty line, so line numbers stay the cell's. */
  code: string;
  options: CellOptions;
  /** Where the language came from, for the UI. */
  languageSource: 'metadata' | 'magic' | 'notebook' | 'kernelspec' | 'default';
}

/** An option with a bad value: names the cell and what is wrong. */
class CellOptionsError extends Error {
  override name = 'CellOptionsError';
}

export function resolveCell(cell: Cell, notebook: Notebook): ResolvedCell {
  const where = cellLabel(cell, notebook);
  const options = cellOptions(cell, where);
  const magic = /^(%%[A-Za-z]+)[ \t]*(?:\r?\n|$)/.exec(cell.source);
  const magicLanguage = magic ? MAGICS[magic[1]!] : undefined;
  if (magic && !magicLanguage && !options.language) {
    throw new CellOptionsError(`${where} starts with the magic ${magic[1]}, which Probebook does not run (it knows ${Object.keys(MAGICS).join(', ')}).`);
  }
  const code = magicLanguage ? cell.source.slice(magic![1]!.length).replace(/^[ \t]*/, '') : cell.source;
  const resolved = ((): ResolvedCell => {
    if (options.language) return { language: options.language, code: magicLanguage ? code : cell.source, options, languageSource: 'metadata' };
    if (magicLanguage) return { language: magicLanguage, code, options, languageSource: 'magic' };
    // Other tools' per-cell language (VS Code, Polyglot Notebooks): ours runs, any other is refused by name.
    const foreign = foreignCellLanguage(cell);
    if (foreign?.language) return { language: foreign.language, code, options, languageSource: 'metadata' };
    if (foreign) {
      throw new CellOptionsError(
        `${where} is ${foreign.name} (${foreign.path}, written by ${foreign.tool}), which Probebook does not run: start it with %%bash, %%bpftrace or %%ts, or set metadata.probebook.language.`,
      );
    }
    const nbOptions = notebookOptions(notebook);
    if (nbOptions.language) return { language: nbOptions.language, code, options, languageSource: 'notebook' };
    const fromKernel = kernelspecLanguage(notebook.metadata);
    if (fromKernel) return { language: fromKernel, code, options, languageSource: 'kernelspec' };
    return { language: DEFAULT_LANGUAGE, code, options, languageSource: 'default' };
  })();
  const ready = options.ready;
  // A bpftrace cell is ready once its probes are attached; `ready` with only a timeout says how long that may take.
  if (ready && resolved.language !== 'bpftrace' && ready.output === undefined && ready.port === undefined && ready.file === undefined) {
    throw new CellOptionsError(
      `${where}: metadata.probebook.ready must name what to wait for: output, port or file (got ${JSON.stringify(cell.metadata.probebook && (cell.metadata.probebook as JsonObject).ready)}).`,
    );
  }
  return resolved;
}

/** How long Run All waits for a cell to be ready when its `ready` gives no `timeout`. */
export const DEFAULT_READY_TIMEOUT = '30s';

/**
 * `metadata.probebook.ready`: `{ output?: "<regex>", port?: 5201 | "tcp/5201" | "udp/53", file?: "/path", timeout?: "30s" }`.
 * @example readyOptions({ port: 'udp/53' }, 'cell 2') // { port: { protocol: 'udp', port: 53 }, timeout: '30s' }
 */
function readyOptions(raw: Json, where: string): ReadyOptions {
  const bad = (key: string, expected: string, value: Json | undefined): never => {
    throw new CellOptionsError(`${where}: metadata.probebook.ready${key ? `.${key}` : ''} must be ${expected} (got ${JSON.stringify(value)}).`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) bad('', 'an object like { "port": 5201 } or { "output": "listening on" }', raw);
  const o = raw as JsonObject;
  for (const key of Object.keys(o)) {
    if (!['output', 'port', 'file', 'timeout'].includes(key)) {
      throw new CellOptionsError(`${where}: metadata.probebook.ready has no option "${key}" (it takes output, port, file and timeout).`);
    }
  }
  const ready: ReadyOptions = { timeout: DEFAULT_READY_TIMEOUT };
  if (o.output !== undefined) {
    if (typeof o.output !== 'string' || o.output === '') bad('output', 'a regular expression (a non-empty string)', o.output);
    try {
      new RegExp(o.output as string);
    } catch (error) {
      throw new CellOptionsError(
        `${where}: metadata.probebook.ready.output ${JSON.stringify(o.output)} is not a regular expression: ${(error as Error).message}.`,
      );
    }
    ready.output = o.output as string;
  }
  if (o.port !== undefined) ready.port = readyPort(o.port) ?? bad('port', 'a port number 1-65535, "tcp/PORT" or "udp/PORT"', o.port);
  if (o.file !== undefined) {
    if (typeof o.file !== 'string' || !o.file.startsWith('/') || o.file.includes('\0') || o.file.length > 4096) bad('file', 'an absolute path', o.file);
    ready.file = o.file as string;
  }
  if (o.timeout !== undefined) ready.timeout = durationOption(o.timeout, `${where}: metadata.probebook.ready.timeout`);
  return ready;
}

/** `5201`, `"5201"`, `"tcp/5201"`, `"udp/53"`; undefined for anything else. */
function readyPort(value: Json): ReadyPort | undefined {
  const m =
    typeof value === 'number' ? [String(value), undefined, String(value)] : typeof value === 'string' ? /^(?:(tcp|udp)\/)?(\d{1,5})$/.exec(value) : null;
  if (!m) return undefined;
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || String(port) !== m[2]) return undefined;
  return { protocol: (m[1] as 'tcp' | 'udp' | undefined) ?? 'tcp', port };
}

/** A duration option as written ("10s"; a number counts seconds), checked; errors start with `what`. */
function durationOption(raw: Json, what: string): string {
  const value = typeof raw === 'number' ? `${raw}s` : raw;
  if (typeof value !== 'string') throw new CellOptionsError(`${what} must be a duration like "10s" or "2m" (got ${JSON.stringify(raw)}).`);
  try {
    parseDuration(value);
  } catch (error) {
    throw new CellOptionsError(`${what}: ${(error as Error).message}`);
  }
  return value;
}

/** "cell 3 (measure)": how errors name a cell. */
export function cellLabel(cell: Cell, notebook: Notebook): string {
  const index = notebook.cells.indexOf(cell);
  const name = (cell.metadata.probebook as JsonObject | undefined)?.name;
  return `cell ${index + 1}${typeof name === 'string' && name ? ` (${name})` : ''}`;
}

function cellOptions(cell: Cell, where: string): CellOptions {
  const raw = cell.metadata.probebook;
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CellOptionsError(`${where}: metadata.probebook must be an object.`);
  }
  const o = raw as JsonObject;
  const bad = (key: string, expected: string): never => {
    throw new CellOptionsError(`${where}: metadata.probebook.${key} must be ${expected} (got ${JSON.stringify(o[key])}).`);
  };
  const options: CellOptions = {};
  if (o.language !== undefined) {
    if (!isCellLanguage(o.language))
      bad(
        'language',
        CELL_LANGUAGES.map((l) => `"${l}"`)
          .join(', ')
          .replace(/, ([^,]*)$/, ' or $1'),
      );
    options.language = o.language as CellLanguage;
  }
  if (o.name !== undefined) options.name = typeof o.name === 'string' ? o.name : bad('name', 'a string');
  checkCellFile(o, cell.source, where);
  for (const key of ['background', 'cleanup', 'user', 'unsafe'] as const) {
    if (o[key] !== undefined) options[key] = typeof o[key] === 'boolean' ? (o[key] as boolean) : bad(key, 'true or false');
  }
  if (o.timeout !== undefined) options.timeout = durationOption(o.timeout, `${where}: metadata.probebook.timeout`);
  if (o.ready !== undefined) options.ready = readyOptions(o.ready, where);
  if (o.args !== undefined) {
    if (!Array.isArray(o.args) || !o.args.every((a) => typeof a === 'string')) bad('args', 'a list of parameter names');
    options.args = o.args as string[];
  }
  if (o.outputLimit !== undefined) {
    const n = Number(o.outputLimit);
    if (!Number.isFinite(n) || n < 0) bad('outputLimit', 'a number of bytes');
    options.outputLimit = n;
  }
  return options;
}

/** Notebook-level options from `metadata.probebook`. Unusable values are ignored here and reported by `checkNotebookOptions`. */
export function notebookOptions(notebook: Notebook): NotebookOptions {
  const raw = notebook.metadata.probebook;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const o = raw as JsonObject;
  const options: NotebookOptions = {};
  if (isCellLanguage(o.language)) options.language = o.language;
  if (o.parameters !== null && typeof o.parameters === 'object' && !Array.isArray(o.parameters)) {
    const parameters: Record<string, string | number | boolean> = {};
    for (const [name, value] of Object.entries(o.parameters)) {
      if (typeof value === 'string' || typeof value === 'boolean') parameters[name] = value;
      else if (value !== null && typeof value !== 'object') parameters[name] = Number(value);
      else if (value !== null && typeof value === 'object' && 'literal' in (value as object)) parameters[name] = String((value as { literal: string }).literal);
    }
    options.parameters = parameters;
  }
  return options;
}

/** Problems with the notebook-level options, for people (empty when all is well). */
export function checkNotebookOptions(notebook: Notebook): string[] {
  const raw = notebook.metadata.probebook;
  if (raw === undefined) return [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return ['metadata.probebook must be an object.'];
  const o = raw as JsonObject;
  const problems: string[] = [];
  if (o.language !== undefined && !isCellLanguage(o.language))
    problems.push(`metadata.probebook.language must be one of ${CELL_LANGUAGES.join(', ')} (got ${JSON.stringify(o.language)}).`);
  if (o.parameters !== undefined) {
    if (o.parameters === null || typeof o.parameters !== 'object' || Array.isArray(o.parameters))
      problems.push('metadata.probebook.parameters must be an object of NAME: default value.');
    else
      for (const [name, value] of Object.entries(o.parameters)) {
        const problem = parameterNameProblem(name);
        if (problem) problems.push(`${problem}.`);
        if (value === null || (typeof value === 'object' && !('literal' in value)))
          problems.push(`parameter ${name} must have a string, number or boolean default.`);
      }
  }
  return problems;
}

/**
 * Why a parameter named `name` cannot be used, or undefined when it can: parameters become the
 * environment of root cells, so the name must be a variable name that does not change what root
 * runs or loads (env-names.ts).
 * @example parameterNameProblem('PATH') // 'parameter PATH is refused: it chooses which programs run; rename it (e.g. LAB_PATH)'
 */
export function parameterNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    return `parameter name ${JSON.stringify(name)} must be a valid variable name (letters, digits, _; not starting with a digit)`;
  const why = refusedEnvName(name);
  if (why) return `parameter ${name} is refused: ${why}; rename it (e.g. LAB_${name.replace(/^_+/, '')})`;
  return undefined;
}

/**
 * The fields of the notebook's `kernelspec` and `language_info` that decide a cell's language
 * (after its metadata, its magic and the notebook's default): what trust signs of them.
 */
export function kernelspecFields(metadata: JsonObject): { kernelspecName: Json; kernelspecLanguage: Json; languageInfoName: Json } {
  const field = (object: Json | undefined, key: string): Json =>
    object !== null && typeof object === 'object' && !Array.isArray(object) ? ((object as JsonObject)[key] ?? null) : null;
  return {
    kernelspecName: field(metadata.kernelspec, 'name'),
    kernelspecLanguage: field(metadata.kernelspec, 'language'),
    languageInfoName: field(metadata.language_info, 'name'),
  };
}

/** The language a notebook's kernelspec implies (bash_kernel notebooks are shell notebooks). */
function kernelspecLanguage(metadata: JsonObject): CellLanguage | undefined {
  const fields = kernelspecFields(metadata);
  const names = [fields.kernelspecName, fields.kernelspecLanguage, fields.languageInfoName]
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.toLowerCase());
  if (names.some((n) => n === 'bash' || n === 'sh' || n === 'shell')) return 'shell';
  if (names.some((n) => n === 'typescript' || n === 'tslab' || n === 'deno')) return 'typescript';
  if (names.some((n) => n === 'bpftrace')) return 'bpftrace';
  return undefined;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * "10s", "2m", "500ms", "1h30m", "1.5s", or a bare number of seconds, in milliseconds.
 * @example parseDuration('1m30s') === 90_000
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text <= 0) throw new RangeError(`a duration must be a positive number of seconds, got ${text}`);
    return text * 1000;
  }
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return parseDuration(Number(trimmed));
  const part = /(\d+(?:\.\d+)?)\s*(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = part.exec(trimmed); m; m = part.exec(trimmed)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    consumed = part.lastIndex;
  }
  if (consumed === 0 || consumed !== trimmed.length || total <= 0) {
    throw new RangeError(`"${text}" is not a duration: write it like 10s, 2m, 500ms or 1h30m`);
  }
  return total;
}
