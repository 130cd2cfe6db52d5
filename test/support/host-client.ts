/**
 * A protocol client of a real `probebook serve`, as the page is one: signs in with the token (the
 * server trades it for a cookie), opens the WebSocket with the page's Origin, sends
 * `ClientMessage`s and waits for `HostMessage`s by type and content (each taken once) instead of
 * sleeping.
 */
import { request as httpRequest } from 'node:http';
import { WebSocket } from 'ws';
import type { ClientMessage, HostMessage } from '../../core/common/protocol.ts';

type Of<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

/** An HTTP request to the server with a loopback Host header (GET unless told otherwise). */
export function http(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { Host: `127.0.0.1:${port}`, ...options.headers } },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The session cookie the server sets when the page is opened with its token. */
export async function signIn(port: number, token: string): Promise<string> {
  const login = await http(port, `/?token=${encodeURIComponent(token)}`);
  return ([] as string[])
    .concat(login.headers['set-cookie'] ?? [])
    .map((c) => c.split(';')[0])
    .join('; ');
}

export class HostClient {
  /** Messages that arrived and were not taken by {@link next} yet. */
  readonly messages: HostMessage[] = [];
  /** Every message that arrived, in order. */
  readonly log: HostMessage[] = [];
  /** Resolves with the close code when the server closes the WebSocket. */
  readonly closed: Promise<number>;
  #waiters: { match: (m: HostMessage) => boolean; resolve: (m: HostMessage) => void; reject: (e: Error) => void }[] = [];
  #next = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as HostMessage;
      this.log.push(m);
      const waiter = this.#waiters.find((w) => w.match(m));
      if (waiter) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(m);
      } else this.messages.push(m);
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code) => {
        for (const w of this.#waiters) w.reject(new Error(`the server closed the WebSocket (${code})`));
        this.#waiters = [];
        resolve(code);
      }),
    );
  }

  /** Connects with a session cookie; `headers` override the page's own (Host, Origin, Cookie). */
  static connect(s: { port: number; cookie: string }, headers: Record<string, string> = {}): Promise<HostClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws`, { headers: { Origin: `http://127.0.0.1:${s.port}`, Cookie: s.cookie, ...headers } });
      ws.once('open', () => resolve(new HostClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Signs in with the token of `origin` (`http://127.0.0.1:PORT`), as the page does, and connects. */
  static async signIn(origin: string, token: string): Promise<HostClient> {
    const port = Number(new URL(origin).port);
    return HostClient.connect({ port, cookie: await signIn(port, token) });
  }

  /** A fresh request id. */
  id(): string {
    return `t${++this.#next}`;
  }

  /** Sends a message; hostile tests send what is not a `ClientMessage` too. */
  send(message: ClientMessage | object): void {
    this.ws.send(JSON.stringify(message));
  }

  async ping(id: string = this.id()): Promise<void> {
    this.send({ type: 'ping', requestId: id });
    await this.next('pong', (m) => m.requestId === id);
  }

  /** The next message of `type` matching `where` (one that already arrived counts; each is taken once). */
  next<T extends HostMessage['type']>(type: T, where: (m: Of<T>) => boolean = () => true, timeoutMs = 30_000): Promise<Of<T>> {
    const match = (m: HostMessage) => m.type === type && where(m as Of<T>);
    const seen = this.messages.find(match);
    if (seen) {
      this.messages.splice(this.messages.indexOf(seen), 1);
      return Promise.resolve(seen as Of<T>);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${type} message within ${timeoutMs} ms; got ${this.messages.map((m) => m.type).join(', ')}`)),
        timeoutMs,
      );
      this.#waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Of<T>);
        },
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }

  /** Opens `path` (relative to the served folder) and trusts it, as a user who reviewed it would. */
  async openTrusted(path: string): Promise<Of<'notebook_opened'>['snapshot']> {
    const requestId = this.id();
    this.send({ type: 'open_notebook', requestId, path });
    const opened = await this.next('notebook_opened', (m) => m.requestId === requestId);
    const trustId = this.id();
    this.send({ type: 'trust_request', requestId: trustId, notebookId: opened.snapshot.notebookId });
    await this.next('pong', (m) => m.requestId === trustId);
    return opened.snapshot;
  }

  /** The stream text (stdout and stderr) of `cellId` that arrived so far. */
  text(cellId: string): string {
    return this.log
      .filter((m): m is Of<'output'> => m.type === 'output' && m.cellId === cellId)
      .map((m) =>
        m.edit.kind === 'append' ? m.edit.text : m.edit.kind === 'add' && m.edit.output.kind === 'stream' ? String(m.edit.output.items[0]?.data ?? '') : '',
      )
      .join('');
  }

  close(): void {
    this.ws.close();
  }
}
