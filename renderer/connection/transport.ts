/**
 * What carries protocol messages between the page and the session host: a WebSocket in browser
 * mode, a MessagePort in Electron. {@link HostConnection} speaks the protocol over any of them.
 */
import type { ClientMessage } from '../../core/common/protocol.ts';

export interface TransportHandlers {
  /** A message from the host, not yet validated (the connection checks its shape). */
  message(data: unknown): void;
  /** The link is gone; `reason` says why, for people. Called once, never after `close()`. */
  closed(reason: string): void;
}

export interface Transport {
  readonly kind: 'websocket' | 'message-port';
  /** The link said hello before the connection had it (browser mode's early link): do not again. */
  readonly greeted?: boolean;
  /** Opens the link; resolves when messages can be sent, rejects with an error for people. */
  open(handlers: TransportHandlers): Promise<void>;
  send(message: ClientMessage): void;
  /** Closes on purpose: `closed` is not called. */
  close(): void;
}

/** Makes a fresh transport for each (re)connection. */
export type TransportFactory = () => Transport;
