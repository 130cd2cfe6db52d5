/**
 * The page's keys: every key press goes through the keymap (Jupyter's command and edit modes) to
 * a command of the registry, unless a field, a button or Monaco's own widgets should have it.
 */
import type { CommandRegistry } from '../notebook/commands.ts';
import { Keymap } from '../notebook/keymap.ts';
import { dialogOpen } from './dialog.ts';

export function listenForKeys(commands: CommandRegistry): void {
  const keymap = new Keymap(() => commands.all());
  window.addEventListener('keydown', (e) => onKey(e, keymap, commands), true);
}

function onKey(e: KeyboardEvent, keymap: Keymap, commands: CommandRegistry): void {
  if (dialogOpen() || e.defaultPrevented || e.isComposing) return;
  const target = e.target instanceof HTMLElement ? e.target : null;
  const inEditor = !!target?.closest('.monaco-editor');
  const inField = !inEditor && !!target?.closest('input, textarea, select, [contenteditable], .pb-popover');
  const onButton = !!target?.closest('button, a, summary');
  const mode = inEditor ? 'edit' : 'command';
  const match = keymap.match(e, mode);
  if (!match) {
    // The first D of "D D" must not scroll or type anything.
    if (keymap.waiting && !inField) e.preventDefault();
    return;
  }
  const chord = match.keys;
  const global = chord.startsWith('Ctrl+');
  if (inField && !global) return;
  if (onButton && (chord === 'Enter' || chord === 'Space')) return;
  // Esc closes Monaco's own widgets (suggestions, find) before it leaves the editor.
  if (
    inEditor &&
    chord === 'Esc' &&
    target?.closest('.monaco-editor')?.querySelector('.suggest-widget.visible, .find-widget.visible, .parameter-hints-widget.visible')
  )
    return;
  if (!commands.isEnabled(match.command.id)) return;
  e.preventDefault();
  e.stopPropagation();
  commands.run(match.command.id);
}
