/**
 * The command palette (Ctrl+Shift+P): every command of the registry with its shortcut, filtered
 * as you type; Enter runs the highlighted one. And the keyboard reference (the same registry, as
 * a table by mode).
 */
import { h } from '../outputs/dom.ts';
import type { Command, CommandRegistry } from '../notebook/commands.ts';
import { formatKeys } from '../notebook/keymap.ts';
import { openDialog } from './dialog.ts';

/** Whether every word of the query is found in the text (case-insensitive). */
function matchesQuery(text: string, query: string): boolean {
  const t = text.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => t.includes(w));
}

export function openCommandPalette(registry: CommandRegistry): void {
  const d = openDialog('Command palette', { className: 'pb-palette' });
  const input = h('input', 'pb-input pb-palette-input');
  input.placeholder = 'Type a command…';
  input.setAttribute('aria-label', 'Command');
  input.spellcheck = false;
  const list = h('div', 'pb-palette-list');
  list.setAttribute('role', 'listbox');
  d.body.append(input, list);
  let shown: Command[] = [];
  let active = 0;
  const commands = registry.all().sort((a, b) => a.category.localeCompare(b.category) || a.title.localeCompare(b.title));

  const draw = () => {
    shown = commands.filter((c) => matchesQuery(`${c.category}: ${c.title} ${c.id} ${formatKeys(c.keys)}`, input.value));
    active = Math.min(active, Math.max(0, shown.length - 1));
    list.replaceChildren(
      ...shown.map((c, i) => {
        const enabled = registry.isEnabled(c.id);
        const item = h(
          'div',
          `pb-palette-item${i === active ? ' pb-active' : ''}${enabled ? '' : ' pb-disabled'}`,
          h('span', 'pb-palette-cat', `${c.category}: `),
          h('span', 'pb-palette-title', c.title),
          h('span', 'pb-palette-keys', formatKeys(c.keys)),
        );
        item.setAttribute('role', 'option');
        item.setAttribute('aria-selected', String(i === active));
        item.dataset['command'] = c.id;
        item.addEventListener('mousedown', (e) => {
          e.preventDefault();
          active = i;
          runActive();
        });
        return item;
      }),
    );
    if (shown.length === 0) list.append(h('div', 'pb-palette-none', 'No command matches. Try fewer words.'));
    list.querySelector('.pb-active')?.scrollIntoView({ block: 'nearest' });
  };
  const runActive = () => {
    const c = shown[active];
    if (!c || !registry.isEnabled(c.id)) return;
    d.close();
    // After the dialog is gone, so focus returns to the notebook first.
    void d.closed.then(() => registry.run(c.id));
  };
  input.addEventListener('input', () => {
    active = 0;
    draw();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : -1) + shown.length) % Math.max(1, shown.length);
      draw();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      runActive();
    }
  });
  draw();
  input.focus();
}

export function openKeyboardReference(registry: CommandRegistry): void {
  const d = openDialog('Keyboard shortcuts', { wide: true, className: 'pb-keys' });
  const section = (title: string, filter: (c: Command) => boolean) => {
    const rows = registry
      .all()
      .filter((c) => c.keys?.length && filter(c))
      .map((c) => h('tr', '', h('td', 'pb-keys-keys', ...c.keys!.map((k) => h('kbd', '', k.split(' ').join(', ')))), h('td', '', c.title)));
    return h('section', '', h('h3', '', title), h('table', 'pb-keys-table', h('tbody', '', ...rows)));
  };
  d.body.append(
    h(
      'p',
      'pb-muted',
      'Command mode (Esc) acts on cells; edit mode (Enter) types into the selected cell. Every command is also in the palette (Ctrl+Shift+P).',
    ),
    h(
      'div',
      'pb-keys-columns',
      section('Command mode', (c) => (c.keyMode ?? 'command') === 'command'),
      section('Both modes', (c) => c.keyMode === 'any' || c.keyMode === 'edit'),
    ),
  );
}
