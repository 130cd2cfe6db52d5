/**
 * One `execute_request` as the page that sent it sees it: its own stream of `execution_state`,
 * `output` and `execution_ended` messages, which ends when every cell it ran has ended (like
 * JupyterLab's kernel future, which is done when both its reply and its final status arrived).
 */
import type { HostMessage } from '../../core/common/protocol.ts';

export type ExecutionMessage = Extract<HostMessage, { type: 'execution_state' | 'output' | 'execution_ended' }>;
export type ExecutionEnded = Extract<HostMessage, { type: 'execution_ended' }>;

export interface ExecutionSummary {
  /** Every cell that ended, in the order they ended. */
  cells: ExecutionEnded[];
  /** Every cell succeeded. */
  ok: boolean;
}

export class ExecutionFuture {
  readonly requestId: string;
  /** Resolves when every cell of the request has ended; rejects when the host refused it or the link broke. */
  readonly done: Promise<ExecutionSummary>;
  private readonly listeners = new Set<(message: ExecutionMessage) => void>();
  /** Cells still to end; null until known (a Run All learns them from `queued` states). */
  private readonly waiting: Set<string>;
  private readonly ended: ExecutionEnded[] = [];
  private settled = false;
  private resolve!: (summary: ExecutionSummary) => void;
  private reject!: (error: Error) => void;

  constructor(requestId: string, cellIds: readonly string[]) {
    this.requestId = requestId;
    this.waiting = new Set(cellIds);
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A caller that only listens must not get an unhandled rejection.
    this.done.catch(() => undefined);
  }

  get isDone(): boolean {
    return this.settled;
  }

  /** Listens to this request's messages; returns the unsubscribe function. */
  onMessage(listener: (message: ExecutionMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @internal The connection routes the request's messages here. Returns true when the stream ended. */
  deliver(message: ExecutionMessage): boolean {
    if (this.settled) return true; // nothing for the request follows its end
    if (message.type === 'execution_state' && message.state === 'queued') this.waiting.add(message.cellId);
    for (const l of this.listeners) l(message);
    if (message.type === 'execution_ended') {
      this.ended.push(message);
      this.waiting.delete(message.cellId);
      if (this.waiting.size === 0) {
        this.settled = true;
        this.listeners.clear();
        this.resolve({ cells: this.ended, ok: this.ended.every((e) => e.success) });
        return true;
      }
    }
    return false;
  }

  /** @internal The host refused the request, or the connection was lost. */
  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.listeners.clear();
    this.reject(error);
  }
}
