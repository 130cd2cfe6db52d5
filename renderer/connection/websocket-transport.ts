/**
 * Browser mode: the protocol over a WebSocket to `/ws` on the page's own origin. The server
 * authenticates it by the cookie it set when the page was opened with `?token=…`. The first
 * transport may adopt the link boot.js opened while the app loaded (early-link.ts).
 */
import type { ClientMessage } from '../../core/common/protocol.ts';
import type { EarlyLink } from './early-link.ts';
import type { Transport, TransportHandlers } from './transport.ts';

/** The WebSocket URL beside a page URL: `http://h:p/x` → `ws://h:p/ws`. */
export function webSocketUrl(pageUrl: string): string {
  const url = new URL('/ws', pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** A WebSocket message's data as the host sends it, JSON text, parsed; `undefined` for anything else. */
export function parseHostMessage(data: unknown): unknown {
  try {
    return typeof data === 'string' ? JSON.parse(data) : undefined;
  } catch {
    return undefined;
  }
}

export class WebSocketTransport implements Transport {
  readonly kind = 'websocket';
  /** An adopted early link was greeted by boot.js: the connection does not say hello again. */
  readonly greeted: boolean;
  private socket: WebSocket | null = null;
  private handlers: TransportHandlers | null = null;

  constructor(
    private readonly url: string,
    private readonly early: EarlyLink | null = null,
  ) {
    this.greeted = early !== null;
  }

  open(handlers: TransportHandlers): Promise<void> {
    return new Promise((resolve, reject) => {
      let opened = false;
      const early = this.early;
      const socket = early?.socket ?? new WebSocket(this.url);
      this.socket = socket;
      this.handlers = handlers;
      const receive = (data: unknown) => {
        if (data === undefined) console.error('Probebook: the host sent a message that is not JSON; ignored.');
        else this.handlers?.message(data);
      };
      // What came before the app took the early link is handed over once open() has resolved, in
      // the same task: the notebook is shown in the page's first frame, not a frame later. What
      // comes meanwhile waits behind it.
      let backlog: unknown[] | null = early ? early.received.splice(0) : null;
      const drain = () => {
        const messages = backlog ?? [];
        backlog = null;
        for (const data of messages) receive(data);
      };
      const opening = () => {
        opened = true;
        resolve();
        if (backlog) queueMicrotask(drain);
      };
      const bootOpened = socket.onopen; // boot.js says hello (and asks for the notebook) on open
      socket.onopen = (event) => {
        bootOpened?.call(socket, event);
        opening();
      };
      socket.onmessage = (event) => {
        const data = parseHostMessage(event.data);
        if (backlog) backlog.push(data);
        else receive(data);
      };
      socket.onclose = (event) => {
        if (opened && backlog) drain(); // the messages that came, then the news that it closed
        const handlers = this.handlers;
        this.handlers = null;
        if (!opened) {
          reject(
            new Error(
              `Could not connect to the Probebook server at ${this.url}. Is \`probebook serve\` still running? ` +
                'If it is, open the link it printed (with ?token=…) again: the page may not be signed in.',
            ),
          );
          return;
        }
        handlers?.closed(event.reason || `the server closed the connection (code ${event.code})`);
      };
      if (socket.readyState === WebSocket.OPEN) opening();
      else if (socket.readyState !== WebSocket.CONNECTING) socket.onclose(new CloseEvent('close', { code: 1006 }));
    });
  }

  send(message: ClientMessage): void {
    if (this.socket?.readyState !== WebSocket.OPEN) throw new Error('Not connected to the Probebook server.');
    this.socket.send(JSON.stringify(message));
  }

  close(): void {
    this.handlers = null;
    this.socket?.close(1000, 'page closed the connection');
    this.socket = null;
  }
}
