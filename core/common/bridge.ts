/**
 * What the Electron app offers the page, as types the renderer can import without importing
 * `electron/`. The preload (`electron/preload/preload.ts`) implements {@link ProbebookBridge} and
 * exposes it as `window.probebookBridge`; in browser mode there is no bridge and the page uses its
 * WebSocket transport and its own file browser instead.
 *
 * The bridge carries no notebook traffic: `connect()` makes the app post a `MessagePort` to the
 * page, and the page speaks the protocol of `protocol.ts` over that port (plain objects, one
 * `ClientMessage` or `HostMessage` per message), exactly as over the WebSocket. The app adds one
 * host message of its own: `app_command`, a menu command for the page to run.
 *
 * @example
 * ```ts
 * const bridge = (window as { probebookBridge?: ProbebookBridge }).probebookBridge;
 * if (bridge) {
 *   const port = new Promise<MessagePort>((resolve) => {
 *     window.addEventListener('message', function onPort(e) {
 *       if (e.source !== window || !isBridgePortMessage(e.data) || !e.ports[0]) return;
 *       window.removeEventListener('message', onPort);
 *       resolve(e.ports[0]);
 *     });
 *   });
 *   await bridge.connect();
 *   const p = await port;
 *   p.onmessage = (e) => handle(e.data as HostMessage);
 *   p.start();
 *   p.postMessage({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: 'electron' });
 * }
 * ```
 */

/** Bumped on every incompatible change of {@link ProbebookBridge}. */
export const BRIDGE_VERSION = 1;

/** The `type` of the window message that carries the host port (`event.ports[0]`). */
export const BRIDGE_PORT_MESSAGE = 'probebook:host-port';

/** The data of the window message that hands the page its port to the session host. */
export interface BridgePortMessage {
  type: typeof BRIDGE_PORT_MESSAGE;
  bridgeVersion: number;
}

/** Whether a window message's data announces the host port. */
export function isBridgePortMessage(data: unknown): data is BridgePortMessage {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === BRIDGE_PORT_MESSAGE;
}

/**
 * `window.probebookBridge` in the Electron app. Every function validates its arguments again in
 * the main process; a rejected promise carries a message meant for the user.
 */
export interface ProbebookBridge {
  readonly bridgeVersion: number;
  /** `process.platform` of the app, e.g. `'linux'`. */
  readonly platform: string;
  /**
   * Asks the app for a fresh port to the session host. The port arrives as a window `message`
   * event whose data satisfies {@link isBridgePortMessage} and whose `ports[0]` is the port;
   * the promise resolves once it has been posted. Calling it again (after a reload) replaces
   * the window's previous connection. Messages the app sends before the page listens wait in
   * the port until `port.start()` (or setting `onmessage`).
   */
  connect(): Promise<void>;
  /** The notebook this window was opened for (absolute path), or null for an empty window. */
  launchFile(): Promise<string | null>;
  /** Shows the native Open dialog for notebooks; the chosen absolute paths, or `[]` if cancelled. */
  openFileDialog(): Promise<string[]>;
  /** Shows the native Save dialog; the chosen absolute path (ending `.ipynb`), or null if cancelled. */
  saveFileDialog(defaultPath?: string): Promise<string | null>;
  /**
   * Opens `path` in its own window (focusing the window that already shows it). The app keeps
   * one window per notebook.
   */
  openNotebookWindow(path: string): Promise<void>;
  /**
   * Opens an http(s) URL in the system browser. Call it only from a click handler: the bridge
   * refuses without a user gesture, and the app refuses anything but http(s).
   */
  openExternal(url: string): Promise<void>;
  /**
   * File → Export as PDF: prints the report `html` (the session host's HTML report of the notebook,
   * `export_notebook` with `format: 'html'`) with Electron's own Chromium in a hidden, locked-down
   * window, after asking where to save it (suggesting `fileName` with `.pdf`). Resolves with the
   * path written, or null when the user cancelled. (docs/export.md)
   */
  exportPdf(html: string, fileName: string, paper?: 'a4' | 'letter'): Promise<string | null>;
}

/**
 * The commands the app menu sends to the page, as `app_command` host messages on the port. The
 * page runs them through the same command registry as its keyboard shortcuts and palette.
 */
export const MENU_COMMANDS = [
  'notebook.new',
  'notebook.open',
  'notebook.save',
  'notebook.saveAs',
  'notebook.close',
  'notebook.exportHtml',
  'notebook.exportPdf',
  'notebook.exportMarkdown',
  'notebook.runAll',
  'notebook.interruptAll',
  'notebook.restart',
  'notebook.clearAllOutputs',
  'cell.run',
  'cell.runAndAdvance',
  'cell.runAndInsertBelow',
  'cell.interrupt',
  'cell.insertAbove',
  'cell.insertBelow',
  'cell.delete',
  'cell.undoDelete',
  'cell.cut',
  'cell.copy',
  'cell.paste',
  'cell.moveUp',
  'cell.moveDown',
  'cell.toCode',
  'cell.toMarkdown',
  'cell.clearOutput',
  'cell.toggleInput',
  'cell.toggleOutput',
  'view.commandPalette',
  'view.findInOutput',
  'view.runTimeline',
  'help.keyboardShortcuts',
] as const;

/** A command id the app menu may send; see {@link MENU_COMMANDS}. */
export type MenuCommandId = (typeof MENU_COMMANDS)[number];
