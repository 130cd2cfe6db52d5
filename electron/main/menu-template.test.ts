import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MenuItemConstructorOptions } from 'electron';
import { MENU_COMMANDS, type MenuCommandId } from '../../core/common/bridge.ts';
import { APP_MENU, buildMenuTemplate, type MainAction } from './menu-template.ts';

function build() {
  const sent: MenuCommandId[] = [];
  const actions: MainAction[] = [];
  const template = buildMenuTemplate(APP_MENU, { command: (c) => sent.push(c), action: (a) => actions.push(a) });
  const items = template.flatMap((section) => section.submenu as MenuItemConstructorOptions[]);
  return { template, items, sent, actions };
}

function click(item: MenuItemConstructorOptions): void {
  (item.click as () => void)();
}

test('has the File, Edit, Cell, View and Help menus', () => {
  assert.deepEqual(
    build().template.map((s) => s.label?.replace('&', '')),
    ['File', 'Edit', 'Cell', 'View', 'Help'],
  );
});

test('every page command is in the menu, once, and a click sends exactly its id', () => {
  const { items, sent } = build();
  const commandItems = items.filter((i) => i.id !== undefined);
  assert.deepEqual(commandItems.map((i) => i.id).sort(), [...MENU_COMMANDS].sort());
  for (const item of commandItems) click(item);
  assert.deepEqual(
    sent,
    commandItems.map((i) => i.id),
  );
});

test('the page keeps its keys: command shortcuts are shown but never registered', () => {
  const { items } = build();
  const withShortcut = items.filter((i) => i.id !== undefined && i.accelerator !== undefined);
  assert.ok(withShortcut.some((i) => i.accelerator === 'Shift+Enter'));
  assert.ok(
    withShortcut.some((i) => i.accelerator === 'A'),
    'Jupyter single-key shortcuts are shown',
  );
  for (const item of withShortcut) assert.equal(item.registerAccelerator, false, `${item.label} (${item.accelerator})`);
});

test('New Window is done by main, with its own accelerator', () => {
  const { items, actions, sent } = build();
  const newWindow = items.find((i) => i.label === 'New Window');
  assert.ok(newWindow);
  assert.equal(newWindow.registerAccelerator, undefined);
  click(newWindow);
  assert.deepEqual(actions, ['newWindow']);
  assert.deepEqual(sent, []);
});

test('editing and window roles are native, so they work in Monaco and text fields', () => {
  const roles = build()
    .items.map((i) => i.role)
    .filter(Boolean);
  for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'close', 'quit', 'reload', 'togglefullscreen', 'about']) {
    assert.ok(roles.includes(role as MenuItemConstructorOptions['role']), role);
  }
});
