/**
 * Electron: the protocol over a MessagePort that the app posts to the page when asked through
 * `window.probebookBridge.connect()` (core/common/bridge.ts). Messages are plain objects.
 */
import { isBridgePortMessage, type ProbebookBridge } from '../../core/common/bridge.ts';
import type { ClientMessage } from '../../core/common/protocol.ts';
import type { Transport, TransportHandlers } from './transport.ts';

/** How long the app may take to hand over the port. */
const PORT_TIMEOUT_MS = 10_000;

export class MessagePortTransport implements Transport {
  readonly kind = 'message-port';
  private port: MessagePort | null = null;
  private handlers: TransportHandlers | null = null;

  constructor(private readonly bridge: ProbebookBridge) {}

  async open(handlers: TransportHandlers): Promise<void> {
    const port = await new Promise<MessagePort>((resolve, reject) => {
      const timer = setTimeout(() => {
        window.removeEventListener('message', onPort);
        reject(new Error('The Probebook app did not connect this window to its session host: close the window and open the notebook again.'));
      }, PORT_TIMEOUT_MS);
      // Only the port the preload posts to this very window counts (not a frame's message).
      function onPort(event: MessageEvent): void {
        if (event.source !== window || !isBridgePortMessage(event.data) || !event.ports[0]) return;
        window.removeEventListener('message', onPort);
        clearTimeout(timer);
        resolve(event.ports[0]);
      }
      window.addEventListener('message', onPort);
      this.bridge.connect().catch((error: unknown) => {
        window.removeEventListener('message', onPort);
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
    this.port = port;
    this.handlers = handlers;
    port.onmessage = (event) => this.handlers?.message(event.data);
    // Chromium fires `close` on an entangled port whose other end went away.
    port.addEventListener('close', () => {
      const h = this.handlers;
      this.handlers = null;
      h?.closed('the app closed the connection');
    });
    port.start();
  }

  send(message: ClientMessage): void {
    if (!this.port) throw new Error('Not connected to the Probebook app.');
    this.port.postMessage(message);
  }

  close(): void {
    this.handlers = null;
    this.port?.close();
    this.port = null;
  }
}
