/**
 * One notebook's TypeScript context: a Node process of its own, so a runaway cell can be stopped
 * (SIGINT breaks synchronous code; a kill ends the rest) without touching other notebooks. It
 * runs the scripts `transform.ts` makes in its global scope, with the notebook API as globals,
 * and talks to the kernel over Node's IPC channel.
 *
 *   node ts-context.js --invoking-uid UID
 */
import { execa } from 'execa';
import { SourceMap } from 'node:module';
import { format, parseArgs } from 'node:util';
import vm from 'node:vm';
import { MIME, type CellErrorData } from '../../../common/mime.ts';
import { histogram, iperf3, series } from '../../../common/notebook-api/helpers.ts';
import type { ContextRequest, ContextReply, EditSpan } from './context-protocol.ts';
import { guardRootImports, importInCell } from './module-import.ts';

// Whose files a root context may load besides root's: the user Probebook runs for (from the kernel, not the environment, which parameters can set).
const { values: argv } = parseArgs({ options: { 'invoking-uid': { type: 'string' } }, strict: true });
guardRootImports(/^\d+$/.test(argv['invoking-uid'] ?? '') ? Number(argv['invoking-uid']) : 0);

const send = (message: ContextReply) => process.send!(message);
let current: { id: string; cwd: string; sourceName: string; spans: EditSpan[]; map: SourceMap } | undefined;
const calls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
let callSeq = 0;

function call(method: 'cell' | 'run', args: unknown[]): Promise<unknown> {
  const callId = ++callSeq;
  return new Promise((resolve, reject) => {
    calls.set(callId, { resolve, reject });
    send({ type: 'call', callId, method, args });
  });
}

// ---- the notebook API ------------------------------------------------------------------------

type Items = { mime: string; data: unknown }[];

function displayItems(items: Items, options: { id?: string } = {}): void {
  send({ type: 'display', items, displayId: options.id, update: options.id !== undefined });
}

function isPlotlyFigure(value: unknown): value is { data: unknown[]; layout?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { data?: unknown }).data) &&
    (value as { data: unknown[] }).data.every((t) => typeof t === 'object' && t !== null && ('x' in t || 'y' in t || 'values' in t || 'type' in t))
  );
}

function plainText(value: unknown): string {
  return typeof value === 'string' ? value : format('%o', value).slice(0, 20_000);
}

const api = {
  display(value: unknown, options: { id?: string } = {}) {
    if (isPlotlyFigure(value)) return api.plot(value, undefined, options);
    if (Array.isArray(value) && value.length > 0 && value.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r)))
      return api.table(value as object[], options);
    if (typeof value === 'string') return displayItems([{ mime: MIME.plain, data: value }], options);
    const json = JSON.parse(JSON.stringify(value ?? null, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    displayItems(
      [
        { mime: MIME.json, data: json },
        { mime: MIME.plain, data: plainText(value) },
      ],
      options,
    );
  },
  table(rows: object[], options: { columns?: string[]; id?: string } = {}) {
    const columns = options.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const text = [columns.join('\t'), ...rows.slice(0, 200).map((r) => columns.map((c) => String((r as Record<string, unknown>)[c] ?? '')).join('\t'))].join(
      '\n',
    );
    displayItems(
      [
        { mime: MIME.table, data: { columns, rows } },
        { mime: MIME.plain, data: text + (rows.length > 200 ? `\n… ${rows.length - 200} more rows` : '') },
      ],
      options,
    );
  },
  plot(figure: { data: unknown[]; layout?: unknown } | unknown[], layout?: unknown, options: { id?: string } = {}) {
    const fig = Array.isArray(figure) ? { data: figure, layout: layout ?? {} } : { ...figure, layout: layout ?? figure.layout ?? {} };
    const traces = fig.data.length;
    const title = (fig.layout as { title?: unknown })?.title;
    const summary = `<plotly figure: ${traces} trace${traces === 1 ? '' : 's'}${title ? `, ${typeof title === 'string' ? title : ((title as { text?: string }).text ?? '')}` : ''}>`;
    displayItems(
      [
        { mime: MIME.plotly, data: JSON.parse(JSON.stringify(fig)) },
        { mime: MIME.plain, data: summary },
      ],
      options,
    );
  },
  progress(value: number | { done: number; total: number }, label = '') {
    const fraction = typeof value === 'number' ? value : value.total ? value.done / value.total : 0;
    const width = 30;
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
    const text = `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${(fraction * 100).toFixed(0)}%${label ? ` ${label}` : ''}`;
    displayItems([{ mime: MIME.plain, data: text }], { id: `progress-${current?.id ?? ''}` });
  },
  cell: (name: string) => call('cell', [name]),
  run: (name: string, params: Record<string, unknown> = {}) => call('run', [name, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]))]),
  iperf3,
  histogram,
  series,
};

/** `` $`ping -c1 ${host}` `` — bash, each interpolated value quoted; throws on failure unless `$.nothrow`. */
function makeShell(nothrow: boolean) {
  const quote = (v: unknown) => `'${String(v).replace(/'/g, `'\\''`)}'`;
  const shell = async (strings: TemplateStringsArray, ...values: unknown[]) => {
    const command = strings.reduce(
      (acc, s, i) => acc + s + (i < values.length ? (Array.isArray(values[i]) ? (values[i] as unknown[]).map(quote).join(' ') : quote(values[i])) : ''),
      '',
    );
    const result = await execa('bash', ['-c', command], { reject: false, cwd: current?.cwd, stdin: 'ignore' });
    const out = { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? null, toString: () => String(result.stdout) };
    if (!nothrow && result.exitCode !== 0) {
      throw new Error(
        `$\`${command}\` exited with code ${result.exitCode}${result.stderr ? `: ${String(result.stderr).trim().split('\n').slice(-3).join(' / ')}` : ''}`,
      );
    }
    return out;
  };
  return shell;
}
const $ = Object.assign(makeShell(false), { nothrow: makeShell(true) });

const toStream =
  (name: 'stdout' | 'stderr') =>
  (...args: unknown[]): void => {
    send({ type: 'stream', name, text: `${format(...args)}\n` });
  };
Object.assign(
  globalThis,
  api,
  { $ },
  {
    console: Object.assign(Object.create(console), {
      log: toStream('stdout'),
      info: toStream('stdout'),
      debug: toStream('stdout'),
      warn: toStream('stderr'),
      error: toStream('stderr'),
    }),
    __probebook: {
      /** A cell's `import` and `import()`, resolved from the notebook's folder (module-import.ts). */
      import: (specifier: unknown, options?: ImportCallOptions) => importInCell(specifier, options, current?.cwd ?? process.cwd()),
    },
  },
);

// ---- running cells -----------------------------------------------------------------------------

/** A script column (0-based) → esbuild's column: text the transform inserted stands for where it went in. */
function outputColumn(spans: EditSpan[], line: number, column: number): number {
  let span: EditSpan | undefined;
  for (const s of spans) if (s[0] === line && s[1] <= column) span = s;
  if (!span) return column;
  return column < span[2] ? span[3] : span[4] + column - span[2];
}

/** Maps an error's stack to the cell: `line 3, column 5`, frames outside the cell dropped. */
function describeError(error: unknown): CellErrorData {
  if (!(error instanceof Error)) return { ename: 'Error', evalue: `uncaught ${format('%o', error)}`, traceback: [] };
  const run = current;
  let location: CellErrorData['location'];
  const frames: string[] = [];
  for (const line of (error.stack ?? '').split('\n').slice(1)) {
    const m = run && new RegExp(`${run.sourceName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`).exec(line);
    if (!m || !run) continue;
    let l = Number(m[1]);
    let c = outputColumn(run.spans, l - 1, Number(m[2]) - 1) + 1;
    const entry = run.map.findEntry(l - 1, c - 1) as { originalLine?: number; originalColumn?: number };
    if (entry && entry.originalLine !== undefined) {
      l = entry.originalLine + 1;
      c = (entry.originalColumn ?? 0) + 1;
    }
    location ??= { line: l, column: c };
    const frame = line.replace(m[0], `cell:${l}:${c}`).trim();
    if (frames.at(-1) !== frame) frames.push(frame);
  }
  return {
    ename: error.name || 'Error',
    evalue: `${location ? `line ${location.line}, column ${location.column}: ` : ''}${error.message}`,
    traceback: frames,
    location,
  };
}

process.on('SIGINT', () => {
  // Idle or awaiting: nothing synchronous to break; the kernel reports the interrupt.
});

process.on('message', async (message: ContextRequest) => {
  if (message.type === 'result') {
    const pending = calls.get(message.callId);
    calls.delete(message.callId);
    if (message.error) pending?.reject(new Error(message.error));
    else pending?.resolve(message.value);
    return;
  }
  if (message.type !== 'run') return;
  current = { id: message.id, cwd: message.cwd, sourceName: message.sourceName, spans: message.spans, map: new SourceMap(JSON.parse(message.map)) };
  Object.assign(globalThis, { params: message.params });
  try {
    process.chdir(message.cwd);
  } catch {
    // the folder may be gone; the cell still runs
  }
  try {
    const script = new vm.Script(message.script, { filename: message.sourceName });
    const value = await script.runInThisContext({ breakOnSigint: true });
    if (value !== undefined) api.display(value);
    send({ type: 'done', id: message.id, ok: true });
  } catch (error) {
    const interrupted = error instanceof Error && /Script execution was interrupted/.test(error.message);
    send({ type: 'done', id: message.id, ok: false, interrupted, error: interrupted ? undefined : describeError(error) });
  }
});

process.on('unhandledRejection', (reason) =>
  send({ type: 'stream', name: 'stderr', text: `Unhandled promise rejection: ${reason instanceof Error ? reason.stack : format('%o', reason)}\n` }),
);
send({ type: 'ready' });
