/**
 * Native Open and Save dialogs for notebooks, shown as sheets of the asking window.
 */
import { dialog, type BrowserWindow } from 'electron';
import { withNotebookExtension } from './notebook-paths.ts';

const NOTEBOOK_FILTERS = [{ name: 'Notebooks', extensions: ['ipynb'] }];

/** The notebooks the user chose (absolute paths), or `[]` when cancelled. */
export async function showOpenNotebookDialog(window: BrowserWindow): Promise<string[]> {
  const result = await dialog.showOpenDialog(window, {
    title: 'Open Notebook',
    properties: ['openFile', 'multiSelections'],
    filters: NOTEBOOK_FILTERS,
  });
  return result.canceled ? [] : result.filePaths;
}

/** Where to save (absolute, ending `.ipynb`), or null when cancelled. */
export async function showSaveNotebookDialog(window: BrowserWindow, defaultPath?: string): Promise<string | null> {
  const result = await dialog.showSaveDialog(window, {
    title: 'Save Notebook',
    ...(defaultPath === undefined ? {} : { defaultPath }),
    filters: NOTEBOOK_FILTERS,
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  });
  if (result.canceled || !result.filePath) return null;
  return withNotebookExtension(result.filePath);
}
