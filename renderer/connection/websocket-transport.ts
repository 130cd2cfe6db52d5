/**
 * Browser mode: the protocol over a WebSocket to `/ws` on the page's own origin. The server
 * authenticates it by the cookie it set when the page was opened with `?token=…`.
 */
import type { ClientMessage } from '../../core/common/protocol.ts';
import type { Transport, TransportHandlers } from './transport.ts';

/** The WebSocket URL beside a page URL: `http://h:p/x` → `ws://h:p/ws`. */
export function webSocketUrl(pageUrl: string): string {
  const url = new URL('/ws', pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

export class WebSocketTransport implements Transport {
  readonly kind = 'websocket';
  private socket: WebSocket | null = null;
  private handlers: TransportHandlers | null = null;

  constructor(private readonly url: string) {}

  open(handlers: TransportHandlers): Promise<void> {
    return new Promise((resolve, reject) => {
      let opened = false;
      const socket = new WebSocket(this.url);
      this.socket = socket;
      this.handlers = handlers;
      socket.onopen = () => {
        opened = true;
        resolve();
      };
      socket.onmessage = (event) => {
        if (typeof event.data !== 'string') return; // the host sends JSON text only
        let data: unknown;
        try {
          data = JSON.parse(event.data);
        } catch {
          console.error('Probebook: the host sent a message that is not JSON; ignored.');
          return;
        }
        this.handlers?.message(data);
      };
      socket.onclose = (event) => {
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
