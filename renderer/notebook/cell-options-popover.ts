/**
 * The options of a code cell in a popover: name, background, timeout (and who it runs as,
 * bpftrace's --unsafe). Values are checked as the runner checks them; changes are applied when
 * valid, as one `set_cell_metadata` edit.
 */
import { parseDuration } from '../../core/common/notebook/cell-options.ts';
import type { Cell, JsonObject } from '../../core/common/notebook/model.ts';
import { h } from '../outputs/dom.ts';
import type { CellKind } from './cell-kind.ts';
import { probebookMetadata, withProbebookMetadata } from './cell-kind.ts';
import { iconButton } from './icons.ts';

export interface OptionsPopoverHandle {
  close(): void;
}

let open: { close(): void } | null = null;

/** Opens the options of `cell` under `anchor`; `apply` receives the new metadata. */
export function openCellOptions(
  anchor: HTMLElement,
  cell: Cell,
  kind: CellKind,
  apply: (metadata: JsonObject) => void,
  readOnly: boolean,
): OptionsPopoverHandle {
  open?.close();
  const current = probebookMetadata(cell);
  const error = h('p', 'pb-pop-error');
  error.setAttribute('role', 'alert');

  const name = input('text', typeof current.name === 'string' ? current.name : '', 'e.g. measure');
  const timeout = input(
    'text',
    typeof current.timeout === 'string' ? current.timeout : typeof current.timeout === 'number' ? `${current.timeout}s` : '',
    'e.g. 10s, 2m, 500ms',
  );
  const background = checkbox(current.background === true);
  const asUser = checkbox(current.user === true);
  const unsafe = checkbox(current.unsafe === true);

  const rows: HTMLElement[] = [
    field('Name', name, 'Other cells refer to it: cell("measure").'),
    field('Timeout', timeout, 'Stops the cell after this long; a timeout counts as success ("trace for 10 s").'),
    toggle('Run in the background', background, 'Run All starts it and goes on; it is stopped when the run ends.'),
    toggle('Run as my user, not root', asUser, 'For commands that need no privileges.'),
  ];
  if (kind === 'bpftrace') rows.push(toggle('Allow unsafe bpftrace (--unsafe)', unsafe, 'Needed for system(), signal() and override().'));

  const close = () => {
    resize.disconnect();
    popover.remove();
    document.removeEventListener('pointerdown', outside, true);
    document.removeEventListener('keydown', onKey, true);
    if (open === handle) open = null;
    anchor.focus();
  };
  const save = () => {
    const t = timeout.value.trim();
    if (t) {
      try {
        parseDuration(t);
      } catch (e) {
        error.textContent = `Timeout: ${(e as Error).message}`;
        timeout.focus();
        return;
      }
    }
    error.textContent = '';
    const changes = {
      name: name.value.trim() || undefined,
      timeout: t || undefined,
      background: background.checked || undefined,
      user: asUser.checked || undefined,
      unsafe: kind === 'bpftrace' ? unsafe.checked || undefined : current.unsafe,
    };
    const next = withProbebookMetadata(cell, changes);
    if (JSON.stringify(next) !== JSON.stringify(cell.metadata)) apply(next);
    close();
  };
  const saveButton = h('button', 'pb-btn-primary', 'Apply');
  saveButton.type = 'button';
  saveButton.disabled = readOnly;
  saveButton.addEventListener('click', save);
  const cancel = h('button', 'pb-btn-secondary', 'Cancel');
  cancel.type = 'button';
  cancel.addEventListener('click', close);

  const popover = h(
    'div',
    'pb-popover pb-cell-options',
    h('div', 'pb-pop-head', h('strong', '', 'Cell options'), iconButton('close', 'Close', close)),
    ...rows,
    error,
    h('div', 'pb-pop-actions', cancel, saveButton),
  );
  popover.setAttribute('role', 'dialog');
  popover.setAttribute('aria-label', 'Cell options');
  popover.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.target as HTMLElement).tagName === 'INPUT') {
      e.preventDefault();
      save();
    }
  });
  document.body.append(popover);
  // Below the button when it fits, else above it; again whenever the popover grows (an error line).
  const place = () => {
    const r = anchor.getBoundingClientRect();
    const width = popover.offsetWidth;
    const height = popover.offsetHeight;
    popover.style.left = `${Math.max(8, Math.min(window.innerWidth - width - 8, r.right - width))}px`;
    const below = r.bottom + 6;
    const top = below + height <= window.innerHeight - 8 ? below : Math.max(8, r.top - 6 - height);
    popover.style.top = `${top}px`;
  };
  place();
  const resize = new ResizeObserver(place);
  resize.observe(popover);
  function outside(e: PointerEvent): void {
    if (!popover.contains(e.target as Node)) close();
  }
  function onKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  }
  document.addEventListener('pointerdown', outside, true);
  document.addEventListener('keydown', onKey, true);
  name.focus();
  const handle = { close };
  open = handle;
  return handle;
}

function input(type: string, value: string, placeholder: string): HTMLInputElement {
  const i = h('input', 'pb-input');
  i.type = type;
  i.value = value;
  i.placeholder = placeholder;
  i.spellcheck = false;
  return i;
}

function checkbox(checked: boolean): HTMLInputElement {
  const c = h('input');
  c.type = 'checkbox';
  c.checked = checked;
  return c;
}

function field(label: string, control: HTMLInputElement, hint: string): HTMLElement {
  const l = h('label', 'pb-field', h('span', 'pb-field-label', label), control, h('span', 'pb-field-hint', hint));
  return l;
}

function toggle(label: string, control: HTMLInputElement, hint: string): HTMLElement {
  return h('label', 'pb-toggle', control, h('span', '', h('span', 'pb-field-label', label), h('span', 'pb-field-hint', hint)));
}
