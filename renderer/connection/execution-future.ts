/**
 * One `execute_request` as the page that sent it sees it: its own stream of `execution_state`,
 * `output` and `execution_ended` messages, ended by the host's one `execute_reply` (like
 * JupyterLab's kernel future, done once its reply and its final status arrived: here the reply
 * comes after the last cell's end).
 */
import type { HostMessage, RunSummary } from '../../core/common/protocol.ts';

export type ExecutionMessage = Extract<HostMessage, { type: 'execution_state' | 'output' | 'execution_ended' }>;
type ExecuteReply = Extract<HostMessage, { type: 'execute_reply' }>;

export class ExecutionFuture {
  readonly requestId: string;
  /** Resolves with the run's summary when its `execute_reply` arrives; rejects when the host refused the request or the link broke. */
  readonly done: Promise<RunSummary>;
  private readonly listeners = new Set<(message: ExecutionMessage) => void>();
  private settled = false;
  private resolve!: (summary: RunSummary) => void;
  private reject!: (error: Error) => void;

  constructor(requestId: string) {
    this.requestId = requestId;
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

  /** @internal The connection routes the request's messages here. Returns true when the request ended. */
  deliver(message: ExecutionMessage | ExecuteReply): boolean {
    if (this.settled) return true; // nothing for the request follows its end
    if (message.type === 'execute_reply') {
      this.settled = true;
      this.listeners.clear();
      this.resolve(message.summary);
      return true;
    }
    for (const l of this.listeners) l(message);
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
