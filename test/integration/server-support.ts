// A WebSocket client of a real `probebook serve`, as the page is: logged in with the session
// cookie, it waits for the host's messages by type (each consumed once) instead of sleeping.
import { WebSocket } from 'ws';
import type { HostMessage } from '../../core/common/protocol.ts';

export class ServerClient {
  readonly messages: HostMessage[] = [];
  #waiters: { match: (m: HostMessage) => boolean; resolve: (m: HostMessage) => void }[] = [];
  readonly closed: Promise<number>;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as HostMessage;
      const waiter = this.#waiters.find((w) => w.match(m));
      if (waiter) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(m);
      } else this.messages.push(m);
    });
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  }
  static connect(s: { port: number; cookie: string }, headers: Record<string, string> = {}): Promise<ServerClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws`, { headers: { Origin: `http://127.0.0.1:${s.port}`, Cookie: s.cookie, ...headers } });
      ws.once('open', () => resolve(new ServerClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }
  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }
  next<T extends HostMessage['type']>(type: T, where: (m: Extract<HostMessage, { type: T }>) => boolean = () => true): Promise<Extract<HostMessage, { type: T }>> {
    const match = (m: HostMessage) => m.type === type && where(m as Extract<HostMessage, { type: T }>);
    const seen = this.messages.find(match);
    if (seen) {
      this.messages.splice(this.messages.indexOf(seen), 1);
      return Promise.resolve(seen as Extract<HostMessage, { type: T }>);
    }
    return new Promise((resolve) => this.#waiters.push({ match, resolve: resolve as (m: HostMessage) => void }));
  }
  async ping(id: string): Promise<void> {
    this.send({ type: 'ping', requestId: id });
    await this.next('pong', (m) => m.requestId === id);
  }
}
