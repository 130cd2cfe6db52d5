/**
 * The IPC channels between preload and main, in one place. Each is an `invoke` channel that the
 * main process's IPC hub handles after checking the sender frame; nothing else is listened to.
 */
export const IPC = {
  connect: 'probebook:connect',
  launchFile: 'probebook:launch-file',
  openFileDialog: 'probebook:open-file-dialog',
  saveFileDialog: 'probebook:save-file-dialog',
  openNotebookWindow: 'probebook:open-notebook-window',
  openExternal: 'probebook:open-external',
  exportPdf: 'probebook:export-pdf',
} as const;

/** The one channel main sends on: the host port, posted to the frame that asked for it. */
export const PORT_CHANNEL = 'probebook:port';

export type IpcChannel = (typeof IPC)[keyof typeof IPC];
