/**
 * The kernel host: the one privileged process of an app session. It runs every cell of every open
 * notebook, speaking the kernel link over stdio (NDJSON: `KernelRequest` in, `KernelMessage` out):
 * each of a kernel's output calls goes out as the one message of its name (`kernel_stream`…).
 *
 * It trusts nothing it reads: every line is validated (known operations, size limits), env and
 * cwd are applied here. It exits — stopping everything it runs — on stdin EOF, when the app's
 * process is gone, on a missed heartbeat, on `shutdown_request` and on SIGTERM/SIGINT/SIGHUP.
 * Cancel, timeout and kill are its operations (`kernel_interrupt_request`): only it can signal
 * root's processes.
 *
 * Beside it: `watchdogs.ts` (hello, parent, heartbeat), `kernel-output-sink.ts` (a cell's output
 * calls as messages, within the output budget), `notebook-calls.ts` (TypeScript cells' `cell()`/`run()`).
 */
import { statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { CellErrorData } from '../../common/mime.ts';
import {
  PROTOCOL_VERSION,
  type AuditRecord,
  type ErrorCode,
  type KernelMessage,
  type KernelRequest,
  type RunAs,
  type StopReason,
} from '../../common/protocol.ts';
import type { ExecutionResult } from '../kernels/kernel.ts';
import type { CellExecutor } from '../run/executor.ts';
import { CELL_MARKER_ENV } from '../process/cell-marker.ts';
import type { SessionContainment } from '../process/session-containment.ts';
import { sha256Hex } from './audit-log.ts';
import { kernelOutputSink } from './kernel-output-sink.ts';
import { BadRequest, MAX_REQUEST_LINE_BYTES, parseKernelRequestLine } from './kernel-request-validate.ts';
import { readLines, writeLine } from './ndjson.ts';
import { NotebookCalls } from './notebook-calls.ts';
import { Watchdogs } from './watchdogs.ts';
import { watchReady } from '../process/ready-watch.ts';

type ExecuteRequest = Extract<KernelRequest, { type: 'kernel_execute_request' }>;

export interface KernelHostOptions {
  input: Readable;
  output: Writable;
  sessionId: string;
  /** Runs root cells, and every cell when the invoking user is root. */
  executor: CellExecutor;
  /** Makes the executor of `asUser` cells on first use (a kernel host of its own, as the user). */
  userExecutor?: () => Promise<CellExecutor>;
  /** The invoking user: who `asUser` cells run as (SUDO_UID/PKEXEC_UID or what the client said). */
  user: { uid: number; gid: number };
  containment: SessionContainment;
  /** The app's pid: the host exits when that process is gone (Node cannot set PR_SET_PDEATHSIG). */
  parentPid?: number;
  /** Called once everything is stopped; the entry exits the process here. */
  onExit(code: number, reason: string): void;
  log?(message: string): void;
  /** How long to wait for `kernel_hello` after start (default 30 s). */
  helloTimeoutMs?: number;
}

interface Running {
  controller: AbortController;
  token: string;
  done: Promise<void>;
  /** The cell's grace between the interrupt ladder's steps. */
  graceMs: number;
  /** Aborted by a forced stop (the user stopped a cell already stopping). */
  hurry: AbortController;
  killTimer?: NodeJS.Timeout;
}

const SHUTDOWN_REQUESTED = 'shutdown requested';

export class KernelHost {
  readonly #o: KernelHostOptions;
  readonly #running = new Map<string, Running>();
  readonly #calls = new NotebookCalls((message) => this.#send(message));
  readonly #watchdogs = new Watchdogs((reason, code) => void this.shutdown(reason, code));
  readonly #runAs: RunAs = process.geteuid?.() === 0 ? 'root' : 'user';
  #userExecutor: Promise<CellExecutor> | undefined;
  #hello = false;
  #stopping: Promise<void> | undefined;
  #next = 0;

  constructor(options: KernelHostOptions) {
    this.#o = options;
  }

  /** Starts reading requests and watching the parent. */
  start(): void {
    readLines(this.#o.input, MAX_REQUEST_LINE_BYTES, {
      line: (line) => this.#onLine(line),
      oversize: (bytes) => this.#error(undefined, 'bad_message', `request of ${bytes} bytes exceeds the ${MAX_REQUEST_LINE_BYTES}-byte limit; dropped`),
      end: () => void this.shutdown('stdin closed (the app is gone)', 0),
    });
    this.#watchdogs.helloWithin(this.#o.helloTimeoutMs ?? 30_000, () => this.#hello);
    if (this.#o.parentPid) this.#watchdogs.parent(this.#o.parentPid);
  }

  /** Stops every cell, kills what is left of them, releases the kernels, then calls `onExit`. */
  shutdown(reason: string, code: number): Promise<void> {
    this.#stopping ??= (async () => {
      // A requested shutdown is the normal end of a session: nothing to tell.
      if (reason !== SHUTDOWN_REQUESTED) this.#log(`exiting: ${reason}`);
      this.#watchdogs.stop();
      for (const running of this.#running.values()) running.controller.abort('interrupt');
      // No grace here: nobody waits for a stopped cell's output, and nothing may outlive us.
      await this.#o.containment.killAll().catch((e: Error) => this.#log(`cleanup: ${e.message}`));
      const executors = [this.#o.executor.dispose(), this.#userExecutor?.then((e) => e.dispose())];
      await Promise.race([Promise.allSettled(executors), new Promise((r) => setTimeout(r, 2000))]);
      this.#o.onExit(code, reason);
    })();
    return this.#stopping;
  }

  #onLine(line: string): void {
    if (this.#stopping) return;
    let request: KernelRequest;
    try {
      request = parseKernelRequestLine(line);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      this.#error(error.requestId, 'bad_message', error.message);
      return;
    }
    if (!this.#hello && request.type !== 'kernel_hello') {
      this.#error('requestId' in request ? request.requestId : undefined, 'bad_message', `${request.type} before kernel_hello`);
      return;
    }
    switch (request.type) {
      case 'kernel_hello':
        this.#onHello(request);
        return;
      case 'heartbeat':
        this.#watchdogs.beat();
        this.#send({ type: 'heartbeat_ack', seq: request.seq });
        return;
      case 'kernel_execute_request':
        if (this.#running.has(request.requestId)) {
          this.#error(request.requestId, 'bad_message', `an execution with requestId "${request.requestId}" is already running`);
          return;
        }
        this.#execute(request);
        return;
      case 'kernel_interrupt_request':
        this.#interrupt(request.requestId, request.targetRequestId, request.reason ?? 'interrupt', request.force === true);
        return;
      case 'kernel_notebook_result':
        this.#calls.answer(request);
        return;
      case 'kernel_reset_request':
        void Promise.allSettled([this.#o.executor.reset(request.notebookKey), this.#userExecutor?.then((e) => e.reset(request.notebookKey))]).then(() =>
          this.#send({ type: 'kernel_ack', requestId: request.requestId }),
        );
        return;
      case 'shutdown_request':
        this.#send({ type: 'kernel_ack', requestId: request.requestId });
        void this.shutdown(SHUTDOWN_REQUESTED, 0);
        return;
    }
  }

  #onHello(request: Extract<KernelRequest, { type: 'kernel_hello' }>): void {
    if (this.#hello) {
      this.#error(undefined, 'bad_message', 'kernel_hello was already received');
      return;
    }
    if (request.protocolVersion !== PROTOCOL_VERSION) {
      this.#error(
        undefined,
        'version_mismatch',
        `the kernel host speaks protocol ${PROTOCOL_VERSION}, the app ${request.protocolVersion}: install matching versions`,
      );
      void this.shutdown('protocol version mismatch', 1);
      return;
    }
    this.#hello = true;
    this.#watchdogs.heartbeats(request.heartbeatMs);
    this.#send({
      type: 'kernel_welcome',
      protocolVersion: PROTOCOL_VERSION,
      sessionId: this.#o.sessionId,
      pid: process.pid,
      runAs: this.#runAs,
      userUid: this.#o.user.uid,
      containment: this.#o.containment.mode,
    });
    // Shell cells are most cells: their kernel (and its first warm shell) starts now, while the
    // client gets ready, not when the first cell waits for it.
    this.#o.executor.prepare?.('shell');
  }

  #interrupt(requestId: string, target: string, reason: StopReason, force: boolean): void {
    const running = this.#running.get(target);
    if (running && force && running.controller.signal.aborted) {
      // Stopped again while stopping: no more graces; what the ladder leaves alive is killed soon after.
      this.#killAfterLadder(running, 200);
      running.hurry.abort(reason);
    } else if (running) this.#stop(running, reason);
    // Acked either way: a cell that already ended is stopped.
    this.#send({ type: 'kernel_ack', requestId });
  }

  /** Aborts a cell (its kernel runs the SIGINT → SIGTERM → SIGKILL ladder), then kills what is left. */
  #stop(running: Running, reason: string): void {
    if (running.controller.signal.aborted) return;
    // The ladder takes at most two graces; past that, the cell's cgroup (or marker) is killed whole.
    // Set before the abort: a kernel that needs a longer grace says so while it handles the abort.
    this.#killAfterLadder(running, running.graceMs);
    running.controller.abort(reason);
  }

  #killAfterLadder(running: Running, graceMs: number): void {
    clearTimeout(running.killTimer);
    running.killTimer = setTimeout(() => void this.#o.containment.killCell(running.token), 2 * graceMs + 1000);
  }

  #execute(request: ExecuteRequest): void {
    const controller = new AbortController();
    const token = `${this.#o.sessionId}.${++this.#next}`;
    const running: Running = { controller, token, done: Promise.resolve(), graceMs: request.graceMs ?? 3000, hurry: new AbortController() };
    this.#running.set(request.requestId, running);
    running.done = this.#run(request, running)
      .catch((error: Error) => this.#error(request.requestId, 'internal', `kernel host: ${error.message}`))
      .finally(() => {
        clearTimeout(running.killTimer);
        this.#running.delete(request.requestId);
      });
  }

  async #run(request: ExecuteRequest, running: Running): Promise<void> {
    const { requestId, notebookKey, cellId } = request;
    const startedAt = Date.now();
    const asUser = request.asUser === true && this.#o.user.uid !== process.geteuid?.();
    const runAs: RunAs = asUser ? 'user' : this.#runAs;
    const grace = request.graceMs ?? 3000;
    this.#send({ type: 'kernel_state', requestId, state: 'running', at: startedAt, runAs });

    let result: ExecutionResult;
    const sink = kernelOutputSink(requestId, this.#o.output, (message) => this.#send(message), request.streamLimitBytes);
    const cwdProblem = checkCwd(request.cwd);
    if (cwdProblem) {
      const error: CellErrorData = { ename: 'WorkingDirectoryError', evalue: `Cell ${cellId}: ${cwdProblem}`, traceback: [] };
      sink.error(error);
      result = { status: 'failed', stopped: false, error, durationMs: 0, exitCode: null, exitSignal: null };
    } else {
      this.#o.containment.createCell(running.token);
      let timer: NodeJS.Timeout | undefined;
      const backstop = () => {
        // A backstop: the client stops the cell at its timeout; this holds if the client never does.
        clearTimeout(timer);
        if (request.timeoutMs !== undefined) timer = setTimeout(() => this.#stop(running, 'timeout'), request.timeoutMs + grace + 1000);
      };
      backstop();
      const onReady = () => this.#send({ type: 'kernel_state', requestId, state: 'ready', at: Date.now(), runAs });
      // A root cell's port and file are watched here, where its cgroup is known; a user cell's by the user's host.
      const watch = request.ready && !asUser ? watchReady(request.ready, () => this.#o.containment.cellPids(running.token), onReady) : undefined;
      const stream = sink.stream.bind(sink);
      if (watch)
        sink.stream = (name, text) => {
          stream(name, text);
          watch.poke(); // a server often says it listens just after it bound: check now
        };
      try {
        const executor = asUser ? await this.#user() : this.#o.executor;
        result = await executor.execute({
          notebookKey,
          notebookPath: request.notebookPath,
          cellId,
          language: request.language,
          code: request.code,
          cwd: request.cwd,
          // The marker lets the host find every process of this cell, even one that left its group
          // (the user's own kernel host marks user cells itself).
          env: asUser ? request.env : { ...request.env, [CELL_MARKER_ENV]: running.token },
          args: request.args,
          unsafe: request.unsafe,
          graceMs: grace,
          hurry: running.hurry.signal,
          onTracing: () => {
            backstop(); // the timeout counts from here now
            this.#send({ type: 'kernel_state', requestId, state: 'tracing', at: Date.now(), runAs });
          },
          onStopGrace: (ms) => this.#killAfterLadder(running, ms),
          signal: running.controller.signal,
          sink,
          onSpawn: (pid) => this.#o.containment.adopt(running.token, pid),
          notebook: this.#calls.accessFor(requestId),
          ...(request.ready && asUser ? { ready: request.ready, onReady } : {}),
        });
      } catch (cause) {
        // The kernel itself broke (could not load, user host failed to start): the cell fails saying so.
        const error: CellErrorData = { ename: 'KernelError', evalue: `Cell ${cellId} (${request.language}): ${(cause as Error).message}`, traceback: [] };
        sink.error(error);
        result = { status: 'failed', stopped: false, error, durationMs: Date.now() - startedAt, exitCode: null, exitSignal: null };
      } finally {
        clearTimeout(timer);
        watch?.stop();
      }
      this.#calls.endFor(requestId);
      // Nothing of a stopped cell survives it: whatever left its process group dies with its cgroup.
      if (result.stopped) await this.#o.containment.killCell(running.token);
      this.#o.containment.release(running.token);
    }

    const dropped = sink.flush();
    // Recorded before the end is reported: whoever sees the cell end finds it in the audit log.
    const record: AuditRecord = {
      time: new Date(startedAt).toISOString(),
      notebookPath: request.notebookPath,
      cellId,
      language: request.language,
      codeSha256: sha256Hex(request.code),
      runAs,
      uid: asUser ? this.#o.user.uid : (process.geteuid?.() ?? -1),
      invokedByUid: this.#o.user.uid,
      status: result.status,
      exitCode: result.exitCode ?? null,
      exitSignal: result.exitSignal ?? null,
      durationMs: result.durationMs,
    };
    this.#send({ type: 'kernel_audit', record });
    this.#send({
      type: 'kernel_ended',
      requestId,
      status: result.status,
      stopped: result.stopped,
      durationMs: result.durationMs,
      ...(result.error ? { error: result.error } : {}),
      exitCode: result.exitCode ?? null,
      exitSignal: result.exitSignal ?? null,
      ...(dropped ? { dropped } : {}),
    });
  }

  #user(): Promise<CellExecutor> {
    if (!this.#o.userExecutor) throw new Error('this kernel host cannot run cells as the invoking user');
    this.#userExecutor ??= this.#o.userExecutor();
    this.#userExecutor.catch(() => (this.#userExecutor = undefined));
    return this.#userExecutor;
  }

  #send(message: KernelMessage): void {
    writeLine(this.#o.output, message);
  }

  #error(requestId: string | undefined, code: ErrorCode, message: string): void {
    this.#send({ type: 'error', ...(requestId !== undefined ? { requestId } : {}), code, message });
  }

  #log(message: string): void {
    (this.#o.log ?? ((m: string) => process.stderr.write(`probebook kernel host: ${m}\n`)))(message);
  }
}

function checkCwd(cwd: string): string | null {
  try {
    if (!statSync(cwd).isDirectory()) return `the working directory ${cwd} is not a directory`;
    return null;
  } catch (error) {
    return `the working directory ${cwd} cannot be used (${(error as NodeJS.ErrnoException).code}); save the notebook in an existing folder`;
  }
}
