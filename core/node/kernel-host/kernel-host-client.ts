/**
 * The runner's side of the kernel host: a {@link CellExecutor} that runs each cell in the
 * privileged kernel host over stdio, exactly as `LocalExecutor` runs it in-process. The host's
 * output messages are replayed into the cell's sink, one call each; interrupts, timeouts and the
 * end of a run become `kernel_interrupt_request`s; the host's audit records are written here, by
 * the user, into the user's state directory.
 *
 * @example
 * ```ts
 * const executor = await KernelHostClient.start(); // one authentication for the session
 * const runner = new NotebookRunner({ notebook, notebookPath, notebookKey, executor });
 * await runner.run({ runAll: true });
 * await executor.dispose();
 * ```
 */
import { randomUUID } from 'node:crypto';
import type { CellErrorData } from '../../common/mime.ts';
import { isStopReason, MAX_MESSAGE_BYTES, type AuditRecord, type KernelMessage, type KernelRequest, type RunAs } from '../../common/protocol.ts';
import type { JsonObject } from '../../common/notebook/model.ts';
import type { ExecutionResult, NotebookAccess, OutputSink } from '../kernels/kernel.ts';
import type { CellExecutor } from '../run/executor.ts';
import { AuditLog } from './audit-log.ts';
import { startKernelHost, type ElevationMethod, type StartKernelHostOptions } from './elevation.ts';
import type { KernelHostConnection, KernelHostExit, KernelWelcome } from './kernel-host-connection.ts';

export interface KernelHostClientOptions extends StartKernelHostOptions {
  /** Where audit records go (default: appended to the user's audit log). */
  onAudit?: (record: AuditRecord) => void;
}

interface PendingExecution {
  sink: OutputSink;
  /** Answers the cell's `cell()`/`run()` calls (absent: they fail saying so). */
  notebook?: NotebookAccess;
  /** The kernel's cell began its real work (bpftrace attached its probes). */
  onTracing?: () => void;
  /** The execution's `ready` holds (its port, its file). */
  onReady?: () => void;
  resolve(result: ExecutionResult): void;
  reject(error: Error): void;
}

export class KernelHostClient implements CellExecutor {
  readonly runAs: RunAs;
  readonly method: ElevationMethod;
  readonly welcome: KernelWelcome;
  readonly connection: KernelHostConnection;
  readonly #executions = new Map<string, PendingExecution>();
  readonly #acks = new Map<string, { resolve(): void; reject(error: Error): void }>();
  readonly #onAudit: (record: AuditRecord) => void;
  #exit: KernelHostExit | undefined;

  /** Starts the kernel host (elevating once) and connects to it. Rejects with an `ElevationError`. */
  static async start(options: KernelHostClientOptions = {}): Promise<KernelHostClient> {
    const started = await startKernelHost(options);
    return new KernelHostClient(started.connection, started.method, started.welcome, options.onAudit);
  }

  constructor(connection: KernelHostConnection, method: ElevationMethod, welcome: KernelWelcome, onAudit?: (record: AuditRecord) => void) {
    this.connection = connection;
    this.method = method;
    this.welcome = welcome;
    this.runAs = welcome.runAs;
    let log: AuditLog | undefined;
    this.#onAudit =
      onAudit ??
      ((record) => {
        try {
          (log ??= new AuditLog()).append(record);
        } catch (error) {
          process.stderr.write(
            `probebook: could not write the audit log (${(error as Error).message}); cell ${record.cellId} ran as ${record.runAs} unrecorded.\n`,
          );
        }
      });
    connection.onMessage((message) => this.#onMessage(message));
    void connection.exited.then((exit) => this.#onExit(exit));
  }

  /** Who a cell runs as: `user` cells run as the invoking user unless that user is root. */
  runAsFor(asUser: boolean | undefined): RunAs {
    return asUser && this.welcome.userUid !== 0 ? 'user' : this.runAs;
  }

  /** Whether the kernel host is gone; cells can no longer run through this client. */
  get closed(): boolean {
    return this.#exit !== undefined;
  }

  execute(request: Parameters<CellExecutor['execute']>[0]): Promise<ExecutionResult> {
    if (this.#exit) return Promise.reject(new Error(this.#exitMessage(this.#exit)));
    if (request.signal.aborted) return Promise.resolve({ status: 'interrupted', stopped: true, durationMs: 0 });
    const requestId = randomUUID();
    return new Promise<ExecutionResult>((resolve, reject) => {
      const onAbort = () => {
        const reason = isStopReason(request.signal.reason) ? request.signal.reason : 'interrupt';
        this.connection.send({ type: 'kernel_interrupt_request', requestId: randomUUID(), targetRequestId: requestId, reason });
      };
      // A second stop while it stops: the host's ladder goes on at once.
      const onHurry = () =>
        this.connection.send({ type: 'kernel_interrupt_request', requestId: randomUUID(), targetRequestId: requestId, reason: 'interrupt', force: true });
      const cleanup = () => {
        request.signal.removeEventListener('abort', onAbort);
        request.hurry?.removeEventListener('abort', onHurry);
      };
      this.#executions.set(requestId, {
        sink: request.sink,
        notebook: request.notebook,
        onTracing: request.onTracing,
        onReady: request.ready ? request.onReady : undefined,
        resolve: (r) => (cleanup(), resolve(r)),
        reject: (e) => (cleanup(), reject(e)),
      });
      request.signal.addEventListener('abort', onAbort, { once: true });
      request.hurry?.addEventListener('abort', onHurry, { once: true });
      this.connection.send({
        type: 'kernel_execute_request',
        requestId,
        notebookKey: request.notebookKey,
        notebookPath: request.notebookPath ?? null,
        cellId: request.cellId,
        language: request.language,
        code: request.code,
        cwd: request.cwd,
        env: request.env,
        args: request.args,
        ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
        ...(request.unsafe !== undefined ? { unsafe: request.unsafe } : {}),
        ...(request.asUser !== undefined ? { asUser: request.asUser } : {}),
        ...(request.graceMs !== undefined ? { graceMs: request.graceMs } : {}),
        ...(request.streamLimitBytes !== undefined ? { streamLimitBytes: request.streamLimitBytes } : {}),
        ...(request.ready ? { ready: request.ready } : {}),
      });
    });
  }

  reset(notebookKey: string): Promise<void> {
    return this.#request((requestId) => ({ type: 'kernel_reset_request', requestId, notebookKey }));
  }

  /** Ends the session: the host stops every cell and exits. */
  async dispose(): Promise<void> {
    if (!this.#exit) await this.connection.close();
  }

  #request(make: (requestId: string) => Parameters<KernelHostConnection['send']>[0]): Promise<void> {
    if (this.#exit) return Promise.reject(new Error(this.#exitMessage(this.#exit)));
    const requestId = randomUUID();
    return new Promise<void>((resolve, reject) => {
      this.#acks.set(requestId, { resolve, reject });
      this.connection.send(make(requestId));
    });
  }

  #onMessage(message: KernelMessage): void {
    switch (message.type) {
      case 'kernel_state':
        if (message.state === 'tracing') this.#executions.get(message.requestId)?.onTracing?.();
        else if (message.state === 'ready') this.#executions.get(message.requestId)?.onReady?.();
        return;
      // Each output message is the one sink call of its name, replayed as it was made.
      case 'kernel_stream':
        this.#executions.get(message.requestId)?.sink.stream(message.name, message.text);
        return;
      case 'kernel_bytes': {
        const sink = this.#executions.get(message.requestId)?.sink;
        if (typeof message.base64 !== 'string') return;
        const data = Buffer.from(message.base64, 'base64');
        if (sink?.bytes) sink.bytes('stdout', data);
        else sink?.stream('stdout', data.toString('utf8'));
        return;
      }
      case 'kernel_display':
        this.#executions.get(message.requestId)?.sink.display(message.items, message.displayId !== undefined ? { displayId: message.displayId } : undefined);
        return;
      case 'kernel_update':
        this.#executions.get(message.requestId)?.sink.update(message.displayId, message.items);
        return;
      case 'kernel_clear':
        this.#executions.get(message.requestId)?.sink.clear();
        return;
      case 'kernel_error':
        this.#executions.get(message.requestId)?.sink.error(message.error);
        return;
      case 'kernel_ended': {
        const pending = this.#executions.get(message.requestId);
        if (!pending) return;
        this.#executions.delete(message.requestId);
        for (const name of ['stdout', 'stderr'] as const) {
          const count = message.dropped?.[name];
          if (count) pending.sink.dropped?.(name, count);
        }
        const result: ExecutionResult = {
          status: message.status,
          stopped: message.stopped,
          durationMs: message.durationMs,
          exitCode: message.exitCode,
          exitSignal: message.exitSignal,
        };
        if (message.error) result.error = message.error;
        pending.resolve(result);
        return;
      }
      case 'kernel_audit':
        this.#onAudit(message.record);
        return;
      case 'kernel_notebook_call':
        void this.#answer(message);
        return;
      case 'kernel_ack': {
        const ack = this.#acks.get(message.requestId);
        this.#acks.delete(message.requestId);
        ack?.resolve();
        return;
      }
      case 'error': {
        const id = message.requestId;
        const pending = id !== undefined ? this.#executions.get(id) : undefined;
        if (pending && id !== undefined) {
          // The host refused the request (e.g. a forbidden env name): the cell fails and says why.
          this.#executions.delete(id);
          const error: CellErrorData = { ename: 'KernelHostError', evalue: message.message, traceback: [] };
          pending.sink.error(error);
          pending.resolve({ status: 'failed', stopped: false, error, durationMs: 0 });
          return;
        }
        const ack = id !== undefined ? this.#acks.get(id) : undefined;
        if (ack && id !== undefined) {
          this.#acks.delete(id);
          ack.reject(new Error(message.message));
          return;
        }
        process.stderr.write(`probebook kernel host: ${message.message}\n`);
        return;
      }
      case 'kernel_welcome':
      case 'heartbeat_ack':
        return; // the connection's handshake and heartbeat
    }
  }

  /** Runs a TypeScript cell's `cell()`/`run()` against the notebook here, and sends back the result. */
  async #answer(call: Extract<KernelMessage, { type: 'kernel_notebook_call' }>): Promise<void> {
    const pending = this.#executions.get(call.requestId);
    let reply: Extract<KernelRequest, { type: 'kernel_notebook_result' }>;
    try {
      if (!pending) throw new Error('the cell that asked has ended');
      if (!pending.notebook) throw new Error(`${call.method}() needs the notebook, which this way of running cells does not provide.`);
      if (typeof call.name !== 'string') throw new Error(`${call.method}() needs a cell name`);
      const snapshot = call.method === 'run' ? await pending.notebook.runCell(call.name, call.params ?? {}) : await pending.notebook.cellOutputs(call.name);
      reply = { type: 'kernel_notebook_result', callId: call.callId, value: snapshot as unknown as JsonObject };
      const bytes = Buffer.byteLength(JSON.stringify(reply));
      if (bytes > MAX_MESSAGE_BYTES - 1024) {
        const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
        throw new Error(
          `the outputs of cell "${call.name}" are ${mib(bytes)}, more than the ${mib(MAX_MESSAGE_BYTES)} a cell can pass to another; have it write a file and read that instead`,
        );
      }
    } catch (error) {
      reply = { type: 'kernel_notebook_result', callId: call.callId, error: (error as Error).message.slice(0, 4000) };
    }
    if (!this.#exit) this.connection.send(reply);
  }

  #onExit(exit: KernelHostExit): void {
    this.#exit = exit;
    const error = new Error(this.#exitMessage(exit));
    for (const pending of this.#executions.values()) pending.reject(error);
    for (const ack of this.#acks.values()) ack.reject(error);
    this.#executions.clear();
    this.#acks.clear();
  }

  #exitMessage(exit: KernelHostExit): string {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
    const why = exit.stderr.trim().split('\n').slice(-2).join(' / ');
    return `The kernel host ${how}${why ? ` (${why})` : ''}; restart the session to run cells again.`;
  }
}
