/**
 * The app menu (File, Edit, Cell, View, Help) as data, and its translation into Electron's
 * template. Command items do not act themselves: they send their command id to the focused page,
 * which runs it through the same registry as its shortcuts and palette. Their accelerators are
 * shown but not registered, because the page's keymap (Jupyter's command/edit modes) owns the keys.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommandId } from '../../core/common/bridge.ts';

type Role = NonNullable<MenuItemConstructorOptions['role']>;

/** What main does itself, because no page may exist yet or the window is the subject. */
export type MainAction = 'newWindow';

export type MenuEntry =
  | { kind: 'command'; label: string; command: MenuCommandId; shortcut?: string }
  | { kind: 'action'; label: string; action: MainAction; accelerator: string }
  | { kind: 'role'; role: Role; label?: string }
  | { kind: 'separator' };

export interface MenuSection {
  label: string;
  entries: MenuEntry[];
}

const cmd = (label: string, command: MenuCommandId, shortcut?: string): MenuEntry => ({ kind: 'command', label, command, shortcut });
const role = (r: Role, label?: string): MenuEntry => ({ kind: 'role', role: r, label });
const separator: MenuEntry = { kind: 'separator' };

export const APP_MENU: readonly MenuSection[] = [
  {
    label: '&File',
    entries: [
      cmd('New Notebook', 'notebook.new'),
      { kind: 'action', label: 'New Window', action: 'newWindow', accelerator: 'CmdOrCtrl+Shift+N' },
      cmd('Open…', 'notebook.open', 'CmdOrCtrl+O'),
      separator,
      cmd('Save', 'notebook.save', 'CmdOrCtrl+S'),
      cmd('Save As…', 'notebook.saveAs', 'CmdOrCtrl+Shift+S'),
      separator,
      cmd('Export as HTML Report…', 'notebook.exportHtml'),
      cmd('Export as PDF Report…', 'notebook.exportPdf'),
      cmd('Export as Markdown…', 'notebook.exportMarkdown'),
      separator,
      cmd('Close Notebook', 'notebook.close'),
      role('close', 'Close Window'),
      role('quit'),
    ],
  },
  {
    label: '&Edit',
    entries: [
      role('undo'),
      role('redo'),
      separator,
      role('cut'),
      role('copy'),
      role('paste'),
      role('selectAll'),
      separator,
      cmd('Cut Cell', 'cell.cut', 'X'),
      cmd('Copy Cell', 'cell.copy', 'C'),
      cmd('Paste Cell Below', 'cell.paste', 'V'),
      cmd('Delete Cell', 'cell.delete'),
      cmd('Undo Delete Cell', 'cell.undoDelete', 'Z'),
      separator,
      cmd('Find in Output', 'view.findInOutput'),
    ],
  },
  {
    label: '&Cell',
    entries: [
      cmd('Run Cell', 'cell.run', 'Ctrl+Enter'),
      cmd('Run Cell and Select Below', 'cell.runAndAdvance', 'Shift+Enter'),
      cmd('Run Cell and Insert Below', 'cell.runAndInsertBelow', 'Alt+Enter'),
      cmd('Stop Cell', 'cell.interrupt'),
      separator,
      cmd('Run All', 'notebook.runAll'),
      cmd('Stop All', 'notebook.interruptAll'),
      cmd('Restart', 'notebook.restart'),
      separator,
      cmd('Insert Cell Above', 'cell.insertAbove', 'A'),
      cmd('Insert Cell Below', 'cell.insertBelow', 'B'),
      cmd('Move Cell Up', 'cell.moveUp'),
      cmd('Move Cell Down', 'cell.moveDown'),
      separator,
      cmd('Change to Code', 'cell.toCode', 'Y'),
      cmd('Change to Markdown', 'cell.toMarkdown', 'M'),
      separator,
      cmd('Clear Output', 'cell.clearOutput'),
      cmd('Clear All Outputs', 'notebook.clearAllOutputs'),
      cmd('Collapse/Expand Input', 'cell.toggleInput'),
      cmd('Collapse/Expand Output', 'cell.toggleOutput'),
    ],
  },
  {
    label: '&View',
    entries: [
      cmd('Command Palette…', 'view.commandPalette', 'CmdOrCtrl+Shift+P'),
      cmd('Run Timeline', 'view.runTimeline', 'T'),
      separator,
      role('reload'),
      role('toggleDevTools'),
      separator,
      role('resetZoom'),
      role('zoomIn'),
      role('zoomOut'),
      separator,
      role('togglefullscreen'),
    ],
  },
  {
    label: '&Help',
    entries: [cmd('Keyboard Shortcuts', 'help.keyboardShortcuts'), separator, role('about')],
  },
];

/** What the menu's items call in main. */
export interface MenuHandlers {
  /** Sends a command to the focused notebook window (opening one if there is none). */
  command(command: MenuCommandId): void;
  action(action: MainAction): void;
}

/** Electron's template for `sections`, items bound to `handlers`. Pure: no Electron at runtime. */
export function buildMenuTemplate(sections: readonly MenuSection[], handlers: MenuHandlers): MenuItemConstructorOptions[] {
  return sections.map((section) => ({
    label: section.label,
    // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every kind (TypeScript checks it)
    submenu: section.entries.map((entry): MenuItemConstructorOptions => {
      switch (entry.kind) {
        case 'separator':
          return { type: 'separator' };
        case 'role':
          return entry.label === undefined ? { role: entry.role } : { role: entry.role, label: entry.label };
        case 'action':
          return { label: entry.label, accelerator: entry.accelerator, click: () => handlers.action(entry.action) };
        case 'command':
          return {
            label: entry.label,
            id: entry.command,
            // The page's keymap owns the key (and its modes); the menu only shows it.
            ...(entry.shortcut === undefined ? {} : { accelerator: entry.shortcut, registerAccelerator: false }),
            click: () => handlers.command(entry.command),
          };
      }
    }),
  }));
}
