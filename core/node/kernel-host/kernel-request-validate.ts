/**
 * The kernel host's edge: every line on its stdin is checked here before anything acts on it.
 * Known request types only, every field typed and bounded, unknown fields refused, and env names
 * that would change what root runs or loads (PATH, LD_PRELOAD, BASH_ENV, NODE_OPTIONS…) refused
 * with the one list the notebook's parameters are checked against (core/common/env-names.ts).
 */
import { refusedEnvName } from '../../common/env-names.ts';
import { isCellLanguage, type CellLanguage } from '../../common/languages.ts';
import { isStopReason, MAX_MESSAGE_BYTES, type KernelRequest } from '../../common/protocol.ts';
import type { JsonObject } from '../../common/notebook/model.ts';
import { checks, isPlainObject as isObject, type Obj } from '../../common/validate.ts';

/**
 * Longest request line accepted, in bytes: a protocol message (a cell's code is at most
 * {@link MAX_CODE_BYTES}; the largest requests are other cells' outputs for `cell()`).
 */
export const MAX_REQUEST_LINE_BYTES = MAX_MESSAGE_BYTES;
export const MAX_CODE_BYTES = 1024 * 1024;
const MAX_ID = 256;
const MAX_PATH = 4096;
const MAX_ENV_ENTRIES = 512;
const MAX_ARGS = 256;
const MAX_VALUE_BYTES = 64 * 1024;
const MAX_TIMEOUT_MS = 7 * 24 * 3600 * 1000;

export class BadRequest extends Error {
  constructor(
    message: string,
    /** The requestId of the bad request, when it had a readable one (so the error can answer it). */
    readonly requestId?: string,
  ) {
    super(message);
  }
}

const FIELDS: Record<KernelRequest['type'], string[]> = {
  kernel_hello: ['protocolVersion', 'heartbeatMs'],
  kernel_execute_request: [
    'requestId',
    'notebookKey',
    'notebookPath',
    'cellId',
    'language',
    'code',
    'cwd',
    'env',
    'args',
    'timeoutMs',
    'unsafe',
    'asUser',
    'graceMs',
    'streamLimitBytes',
    'ready',
  ],
  kernel_interrupt_request: ['requestId', 'targetRequestId', 'reason', 'force'],
  kernel_reset_request: ['requestId', 'notebookKey'],
  kernel_notebook_result: ['callId', 'value', 'error'],
  heartbeat: ['seq'],
  shutdown_request: ['requestId'],
};

/** `kernel_execute_request.ready`: only a port (tcp/udp, 1-65535) and an absolute path, nothing else. */
function readyWatch(value: unknown, fail: (message: string) => never): NonNullable<Extract<KernelRequest, { type: 'kernel_execute_request' }>['ready']> {
  const where = 'kernel_execute_request: ready';
  if (!isObject(value)) fail(`${where} must be an object`);
  const o = value as Obj;
  for (const key of Object.keys(o)) if (key !== 'port' && key !== 'file') fail(`${where}: unknown field "${key.slice(0, 80)}"`);
  if (o.port === undefined && o.file === undefined) fail(`${where} must give port or file`);
  const ready: { port?: { protocol: 'tcp' | 'udp'; port: number }; file?: string } = {};
  if (o.port !== undefined) {
    const p = o.port as Obj;
    if (!isObject(p) || Object.keys(p).some((k) => k !== 'protocol' && k !== 'port')) fail(`${where}.port must be { protocol, port }`);
    if (p.protocol !== 'tcp' && p.protocol !== 'udp') fail(`${where}.port.protocol must be tcp or udp`);
    if (!Number.isInteger(p.port) || (p.port as number) < 1 || (p.port as number) > 65535) fail(`${where}.port.port must be an integer 1-65535`);
    ready.port = { protocol: p.protocol as 'tcp' | 'udp', port: p.port as number };
  }
  if (o.file !== undefined) {
    if (typeof o.file !== 'string' || !o.file.startsWith('/') || o.file.includes('\0') || Buffer.byteLength(o.file) > MAX_PATH)
      fail(`${where}.file must be an absolute path`);
    ready.file = o.file as string;
  }
  return ready;
}

/** Parses and validates one NDJSON line; throws {@link BadRequest} saying what is wrong. */
export function parseKernelRequestLine(line: string): KernelRequest {
  if (Buffer.byteLength(line) > MAX_REQUEST_LINE_BYTES)
    throw new BadRequest(`request of ${Buffer.byteLength(line)} bytes exceeds the ${MAX_REQUEST_LINE_BYTES}-byte limit`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new BadRequest(`request is not JSON: ${(error as Error).message}`);
  }
  return validateKernelRequest(value);
}

function validateKernelRequest(value: unknown): KernelRequest {
  if (!isObject(value)) throw new BadRequest('request is not a JSON object');
  const type = value.type;
  const requestId = typeof value.requestId === 'string' && value.requestId.length <= MAX_ID ? value.requestId : undefined;
  const fail = (message: string): never => {
    throw new BadRequest(message, requestId);
  };
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) fail(`unknown request type ${JSON.stringify(type)?.slice(0, 80)}`);
  const allowed = new Set(['type', ...FIELDS[type as KernelRequest['type']]]);
  for (const key of Object.keys(value)) if (!allowed.has(key)) fail(`${type}: unknown field "${key.slice(0, 80)}"`);

  const check = checks((field, expected) => fail(`${type}: ${field} must be ${expected}`));
  const id = (key: string) => check.string(value[key], key, { max: MAX_ID, nonEmpty: true, printable: true });
  const int = (key: string, min: number, max: number, optional = false) => check.int(value[key], key, { min, max, optional });
  const bool = (key: string) => check.bool(value[key], key);
  const text = (v: unknown, what: string, maxBytes: number) => check.string(v, what, { maxBytes, noNul: true });

  switch (type as KernelRequest['type']) {
    case 'kernel_hello':
      return { type: 'kernel_hello', protocolVersion: int('protocolVersion', 0, 1_000_000)!, heartbeatMs: int('heartbeatMs', 50, 600_000)! };
    case 'heartbeat':
      return { type: 'heartbeat', seq: int('seq', 0, Number.MAX_SAFE_INTEGER)! };
    case 'shutdown_request':
      return { type: 'shutdown_request', requestId: id('requestId') };
    case 'kernel_reset_request':
      return { type: 'kernel_reset_request', requestId: id('requestId'), notebookKey: id('notebookKey') };
    case 'kernel_notebook_result': {
      const callId = id('callId');
      if (value.error !== undefined) return { type: 'kernel_notebook_result', callId, error: text(value.error, 'error', MAX_VALUE_BYTES) };
      if (!isObject(value.value)) fail(`${type}: value must be an object (a cell's snapshot) unless error is given`);
      return { type: 'kernel_notebook_result', callId, value: value.value as JsonObject };
    }
    case 'kernel_interrupt_request': {
      const reason = value.reason;
      if (reason !== undefined && !isStopReason(reason)) fail(`${type}: reason must be interrupt, timeout or run-ended`);
      if (value.force !== undefined && value.force !== true) fail(`${type}: force must be true when given`);
      return {
        type: 'kernel_interrupt_request',
        requestId: id('requestId'),
        targetRequestId: id('targetRequestId'),
        ...(isStopReason(reason) ? { reason } : {}),
        ...(value.force === true ? { force: true } : {}),
      };
    }
    case 'kernel_execute_request': {
      const language = value.language;
      if (!isCellLanguage(language)) fail(`${type}: unknown language ${JSON.stringify(language)?.slice(0, 40)}`);
      const code = text(value.code, 'code', MAX_CODE_BYTES);
      const cwd = text(value.cwd, 'cwd', MAX_PATH);
      if (!cwd.startsWith('/')) fail(`${type}: cwd must be an absolute path`);
      const notebookPath = value.notebookPath === null ? null : text(value.notebookPath, 'notebookPath', MAX_PATH);
      const env = value.env;
      if (!isObject(env)) fail(`${type}: env must be an object of strings`);
      const envEntries = Object.entries(env as Obj);
      if (envEntries.length > MAX_ENV_ENTRIES) fail(`${type}: env has more than ${MAX_ENV_ENTRIES} variables`);
      const cleanEnv: Record<string, string> = {};
      for (const [name, v] of envEntries) {
        if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) fail(`${type}: env name "${name.slice(0, 40)}" is not a valid variable name`);
        const refused = refusedEnvName(name);
        if (refused) fail(`${type}: env may not set ${name} (${refused})`);
        cleanEnv[name] = text(v, `env.${name}`, MAX_VALUE_BYTES);
      }
      const args = value.args;
      if (!Array.isArray(args) || args.length > MAX_ARGS) fail(`${type}: args must be an array of at most ${MAX_ARGS} strings`);
      const cleanArgs = (args as unknown[]).map((a, i) => text(a, `args[${i}]`, MAX_VALUE_BYTES));
      const request: Extract<KernelRequest, { type: 'kernel_execute_request' }> = {
        type: 'kernel_execute_request',
        requestId: id('requestId'),
        notebookKey: id('notebookKey'),
        notebookPath,
        cellId: id('cellId'),
        language: language as CellLanguage,
        code,
        cwd,
        env: cleanEnv,
        args: cleanArgs,
      };
      const timeoutMs = int('timeoutMs', 1, MAX_TIMEOUT_MS, true);
      if (timeoutMs !== undefined) request.timeoutMs = timeoutMs;
      const unsafe = bool('unsafe');
      if (unsafe !== undefined) request.unsafe = unsafe;
      const asUser = bool('asUser');
      if (asUser !== undefined) request.asUser = asUser;
      const graceMs = int('graceMs', 0, 60_000, true);
      if (graceMs !== undefined) request.graceMs = graceMs;
      const streamLimitBytes = int('streamLimitBytes', 0, 2 ** 31, true);
      if (streamLimitBytes !== undefined) request.streamLimitBytes = streamLimitBytes;
      if (value.ready !== undefined) request.ready = readyWatch(value.ready, fail);
      return request;
    }
  }
}
