import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandRegistry, type Command } from './commands.ts';
import { chordOf, Keymap, SEQUENCE_TIMEOUT_MS } from './keymap.ts';

const key = (k: string, mods: Partial<{ ctrl: boolean; shift: boolean; alt: boolean; meta: boolean }> = {}) => ({
  key: k,
  ctrlKey: !!mods.ctrl,
  shiftKey: !!mods.shift,
  altKey: !!mods.alt,
  metaKey: !!mods.meta,
});

function registry() {
  const ran: string[] = [];
  const r = new CommandRegistry();
  const add = (id: string, keys: string[], keyMode?: Command['keyMode']) =>
    r.register({ id, title: id, category: 'Cell', keys, keyMode, run: () => void ran.push(id) });
  add('cell.runAndAdvance', ['Shift+Enter'], 'any');
  add('cell.delete', ['D D']);
  add('cell.insertAbove', ['A']);
  add('notebook.interruptAll', ['I I']);
  add('notebook.restart', ['0 0']);
  add('cell.selectNext', ['J', 'Down']);
  add('view.commandPalette', ['Ctrl+Shift+P'], 'any');
  add('notebook.save', ['Ctrl+S'], 'any');
  return { r, ran, keymap: new Keymap(() => r.all()) };
}

test('chords name modifiers in a fixed order; Cmd counts as Ctrl', () => {
  assert.equal(chordOf(key('Enter', { shift: true })), 'Shift+Enter');
  assert.equal(chordOf(key('p', { ctrl: true, shift: true })), 'Ctrl+Shift+P');
  assert.equal(chordOf(key('P', { meta: true, shift: true })), 'Ctrl+Shift+P');
  assert.equal(chordOf(key('a')), 'A');
  assert.equal(chordOf(key('V', { shift: true })), 'Shift+V');
  assert.equal(chordOf(key('?', { shift: true })), '?');
  assert.equal(chordOf(key('ArrowDown')), 'Down');
  assert.equal(chordOf(key('Shift', { shift: true })), '');
});

test('single keys act in command mode only, and not while typing', () => {
  const { keymap } = registry();
  assert.equal(keymap.match(key('a'), 'command')?.command.id, 'cell.insertAbove');
  assert.equal(keymap.match(key('a'), 'edit'), null);
  assert.equal(keymap.match(key('Enter', { shift: true }), 'edit')?.command.id, 'cell.runAndAdvance');
  assert.equal(keymap.match(key('s', { ctrl: true }), 'edit')?.command.id, 'notebook.save');
  assert.equal(keymap.match(key('ArrowDown'), 'command')?.command.id, 'cell.selectNext');
});

test('D D deletes only when D is pressed twice in time', () => {
  const { keymap } = registry();
  assert.equal(keymap.match(key('d'), 'command', 1000), null);
  assert.equal(keymap.waiting, true);
  assert.equal(keymap.match(key('d'), 'command', 1200)?.command.id, 'cell.delete');
  // Too slow: the second D starts a new sequence instead.
  assert.equal(keymap.match(key('d'), 'command', 5000), null);
  assert.equal(keymap.match(key('d'), 'command', 5000 + SEQUENCE_TIMEOUT_MS + 1), null);
  // Another key in between cancels.
  keymap.reset();
  keymap.match(key('i'), 'command', 100);
  assert.equal(keymap.match(key('a'), 'command', 150)?.command.id, 'cell.insertAbove');
  assert.equal(keymap.match(key('i'), 'command', 200), null);
  assert.equal(keymap.match(key('i'), 'command', 250)?.command.id, 'notebook.interruptAll');
  keymap.match(key('0'), 'command', 300);
  assert.equal(keymap.match(key('0'), 'command', 350)?.command.id, 'notebook.restart');
});

test('a disabled or failing command reports instead of breaking the page', async () => {
  const r = new CommandRegistry();
  const failures: string[] = [];
  r.onFailure((c, e) => failures.push(`${c.id}: ${(e as Error).message}`));
  r.register({ id: 'a', title: 'A', category: 'Cell', run: () => Promise.reject(new Error('no cell')) });
  r.register({ id: 'b', title: 'B', category: 'Cell', run: () => undefined, enabled: () => false });
  assert.equal(r.run('a'), true);
  assert.equal(r.run('b'), false);
  assert.equal(r.run('nope'), false);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(failures, ['a: no cell']);
  assert.ok(r.missingMenuCommands().includes('cell.run'));
});
