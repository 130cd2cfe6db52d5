/**
 * Browser mode's early link. `boot.js` (renderer/app/boot.ts, a few hundred bytes loaded `async`
 * ahead of the app) opens the WebSocket, says hello and asks for the notebook the URL names while
 * the app's scripts are still loading and compiling; the app then adopts that link instead of
 * opening its own, and the notebook's snapshot is usually there already. What the host sends
 * before the app takes the link is kept, parsed (the page is idle while its scripts load).
 *
 * The two sides meet on one window property, taken once: if the app starts first (boot.js late
 * or missing), it marks the link taken and boot.js does nothing. In the Electron app (a bridge,
 * no WebSocket) boot.js does nothing either.
 *
 * @example
 * // boot.ts
 * openEarlyLink();
 * // the app
 * const link = claimEarlyLink(); // null: open a link of its own
 */
import { PROTOCOL_VERSION, type ClientMessage } from '../../core/common/protocol.ts';
import { parseHostMessage, webSocketUrl } from './websocket-transport.ts';

export interface EarlyLink {
  readonly socket: WebSocket;
  /** Host messages received before the app took the link, in order (parsed JSON, `undefined` for text that was not). */
  readonly received: unknown[];
  /** The `open_notebook` sent right behind the hello, when the URL named a notebook (`?open=`). */
  readonly openRequest: { path: string; requestId: string } | null;
}

const KEY = '__probebookEarlyLink';
type Slot = { [KEY]?: EarlyLink | null; probebookBridge?: unknown };

/** Opens the early link (boot.js). Does nothing once the app has started, or in the Electron app. */
export function openEarlyLink(win: Window & Slot = window): void {
  if (KEY in win || win.probebookBridge || typeof WebSocket === 'undefined') return;
  const path = new URLSearchParams(win.location.search).get('open');
  const openRequest = path ? { path, requestId: `boot-${Date.now().toString(36)}` } : null;
  let socket: WebSocket;
  try {
    socket = new WebSocket(webSocketUrl(win.location.href));
  } catch {
    return; // the app opens its own and says what is wrong
  }
  const link: EarlyLink = { socket, received: [], openRequest };
  socket.onopen = () => {
    const hello: ClientMessage = { type: 'hello', protocolVersion: PROTOCOL_VERSION, client: 'browser' };
    socket.send(JSON.stringify(hello));
    if (openRequest) socket.send(JSON.stringify({ type: 'open_notebook', path: openRequest.path, requestId: openRequest.requestId } satisfies ClientMessage));
  };
  socket.onmessage = (event) => link.received.push(parseHostMessage(event.data));
  win[KEY] = link;
}

/** The early link, if boot.js opened one; afterwards boot.js no longer opens any. Once per page. */
export function claimEarlyLink(win: Window & Slot = window): EarlyLink | null {
  const link = win[KEY] ?? null;
  win[KEY] = null;
  return link;
}
