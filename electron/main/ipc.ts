/**
 * The one IPC hub: the whole surface the page can call in main, in one table. Every call is
 * checked before its handler runs: the sender must be the top frame of one of our windows on the
 * app origin (else it is dropped and logged), and its arguments must pass the channel's parser.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebFrameMain } from 'electron';
import { IPC, type IpcChannel } from '../shared/ipc-channels.ts';
import { showOpenNotebookDialog, showSaveNotebookDialog } from './dialogs.ts';
import { senderProblem } from './ipc-sender.ts';
import { PayloadError, exportPdfArgs, externalUrlArgs, noArgs, notebookPathArgs, saveDialogArgs, type PayloadParser } from './ipc-payloads.ts';
import { exportReportPdf } from './report-pdf.ts';
import { openExternalAfterGesture } from './security.ts';
import type { NotebookWindow, NotebookWindows } from './windows.ts';

interface CallContext {
  entry: NotebookWindow;
  frame: WebFrameMain;
}

function handle<T>(windows: NotebookWindows, channel: IpcChannel, parse: PayloadParser<T>, handler: (payload: T, context: CallContext) => unknown): void {
  ipcMain.removeHandler(channel);
  ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
    const entry = windows.forContents(event.sender);
    const frame = event.senderFrame;
    const problem = senderProblem({
      fromAppWindow: entry !== undefined,
      frame: frame && { url: frame.url, origin: frame.origin, isTop: frame.parent === null },
    });
    if (problem !== null || !entry || !frame) {
      process.stderr.write(`probebook: refused IPC ${channel}: ${problem}\n`);
      throw new Error(`Refused: ${problem}`);
    }
    let payload: T;
    try {
      payload = parse(args);
    } catch (error) {
      if (error instanceof PayloadError) process.stderr.write(`probebook: bad IPC ${channel}: ${error.message}\n`);
      throw error;
    }
    return await handler(payload, { entry, frame });
  });
}

/** Registers every IPC handler the preload may call. */
export function setupIpc(windows: NotebookWindows): void {
  handle(windows, IPC.connect, noArgs, (_, { entry, frame }) => windows.connect(entry, frame));
  handle(windows, IPC.launchFile, noArgs, (_, { entry }) => entry.file);
  handle(windows, IPC.openFileDialog, noArgs, (_, { entry }) => showOpenNotebookDialog(entry.window));
  handle(windows, IPC.saveFileDialog, saveDialogArgs, ({ defaultPath }, { entry }) => showSaveNotebookDialog(entry.window, defaultPath));
  handle(windows, IPC.openNotebookWindow, notebookPathArgs, ({ path }) => void windows.open(path));
  handle(windows, IPC.openExternal, externalUrlArgs, ({ url }, { entry }) => openExternalAfterGesture(entry.window.webContents, url));
  handle(windows, IPC.exportPdf, exportPdfArgs, (request, { entry }) => exportReportPdf(entry.window, request));
}
