/**
 * The page's one link to the session host: Electron's MessagePort when the preload bridge is
 * there, else a WebSocket to `probebook serve` (whose first one boot.js opened already).
 */
import type { ProbebookBridge } from '../../core/common/bridge.ts';
import { claimEarlyLink, type EarlyLink } from '../connection/early-link.ts';
import { HostConnection } from '../connection/host-connection.ts';
import { MessagePortTransport } from '../connection/message-port-transport.ts';
import { WebSocketTransport, webSocketUrl } from '../connection/websocket-transport.ts';

export interface HostLink {
  connection: HostConnection;
  /** The notebook boot.js asked for on the early link, before the app started (early-link.ts). */
  earlyOpen: EarlyLink['openRequest'];
}

/** Makes the connection (not started) for the bridge, or for the served page without one. */
export function linkToHost(bridge: ProbebookBridge | undefined): HostLink {
  // Browser mode adopts the link boot.js opened while the scripts loaded, for its first connection.
  let early = bridge ? null : claimEarlyLink();
  const earlyOpen = early?.openRequest ?? null;
  const webSocket = () => {
    const link = early;
    early = null;
    return new WebSocketTransport(webSocketUrl(location.href), link);
  };
  const connection = new HostConnection(bridge ? () => new MessagePortTransport(bridge) : webSocket, { client: bridge ? 'electron' : 'browser' });
  return { connection, earlyOpen };
}
