/**
 * TypeScript cells: one context per notebook, in a Node process of its own (see
 * typescript/context-main.ts). Cells of one notebook run one after another in it; `reset`
 * (restart) ends the process, so the next cell starts clean. Interrupt sends SIGINT, which breaks
 * synchronous code such as `while (true) {}`; a context that does not answer within
 * {@link KILL_AFTER_MS} is killed and restarted, and the cell says so.
 */
import { execa, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellErrorData } from '../../common/mime.ts';
import { invokingUser } from '../kernel-host/elevation.ts';
import { signalGroup } from '../process/process-group.ts';
import type { ContextReply, ContextRequest } from './typescript/context-protocol.ts';
import { CellSyntaxError, transformCell } from './typescript/transform.ts';
import type { ExecutionRequest, ExecutionResult, Kernel } from './kernel.ts';

/** How long an interrupted context may take to stop before it is killed. */
const KILL_AFTER_MS = 500;

interface Context {
  process: ResultPromise;
  ready: Promise<void>;
  listeners: Set<(m: ContextReply) => void>;
  exited: Promise<void>;
  /** Cells of a notebook run one at a time in its context. */
  queue: Promise<unknown>;
  dead: boolean;
}

/** The context entry: the bundle next to this one, or the source under tsx (tests, development). */
function contextEntry(): { args: string[] } {
  const here = dirname(fileURLToPath(import.meta.url));
  if (import.meta.url.endsWith('.ts')) return { args: ['--import', import.meta.resolve('tsx'), join(here, 'typescript/context-main.ts')] };
  for (const candidate of [join(here, 'ts-context.js'), join(here, '../ts-context.js')]) {
    if (existsSync(candidate)) return { args: [candidate] };
  }
  throw new Error('The TypeScript context bundle (dist/node/ts-context.js) is missing: run npm run build.');
}

export interface TypeScriptKernelOptions {
  /**
   * The user Probebook runs for (the kernel host's `user.uid`; default: SUDO_UID/PKEXEC_UID, or
   * this process's uid). A context running as root loads only modules of root or this user.
   */
  invokingUid?: number;
}

export class TypeScriptKernel implements Kernel {
  readonly language = 'typescript' as const;
  readonly #contexts = new Map<string, Context>();
  readonly #invokingUid: number;
  #count = 0;

  constructor(options: TypeScriptKernelOptions = {}) {
    this.#invokingUid = options.invokingUid ?? invokingUser().uid;
  }

  async execute(request: ExecutionRequest): Promise<ExecutionResult> {
    const started = Date.now();
    const fail = (error: CellErrorData): ExecutionResult => {
      request.sink.error(error);
      return { status: 'failed', stopped: false, error, durationMs: Date.now() - started };
    };
    const sourceName = `cell-${++this.#count}.ts`;
    let transformed: Awaited<ReturnType<typeof transformCell>>;
    try {
      transformed = await transformCell(request.code, sourceName);
    } catch (error) {
      if (error instanceof CellSyntaxError) return fail(error.data);
      throw error;
    }
    let context = this.#contexts.get(request.notebookKey);
    if (!context || context.dead) {
      context = this.#start(request);
      this.#contexts.set(request.notebookKey, context);
    }
    const ctx = context;
    const run = ctx.queue.then(() => this.#run(ctx, request, transformed, sourceName, started));
    ctx.queue = run.catch(() => undefined);
    return run;
  }

  async #run(
    ctx: Context,
    request: ExecutionRequest,
    transformed: Awaited<ReturnType<typeof transformCell>>,
    sourceName: string,
    started: number,
  ): Promise<ExecutionResult> {
    await ctx.ready;
    if (ctx.dead) {
      const error = { ename: 'ContextError', evalue: 'The TypeScript context stopped before the cell could run; run it again.', traceback: [] };
      request.sink.error(error);
      return { status: 'failed', stopped: false, error, durationMs: Date.now() - started };
    }
    const id = `${Date.now()}-${Math.random()}`;
    return new Promise<ExecutionResult>((resolve) => {
      let stopped = false;
      let killTimer: NodeJS.Timeout | undefined;
      const finish = (result: ExecutionResult) => {
        ctx.listeners.delete(listener);
        request.signal.removeEventListener('abort', onAbort);
        clearTimeout(killTimer);
        resolve(result);
      };
      const listener = (m: ContextReply) => {
        if (m.type === 'stream') request.sink.stream(m.name, m.text);
        else if (m.type === 'display' && m.update && m.displayId !== undefined) request.sink.update(m.displayId, m.items as never);
        else if (m.type === 'display') request.sink.display(m.items as never, { displayId: m.displayId });
        else if (m.type === 'call') void this.#answer(ctx, request, m);
        else if (m.type === 'done' && m.id === id) {
          if (m.ok) return finish({ status: 'ok', stopped, durationMs: Date.now() - started });
          if (m.interrupted || stopped) return finish({ status: 'interrupted', stopped: true, durationMs: Date.now() - started });
          const error = m.error ?? { ename: 'Error', evalue: 'the cell failed', traceback: [] };
          request.sink.error(error);
          finish({ status: 'failed', stopped: false, error, durationMs: Date.now() - started });
        }
      };
      const onAbort = () => {
        stopped = true;
        if (ctx.process.pid) signalGroup(ctx.process.pid, 'SIGINT');
        killTimer = setTimeout(() => {
          // Still busy (a loop after an await, a blocked native call): end the context.
          this.#kill(ctx);
          request.sink.stream('stderr', '[probebook: the cell did not stop, so its TypeScript context was restarted: variables from earlier cells are gone]\n');
          finish({ status: 'interrupted', stopped: true, durationMs: Date.now() - started });
        }, KILL_AFTER_MS);
      };
      ctx.listeners.add(listener);
      void ctx.exited.then(() => {
        if (!ctx.listeners.has(listener)) return;
        const error = {
          ename: 'ContextError',
          evalue: 'The TypeScript context process ended during the cell (out of memory, or process.exit in the cell); its variables are gone.',
          traceback: [],
        };
        if (stopped) return finish({ status: 'interrupted', stopped: true, durationMs: Date.now() - started });
        request.sink.error(error);
        finish({ status: 'failed', stopped: false, error, durationMs: Date.now() - started });
      });
      if (request.signal.aborted) onAbort();
      else request.signal.addEventListener('abort', onAbort, { once: true });
      const message: ContextRequest = {
        type: 'run',
        id,
        script: transformed.script,
        sourceName: sourceName.replace(/\.ts$/, '.js'),
        spans: transformed.spans,
        map: transformed.map,
        cwd: request.cwd,
        params: request.env,
      };
      ctx.process.send(message);
    });
  }

  async #answer(ctx: Context, request: ExecutionRequest, m: Extract<ContextReply, { type: 'call' }>): Promise<void> {
    let reply: ContextRequest;
    try {
      if (!request.notebook) throw new Error(`${m.method}() needs the notebook, which this way of running cells does not provide.`);
      const [name, params] = m.args as [string, Record<string, string>];
      const value = m.method === 'cell' ? await request.notebook.cellOutputs(name) : await request.notebook.runCell(name, params ?? {});
      reply = { type: 'result', callId: m.callId, value };
    } catch (error) {
      reply = { type: 'result', callId: m.callId, error: (error as Error).message };
    }
    if (!ctx.dead) ctx.process.send(reply);
  }

  #start(request: ExecutionRequest): Context {
    const { args } = contextEntry();
    const child = execa(process.execPath, [...args, '--invoking-uid', String(this.#invokingUid)], {
      cwd: request.cwd,
      detached: true, // its own process group: an interrupt reaches only this notebook's context
      ipc: true,
      serialization: 'advanced',
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      cleanup: true,
      env: { ...request.env, PROBEBOOK: '1' },
    });
    if (child.pid) request.onSpawn?.(child.pid);
    const listeners = new Set<(m: ContextReply) => void>();
    let markReady!: () => void;
    const ready = new Promise<void>((r) => (markReady = r));
    const ctx: Context = { process: child, ready, listeners, exited: Promise.resolve(), queue: Promise.resolve(), dead: false };
    // Output a cell writes with process.stdout directly (not console) still reaches it.
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]?.on('data', (text: string) => {
        for (const l of listeners) l({ type: 'stream', name, text });
      });
    }
    child.on('message', (m: ContextReply) => {
      if (m.type === 'ready') markReady();
      else for (const l of listeners) l(m);
    });
    ctx.exited = new Promise<void>((resolve) => child.once('exit', () => resolve())).then(() => {
      ctx.dead = true;
      markReady();
    });
    child.catch(() => undefined);
    return ctx;
  }

  #kill(ctx: Context): void {
    ctx.dead = true;
    if (ctx.process.pid) signalGroup(ctx.process.pid, 'SIGKILL');
  }

  async reset(notebookKey: string): Promise<void> {
    const ctx = this.#contexts.get(notebookKey);
    this.#contexts.delete(notebookKey);
    if (ctx) {
      this.#kill(ctx);
      await ctx.exited;
    }
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.#contexts.keys()].map((k) => this.reset(k)));
  }
}
