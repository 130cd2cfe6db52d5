/**
 * The preload of every notebook window: runs sandboxed and context-isolated, and exposes one
 * object of named functions (`window.probebookBridge`), never `ipcRenderer` itself. The host
 * port arrives from main over IPC and is handed to the page with `window.postMessage`, only when
 * the page is on the app origin. Bundled as one CommonJS file (sandboxed preloads may require
 * nothing but `electron`).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { APP_ORIGIN } from '../shared/app-origin.ts';
import { IPC, PORT_CHANNEL } from '../shared/ipc-channels.ts';
import { BRIDGE_GLOBAL, BRIDGE_VERSION, isBridgePortMessage, type ProbebookBridge } from './bridge-api.ts';

/** Resolves the pending `connect()` once its port has been handed to the page. */
let portPosted: (() => void) | null = null;

ipcRenderer.on(PORT_CHANNEL, (event, data: unknown) => {
  const port = event.ports[0];
  if (!port || !isBridgePortMessage(data)) return;
  // Guards the hand-over: the port goes only to a page on the app origin, nowhere else.
  if (window.location.origin !== APP_ORIGIN) {
    port.close();
    return;
  }
  window.postMessage({ type: data.type, bridgeVersion: data.bridgeVersion }, APP_ORIGIN, [port]);
  portPosted?.();
  portPosted = null;
});

function stringArg(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${typeof value}`);
  return value;
}

const bridge: ProbebookBridge = {
  bridgeVersion: BRIDGE_VERSION,
  platform: process.platform,
  async connect() {
    const posted = new Promise<void>((resolve) => (portPosted = resolve));
    await ipcRenderer.invoke(IPC.connect);
    await posted;
  },
  launchFile: () => ipcRenderer.invoke(IPC.launchFile) as Promise<string | null>,
  openFileDialog: () => ipcRenderer.invoke(IPC.openFileDialog) as Promise<string[]>,
  saveFileDialog: (defaultPath) =>
    ipcRenderer.invoke(IPC.saveFileDialog, defaultPath === undefined ? undefined : stringArg(defaultPath, 'defaultPath')) as Promise<string | null>,
  openNotebookWindow: async (path) => {
    await ipcRenderer.invoke(IPC.openNotebookWindow, stringArg(path, 'path'));
  },
  async openExternal(url) {
    // The page's own click must be what opens a link; main checks again with its input events.
    if (!navigator.userActivation.isActive) throw new Error('Links open only from a click or key press.');
    await ipcRenderer.invoke(IPC.openExternal, stringArg(url, 'url'));
  },
  exportPdf: (html, fileName, paper) =>
    ipcRenderer.invoke(IPC.exportPdf, stringArg(html, 'html'), stringArg(fileName, 'fileName'), paper) as Promise<string | null>,
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
