/**
 * The page's one link to the session host. Renderer code reaches the host only through it:
 * typed `send` for fire-and-forget messages, `request` for messages with a reply (matched by
 * `requestId`), `execute` for runs (an {@link ExecutionFuture} per request), and `on` for
 * everything the host broadcasts. It reconnects with backoff when the link breaks and then tells
 * its `reconnected` listeners, which re-open their notebooks and take the fresh snapshot.
 *
 * @example
 * const connection = new HostConnection(() => new WebSocketTransport(webSocketUrl(location.href)), { client: 'browser' });
 * const welcome = await connection.start();
 * const { snapshot } = await connection.request({ type: 'open_notebook', path: 'lab.ipynb' });
 * const run = connection.execute({ notebookId: snapshot.notebookId, cellIds: [snapshot.notebook.cells[0]!.id] });
 * run.onMessage((m) => m.type === 'output' && console.log(m.edit));
 * const summary = await run.done; // on the host's execute_reply
 */
import { PROTOCOL_VERSION, REPLY_TYPES, type ClientMessage, type ErrorCode, type HostMessage, type HostMessageType } from '../../core/common/protocol.ts';
import { ExecutionFuture } from './execution-future.ts';
import type { Transport, TransportFactory } from './transport.ts';

export type Welcome = Extract<HostMessage, { type: 'welcome' }>;
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed';

type Replies = typeof REPLY_TYPES;
/** Requests answered by one reply (`execute_request` has its own {@link HostConnection.execute}; the rest use `send`). */
export type RequestType = Exclude<keyof Replies, 'execute_request'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A request as callers write it: the connection adds the `requestId`. */
export type RequestOf<T extends RequestType> = DistributiveOmit<Extract<ClientMessage, { type: T }>, 'requestId'>;
export type ReplyOf<T extends RequestType> = Extract<HostMessage, { type: Replies[T] }>;
type SendType = Exclude<Extract<ClientMessage, { requestId: string }>['type'], RequestType | 'execute_request'>;

/** The host answered a request with an `error`. */
export class HostRequestError extends Error {
  override name = 'HostRequestError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The link broke before the request was answered (the host may still have carried it out). */
export class ConnectionLostError extends Error {
  override name = 'ConnectionLostError';
}

export interface HostConnectionOptions {
  client: 'browser' | 'electron';
  /** First retry delay; doubles up to `maxDelayMs` (defaults 250 and 5000). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** How long the host may take to answer `hello` (default 10 s). */
  helloTimeoutMs?: number;
}

interface Pending {
  type: RequestType;
  resolve(message: HostMessage): void;
  reject(error: Error): void;
}

type Listener = (message: HostMessage) => void;

export class HostConnection {
  private readonly options: Required<HostConnectionOptions>;
  private transport: Transport | null = null;
  private currentStatus: ConnectionStatus = 'closed';
  private lastError = '';
  private welcomeMessage: Welcome | null = null;
  private readonly pending = new Map<string, Pending>();
  private readonly futures = new Map<string, ExecutionFuture>();
  private readonly listeners = new Map<HostMessageType | '*', Set<Listener>>();
  private readonly statusListeners = new Set<(status: ConnectionStatus, detail: string) => void>();
  private readonly reconnectListeners = new Set<(welcome: Welcome) => void>();
  private counter = 0;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private welcomeWaiter: { resolve(w: Welcome): void; reject(e: Error): void } | null = null;
  /** Set between sending `hello` and its welcome: requests may already go (the host answers in order). */
  private helloSent = false;
  private helloListeners = new Set<() => void>();
  /** The answer to a hello sent before the connection had the link (an early link), if it came before we asked. */
  private earlyAnswer: { link: Transport; answer: Welcome | HostRequestError } | null = null;

  constructor(
    private readonly createTransport: TransportFactory,
    options: HostConnectionOptions,
  ) {
    this.options = { initialDelayMs: 250, maxDelayMs: 5000, helloTimeoutMs: 10_000, ...options };
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  /** Why the link is not open (for the page's banner), or ''. */
  get error(): string {
    return this.lastError;
  }

  /** The host's `welcome` of the current link (who runs cells, the served folder). */
  get welcome(): Welcome | null {
    return this.welcomeMessage;
  }

  get transportKind(): Transport['kind'] | null {
    return this.transport?.kind ?? null;
  }

  /**
   * Connects and says hello. Resolves with the host's welcome; when the first attempt fails it
   * keeps retrying in the background (status `reconnecting`) and rejects with the reason.
   */
  async start(): Promise<Welcome> {
    this.stopped = false;
    this.setStatus('connecting');
    return this.connect(false);
  }

  /** Closes the link for good (pending requests fail). */
  close(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.transport?.close();
    this.transport = null;
    this.helloSent = false;
    this.failAll(new ConnectionLostError('The connection to Probebook was closed.'));
    this.setStatus('closed');
  }

  /** A fresh request id, unique for this page. */
  nextRequestId(): string {
    this.counter += 1;
    return `p${Date.now().toString(36)}-${this.counter.toString(36)}`;
  }

  /** Sends a message that gets no reply (an interrupt); returns its requestId. Throws when offline. */
  send(message: DistributiveOmit<Extract<ClientMessage, { type: SendType }>, 'requestId'>): string {
    const requestId = this.nextRequestId();
    this.write({ ...message, requestId } as ClientMessage);
    return requestId;
  }

  /** Sends a request and resolves with its reply; rejects with {@link HostRequestError} or {@link ConnectionLostError}. */
  request<M extends RequestOf<RequestType>>(message: M, requestId = this.nextRequestId()): Promise<ReplyOf<M['type']>> {
    return new Promise<ReplyOf<M['type']>>((resolve, reject) => {
      this.pending.set(requestId, { type: message.type, resolve: resolve as (m: HostMessage) => void, reject });
      try {
        this.write({ ...message, requestId } as ClientMessage);
      } catch (error) {
        this.pending.delete(requestId);
        reject(error as Error);
      }
    });
  }

  /**
   * The reply to a request this connection did not send: the one boot.js sent on the early link
   * before the app started (early-link.ts). Call it before the link's first messages are handed
   * over, i.e. in the same task as `start()`.
   */
  replyTo<T extends RequestType>(type: T, requestId: string): Promise<ReplyOf<T>> {
    return new Promise<ReplyOf<T>>((resolve, reject) => {
      this.pending.set(requestId, { type, resolve: resolve as (m: HostMessage) => void, reject });
    });
  }

  /** Runs cells; the future's stream ends with the host's `execute_reply`, after every cell ended. */
  execute(message: { notebookId: string; cellIds: string[]; runAll?: boolean }): ExecutionFuture {
    const requestId = this.nextRequestId();
    const future = new ExecutionFuture(requestId);
    this.futures.set(requestId, future);
    try {
      this.write({ type: 'execute_request', requestId, ...message });
    } catch (error) {
      this.futures.delete(requestId);
      future.fail(error as Error);
    }
    future.done.finally(() => this.futures.delete(requestId)).catch(() => undefined);
    return future;
  }

  /** Listens to one type of host message (or `'*'` for all); returns the unsubscribe function. */
  on<T extends HostMessageType>(type: T, listener: (message: Extract<HostMessage, { type: T }>) => void): () => void;
  on(type: '*', listener: (message: HostMessage) => void): () => void;
  on(type: HostMessageType | '*', listener: Listener): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  onStatus(listener: (status: ConnectionStatus, detail: string) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Called after a broken link is back and the host welcomed us again: re-open what you showed. */
  onReconnected(listener: (welcome: Welcome) => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /**
   * Resolves once `hello` is on its way, so a page can send its first request without waiting a
   * round trip for the welcome (the host handles a link's messages in order).
   */
  whenHelloSent(): Promise<void> {
    if (this.helloSent || this.currentStatus === 'open') return Promise.resolve();
    return new Promise((resolve) => this.helloListeners.add(resolve));
  }

  private write(message: ClientMessage): void {
    if (!this.transport || (this.currentStatus !== 'open' && !this.helloSent)) {
      throw new ConnectionLostError(this.lastError ? `Not connected to Probebook: ${this.lastError}` : 'Not connected to Probebook yet.');
    }
    this.transport.send(message);
  }

  private async connect(isReconnect: boolean): Promise<Welcome> {
    const transport = this.createTransport();
    this.transport = transport;
    try {
      await transport.open({
        message: (data) => this.receive(transport, data),
        closed: (reason) => this.lost(transport, reason),
      });
      if (this.stopped || this.transport !== transport) throw new ConnectionLostError('The connection was closed while opening.');
      const welcome = await this.hello(transport);
      this.attempt = 0;
      this.lastError = '';
      this.welcomeMessage = welcome;
      this.setStatus('open');
      if (isReconnect) for (const l of this.reconnectListeners) l(welcome);
      return welcome;
    } catch (error) {
      const message = (error as Error).message;
      this.helloSent = false;
      // Requests sent early with the hello fail with it.
      this.failAll(new ConnectionLostError(message));
      if (this.transport === transport) {
        transport.close();
        this.transport = null;
      }
      this.lastError = message;
      if ((error as HostRequestError).code === 'version_mismatch') {
        this.setStatus('failed', message);
        throw error;
      }
      this.scheduleRetry();
      throw error;
    }
  }

  private hello(transport: Transport): Promise<Welcome> {
    const early = this.earlyAnswer?.link === transport ? this.earlyAnswer.answer : null;
    this.earlyAnswer = null;
    if (early) {
      this.helloSent = true;
      for (const l of this.helloListeners) l();
      this.helloListeners.clear();
      return early instanceof HostRequestError ? Promise.reject(early) : Promise.resolve(early);
    }
    return new Promise<Welcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.welcomeWaiter = null;
        reject(new Error('The Probebook host did not answer: it may be busy or stuck. Restart `probebook serve` if this persists.'));
      }, this.options.helloTimeoutMs);
      this.welcomeWaiter = {
        resolve: (w) => {
          clearTimeout(timer);
          resolve(w);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      // Written directly: the status is not `open` until the welcome arrives.
      if (!transport.greeted) transport.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: this.options.client });
      this.helloSent = true;
      for (const l of this.helloListeners) l();
      this.helloListeners.clear();
    });
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = Math.min(this.options.maxDelayMs, this.options.initialDelayMs * 2 ** this.attempt);
    this.attempt += 1;
    this.setStatus('reconnecting', this.lastError);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect(true).catch(() => undefined); // connect() schedules the next attempt itself
    }, delay);
  }

  private lost(transport: Transport, reason: string): void {
    if (this.transport !== transport) return;
    this.transport = null;
    this.helloSent = false;
    this.welcomeWaiter?.reject(new ConnectionLostError(`The connection closed before the host answered (${reason}).`));
    this.welcomeWaiter = null;
    this.lastError = `lost the connection to Probebook (${reason})`;
    this.failAll(new ConnectionLostError(`The connection to Probebook was lost (${reason}); the host may still have done it.`));
    this.scheduleRetry();
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    for (const f of this.futures.values()) f.fail(error);
    this.futures.clear();
  }

  private receive(transport: Transport, data: unknown): void {
    if (this.transport !== transport) return;
    if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') {
      console.error('Probebook: ignored a host message without a type', data);
      return;
    }
    const message = data as HostMessage;
    if (transport.greeted && !this.welcomeWaiter && this.currentStatus !== 'open') {
      // An early link hands over what came before the connection asked: keep the hello's answer.
      if (message.type === 'welcome') this.earlyAnswer = { link: transport, answer: message };
      else if (message.type === 'error' && (message.code === 'version_mismatch' || !message.requestId)) {
        this.earlyAnswer = { link: transport, answer: new HostRequestError(message.code, message.message) };
        return;
      }
    }
    if (message.type === 'welcome') {
      this.welcomeWaiter?.resolve(message);
      this.welcomeWaiter = null;
    } else if (message.type === 'error' && this.welcomeWaiter && (message.code === 'version_mismatch' || !message.requestId)) {
      this.welcomeWaiter.reject(new HostRequestError(message.code, message.message));
      this.welcomeWaiter = null;
      return;
    }
    this.route(message);
    for (const l of this.listeners.get(message.type) ?? []) l(message);
    for (const l of this.listeners.get('*') ?? []) l(message);
  }

  /** Hands replies to their requests and execution messages to their futures. */
  private route(message: HostMessage): void {
    if (message.type === 'execution_state' || message.type === 'output' || message.type === 'execution_ended' || message.type === 'execute_reply') {
      const future = this.futures.get(message.requestId);
      if (future?.deliver(message)) this.futures.delete(message.requestId);
      return;
    }
    const requestId = message.type === 'notebook_changed' ? message.origin : 'requestId' in message ? message.requestId : undefined;
    if (!requestId) return;
    if (message.type === 'error') {
      const future = this.futures.get(requestId);
      if (future) {
        this.futures.delete(requestId);
        future.fail(new HostRequestError(message.code, message.message));
      }
      const pending = this.pending.get(requestId);
      if (pending) {
        this.pending.delete(requestId);
        pending.reject(new HostRequestError(message.code, message.message));
      }
      return;
    }
    const pending = this.pending.get(requestId);
    if (pending && REPLY_TYPES[pending.type] === message.type) {
      this.pending.delete(requestId);
      pending.resolve(message);
    }
  }

  private setStatus(status: ConnectionStatus, detail = ''): void {
    if (this.currentStatus === status && !detail) return;
    this.currentStatus = status;
    for (const l of this.statusListeners) l(status, detail);
  }
}
