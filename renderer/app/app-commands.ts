/**
 * Every command of the page, with its keys (Jupyter's command/edit model). The toolbar, the
 * keyboard, the palette and the Electron menus (`app_command`) all run these.
 */
import { defaultLanguage } from '../notebook/cell-kind.ts';
import type { Command } from '../notebook/commands.ts';
import type { App } from './app.ts';
import { openCommandPalette, openKeyboardReference } from './command-palette.ts';
import { toast } from './dialog.ts';
import { exportReport } from './export-flow.ts';
import { saveNotebook } from './save-flow.ts';

export function registerAppCommands(app: App): void {
  const hasDoc = () => app.doc !== null;
  const hasCell = () => !!app.view && app.view.activeCellId !== null;
  const canEdit = () => !!app.view && !app.view.locked;
  const codeSelected = () => !!app.view?.activeView && app.view.activeView.cell.cellType === 'code';
  const view = () => app.view!;
  const selection = () => app.view!.selection;
  const edits = () => app.view!.edits;
  const commands: Command[] = [
    // File
    { id: 'notebook.new', title: 'New notebook', category: 'File', run: () => app.files.newNotebook() },
    { id: 'notebook.open', title: 'Open notebook…', category: 'File', keys: ['Ctrl+O'], keyMode: 'any', run: () => app.files.openDialog() },
    {
      id: 'notebook.save',
      title: 'Save',
      category: 'File',
      keys: ['Ctrl+S'],
      keyMode: 'any',
      enabled: hasDoc,
      run: async () => void (await saveNotebook(app)),
    },
    {
      id: 'notebook.saveAs',
      title: 'Save as…',
      category: 'File',
      keys: ['Ctrl+Shift+S'],
      keyMode: 'any',
      enabled: hasDoc,
      run: async () => void (await saveNotebook(app, true)),
    },
    { id: 'notebook.exportHtml', title: 'Export as HTML report…', category: 'File', enabled: hasDoc, run: () => exportReport(app, 'html') },
    { id: 'notebook.exportPdf', title: 'Export as PDF report…', category: 'File', enabled: hasDoc, run: () => exportReport(app, 'pdf') },
    { id: 'notebook.exportMarkdown', title: 'Export as Markdown…', category: 'File', enabled: hasDoc, run: () => exportReport(app, 'md') },
    { id: 'notebook.close', title: 'Close notebook', category: 'File', enabled: hasDoc, run: () => app.files.closeNotebook() },
    // Notebook
    { id: 'notebook.runAll', title: 'Run all cells', category: 'Notebook', enabled: hasDoc, run: () => app.runs.runAll() },
    { id: 'notebook.interruptAll', title: 'Stop all running cells', category: 'Notebook', keys: ['I I'], enabled: hasDoc, run: () => app.runs.interrupt() },
    {
      id: 'notebook.restart',
      title: 'Restart: stop cells, clear shell and TypeScript state',
      category: 'Notebook',
      keys: ['0 0'],
      enabled: hasDoc,
      run: () => app.runs.restart(),
    },
    { id: 'notebook.clearAllOutputs', title: 'Clear all outputs', category: 'Notebook', enabled: canEdit, run: () => edits().clearAllOutputs() },
    {
      id: 'notebook.trust',
      title: 'Trust notebook…',
      category: 'Notebook',
      enabled: () => !!app.doc && !app.doc.trusted,
      run: async () => void (await app.trust.ensureTrusted()),
    },
    {
      id: 'notebook.restoreBackup',
      title: 'Restore unsaved edits from the backup',
      category: 'Notebook',
      enabled: () => !!app.doc?.backup,
      run: () => app.files.restoreBackup(),
    },
    {
      id: 'notebook.runPendingCleanup',
      title: 'Run the cleanup cells of a run that did not finish',
      category: 'Notebook',
      enabled: () => !!app.doc?.pendingCleanup.length,
      run: () => app.cleanup.run(),
    },
    {
      id: 'notebook.dismissPendingCleanup',
      title: 'Dismiss the cleanup of a run that did not finish',
      category: 'Notebook',
      enabled: () => !!app.doc?.pendingCleanup.length,
      run: () => app.cleanup.dismiss(),
    },
    // Cell: running
    { id: 'cell.run', title: 'Run cell', category: 'Cell', keys: ['Ctrl+Enter'], keyMode: 'any', enabled: hasCell, run: () => view().runSelected() },
    {
      id: 'cell.runAndAdvance',
      title: 'Run cell and select below',
      category: 'Cell',
      keys: ['Shift+Enter'],
      keyMode: 'any',
      enabled: hasCell,
      run: () => view().runAndAdvance(),
    },
    {
      id: 'cell.runAndInsertBelow',
      title: 'Run cell and insert below',
      category: 'Cell',
      keys: ['Alt+Enter'],
      keyMode: 'any',
      enabled: hasCell,
      run: () => view().runAndInsertBelow(),
    },
    { id: 'cell.interrupt', title: 'Stop cell', category: 'Cell', enabled: codeSelected, run: () => view().interruptSelected() },
    // Cell: modes and selection
    { id: 'cell.edit', title: 'Edit cell (edit mode)', category: 'Cell', keys: ['Enter'], enabled: hasCell, run: () => selection().enterEdit() },
    {
      id: 'cell.commandMode',
      title: 'Leave the editor (command mode)',
      category: 'Cell',
      keys: ['Esc'],
      keyMode: 'edit',
      enabled: hasDoc,
      run: () => selection().enterCommand(),
    },
    { id: 'cell.selectPrevious', title: 'Select cell above', category: 'Cell', keys: ['K', 'Up'], enabled: hasCell, run: () => selection().selectRelative(-1) },
    { id: 'cell.selectNext', title: 'Select cell below', category: 'Cell', keys: ['J', 'Down'], enabled: hasCell, run: () => selection().selectRelative(1) },
    // Cell: structure
    { id: 'cell.insertAbove', title: 'Insert code cell above', category: 'Cell', keys: ['A'], enabled: canEdit, run: () => void edits().insertCell('above') },
    { id: 'cell.insertBelow', title: 'Insert code cell below', category: 'Cell', keys: ['B'], enabled: canEdit, run: () => void edits().insertCell('below') },
    {
      id: 'cell.insertMarkdownBelow',
      title: 'Insert markdown cell below',
      category: 'Cell',
      enabled: canEdit,
      run: () => void edits().insertCell('below', 'markdown'),
    },
    { id: 'cell.delete', title: 'Delete cell', category: 'Cell', keys: ['D D'], enabled: () => canEdit() && hasCell(), run: () => edits().deleteSelected() },
    { id: 'cell.undoDelete', title: 'Undo cell deletion', category: 'Cell', keys: ['Z'], enabled: canEdit, run: () => edits().undoDelete() },
    { id: 'cell.cut', title: 'Cut cell', category: 'Cell', keys: ['X'], enabled: () => canEdit() && hasCell(), run: () => edits().copySelected(true) },
    { id: 'cell.copy', title: 'Copy cell', category: 'Cell', keys: ['C'], enabled: hasCell, run: () => edits().copySelected() },
    { id: 'cell.paste', title: 'Paste cell below', category: 'Cell', keys: ['V'], enabled: canEdit, run: () => edits().paste('below') },
    { id: 'cell.pasteAbove', title: 'Paste cell above', category: 'Cell', keys: ['Shift+V'], enabled: canEdit, run: () => edits().paste('above') },
    {
      id: 'cell.moveUp',
      title: 'Move cell up',
      category: 'Cell',
      keys: ['Alt+Up'],
      enabled: () => canEdit() && hasCell(),
      run: () => edits().moveCell(view().activeCellId!, -1),
    },
    {
      id: 'cell.moveDown',
      title: 'Move cell down',
      category: 'Cell',
      keys: ['Alt+Down'],
      enabled: () => canEdit() && hasCell(),
      run: () => edits().moveCell(view().activeCellId!, 1),
    },
    // Cell: kind
    {
      id: 'cell.toCode',
      title: 'Change to code',
      category: 'Cell',
      keys: ['Y'],
      enabled: () => canEdit() && hasCell(),
      run: () =>
        edits().setSelectedKind(
          view().activeView!.cellKind === 'markdown' || view().activeView!.cellKind === 'raw'
            ? defaultLanguage(app.doc!.notebook)
            : view().activeView!.cellKind,
        ),
    },
    {
      id: 'cell.toMarkdown',
      title: 'Change to markdown',
      category: 'Cell',
      keys: ['M'],
      enabled: () => canEdit() && hasCell(),
      run: () => edits().setSelectedKind('markdown'),
    },
    { id: 'cell.toShell', title: 'Change to shell', category: 'Cell', enabled: () => canEdit() && hasCell(), run: () => edits().setSelectedKind('shell') },
    {
      id: 'cell.toBpftrace',
      title: 'Change to bpftrace',
      category: 'Cell',
      enabled: () => canEdit() && hasCell(),
      run: () => edits().setSelectedKind('bpftrace'),
    },
    {
      id: 'cell.toTypeScript',
      title: 'Change to TypeScript',
      category: 'Cell',
      enabled: () => canEdit() && hasCell(),
      run: () => edits().setSelectedKind('typescript'),
    },
    // Cell: outputs and display
    { id: 'cell.clearOutput', title: 'Clear cell output', category: 'Cell', enabled: () => canEdit() && codeSelected(), run: () => edits().clearOutput() },
    {
      id: 'cell.toggleInput',
      title: 'Hide or show the code of the cell',
      category: 'Cell',
      enabled: () => canEdit() && hasCell(),
      run: () => edits().toggleSelected('source'),
    },
    {
      id: 'cell.toggleOutput',
      title: 'Hide or show the outputs of the cell',
      category: 'Cell',
      keys: ['O'],
      enabled: () => canEdit() && codeSelected(),
      run: () => edits().toggleSelected('outputs'),
    },
    {
      id: 'cell.options',
      title: 'Cell options (name, background, timeout)…',
      category: 'Cell',
      enabled: codeSelected,
      run: () => (view().activeView?.element.querySelector('.pb-options-button') as HTMLButtonElement | null)?.click(),
    },
    // View and help
    {
      id: 'view.commandPalette',
      title: 'Show all commands',
      category: 'View',
      keys: ['Ctrl+Shift+P'],
      keyMode: 'any',
      run: () => openCommandPalette(app.commands),
    },
    {
      id: 'view.findInOutput',
      title: 'Find in output',
      category: 'View',
      keys: ['Ctrl+F'],
      enabled: hasCell,
      run: () => {
        if (!view().findInOutput()) toast('The selected cell has no text output to search.');
      },
    },
    { id: 'view.runTimeline', title: 'Show or hide the run timeline', category: 'View', keys: ['T'], enabled: hasDoc, run: () => app.timeline.toggle() },
    {
      id: 'view.toggleTheme',
      title: 'Switch between light, dark and the system theme',
      category: 'View',
      run: () => {
        const choice = app.theme.cycle();
        toast(choice === 'system' ? 'Theme: following the system' : `Theme: ${choice}`);
      },
    },
    { id: 'help.keyboardShortcuts', title: 'Keyboard shortcuts', category: 'Help', keys: ['H'], run: () => openKeyboardReference(app.commands) },
  ];
  for (const c of commands) app.commands.register(c);
  const missing = app.commands.missingMenuCommands();
  if (missing.length) console.error(`Probebook: menu commands without a page command: ${missing.join(', ')}`);
}
