/**
 * A protocol client of a real `probebook serve`, as the page is one: signs in with the token (the
 * server trades it for a cookie), opens the WebSocket with the page's Origin, sends
 * `ClientMessage`s and waits for `HostMessage`s by type and content.
 */
import { request as httpRequest } from 'node:http';
import { WebSocket } from 'ws';
import type { ClientMessage, HostMessage } from '../../core/common/protocol.ts';

type Of<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

/** GET `path` on the server with a loopback Host header. */
export function httpGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

export class HostClient {
  readonly messages: HostMessage[] = [];
  #waiters: { match: (m: HostMessage) => boolean; resolve: (m: HostMessage) => void; reject: (e: Error) => void }[] = [];
  #next = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as HostMessage;
      this.messages.push(m);
      this.#waiters = this.#waiters.filter((w) => (w.match(m) ? (w.resolve(m), false) : true));
    });
    ws.on('close', () => {
      for (const w of this.#waiters) w.reject(new Error('the server closed the WebSocket'));
      this.#waiters = [];
    });
  }

  /** Signs in with the token of `origin` (`http://127.0.0.1:PORT`) and connects. */
  static async connect(origin: string, token: string): Promise<HostClient> {
    const port = Number(new URL(origin).port);
    const login = await httpGet(port, `/?token=${encodeURIComponent(token)}`);
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Origin: origin, Cookie: cookie } });
    const client = new HostClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`the WebSocket was refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return client;
  }

  /** A fresh request id. */
  id(): string {
    return `t${++this.#next}`;
  }

  send(message: ClientMessage): void {
    this.ws.send(JSON.stringify(message));
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
      const timer = setTimeout(() => reject(new Error(`no ${type} message within ${timeoutMs} ms; got ${this.messages.map((m) => m.type).join(', ')}`)), timeoutMs);
      this.#waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          this.messages.splice(this.messages.indexOf(m), 1);
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

  /** The stdout text of `cellId` that arrived so far. */
  stdout(cellId: string): string {
    return this.messages
      .filter((m): m is Of<'output'> => m.type === 'output' && m.cellId === cellId)
      .map((m) => (m.edit.kind === 'append' ? m.edit.text : m.edit.kind === 'add' && m.edit.output.kind === 'stream' ? String(m.edit.output.items[0]?.data ?? '') : ''))
      .join('');
  }

  close(): void {
    this.ws.close();
  }
}
