/**
 * One page's connection to the session host, over a MessageChannelMain: main keeps one port and
 * attaches it to the in-process session host; the other goes to the page's frame, which the
 * preload hands to the page. Menu commands travel on the same port as `app_command` messages.
 */
import { MessageChannelMain, type MessagePortMain, type WebFrameMain } from 'electron';
import { BRIDGE_PORT_MESSAGE, BRIDGE_VERSION, type BridgePortMessage, type MenuCommandId } from '../../core/common/bridge.ts';
import type { HostMessage } from '../../core/common/protocol.ts';
import { PORT_CHANNEL } from '../shared/ipc-channels.ts';

/** A transport as the session host sees it (the same shape the WebSocket server gives it). */
export interface HostConnection {
  send(message: HostMessage): void;
  /** Messages from the page, unvalidated: the session host validates them at its edge. */
  onMessage(callback: (message: unknown) => void): void;
  onClose(callback: () => void): void;
}

/** What main needs of the session host. */
export interface SessionHostLike {
  attach(connection: HostConnection): void;
}

export class HostLink {
  private readonly port: MessagePortMain;
  private closed = false;
  private readonly closeCallbacks: (() => void)[] = [];

  /**
   * Connects `frame` to `host`. `events.observe` sees every host message on its way to the page
   * (the window learns from them which notebook it shows); `events.closed` runs once at the end.
   */
  constructor(
    host: SessionHostLike,
    frame: WebFrameMain,
    private readonly events: { observe(message: HostMessage): void; closed(): void },
  ) {
    const { port1, port2 } = new MessageChannelMain();
    this.port = port1;
    const messageCallbacks: ((message: unknown) => void)[] = [];
    port1.on('message', (event) => {
      for (const callback of messageCallbacks) callback(event.data);
    });
    port1.on('close', () => this.close());
    host.attach({
      send: (message) => {
        if (this.closed) return;
        this.events.observe(message);
        this.port.postMessage(message);
      },
      onMessage: (callback) => void messageCallbacks.push(callback),
      onClose: (callback) => void this.closeCallbacks.push(callback),
    });
    port1.start();
    const announce: BridgePortMessage = { type: BRIDGE_PORT_MESSAGE, bridgeVersion: BRIDGE_VERSION };
    frame.postMessage(PORT_CHANNEL, announce, [port2]);
  }

  /** Asks the page to run a menu command. */
  sendCommand(command: MenuCommandId): void {
    if (this.closed) return;
    const message: HostMessage = { type: 'app_command', command };
    this.port.postMessage(message);
  }

  /** Ends the connection (page reloaded, window closed); the session host keeps the notebooks. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
    for (const callback of this.closeCallbacks.splice(0)) callback();
    this.events.closed();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
