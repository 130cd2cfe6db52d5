/**
 * Browser mode's Open and Save As: a file browser of the served folder (`list_directory`), with
 * folders to walk into and notebooks to pick; Save As adds a file name. Paths are relative to
 * the served folder, as the host takes them.
 */
import { formatBytes } from '../../core/common/format.ts';
import type { DirectoryEntry } from '../../core/common/protocol.ts';
import type { HostConnection } from '../connection/host-connection.ts';
import { h } from '../outputs/dom.ts';
import { icon } from '../notebook/icons.ts';
import { dialogButton, openDialog } from './dialog.ts';

/** `a/b` + `c` → `a/b/c`; `.` is the served folder. */
function join(dir: string, name: string): string {
  return dir === '.' || dir === '' ? name : `${dir.replace(/\/$/, '')}/${name}`;
}

function parent(dir: string): string {
  const i = dir.replace(/\/$/, '').lastIndexOf('/');
  return i <= 0 ? '.' : dir.slice(0, i);
}

function dirOf(path: string | null): string {
  if (!path) return '.';
  const i = path.lastIndexOf('/');
  return i <= 0 ? '.' : path.slice(0, i);
}

/**
 * Shows the browser; resolves with the chosen path (relative to the served folder) or null.
 * `mode: 'save'` asks for a file name too, defaulting to `suggested`.
 */
export function browseFiles(connection: HostConnection, options: { mode: 'open' | 'save'; start?: string | null; suggested?: string }): Promise<string | null> {
  return new Promise((resolve) => {
    let chosen: string | null = null;
    let dir = dirOf(options.start ?? null);
    const d = openDialog(options.mode === 'open' ? 'Open a notebook' : 'Save the notebook as', { wide: true, className: 'pb-files' });
    const crumbs = h('div', 'pb-crumbs');
    const list = h('div', 'pb-file-list');
    list.setAttribute('role', 'listbox');
    const note = h('p', 'pb-file-note');
    const name = h('input', 'pb-input pb-file-name');
    name.placeholder = 'lab.ipynb';
    name.spellcheck = false;
    name.value = options.suggested ?? 'Untitled.ipynb';
    const error = h('p', 'pb-pop-error');
    d.body.append(crumbs, list, note);
    if (options.mode === 'save') d.body.append(h('label', 'pb-field', h('span', 'pb-field-label', 'File name'), name), error);

    const finish = (path: string) => {
      chosen = path;
      d.close();
    };
    const submitSave = () => {
      let file = name.value.trim();
      if (!file) {
        error.textContent = 'Type a file name.';
        name.focus();
        return;
      }
      if (file.includes('/') || file === '.' || file === '..') {
        error.textContent = 'Type a name without "/": pick the folder above.';
        return;
      }
      if (!file.endsWith('.ipynb')) file += '.ipynb';
      finish(join(dir, file));
    };
    if (options.mode === 'save') {
      d.footer.append(dialogButton('Cancel', d.close), dialogButton('Save', submitSave, 'primary'));
      name.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          submitSave();
        }
      });
    } else d.footer.append(dialogButton('Cancel', d.close));

    const load = async (target: string) => {
      list.replaceChildren(h('div', 'pb-file-loading', 'Loading…'));
      note.textContent = '';
      let entries: DirectoryEntry[];
      try {
        const listing = await connection.request({ type: 'list_directory', path: target });
        entries = listing.entries;
        dir = listing.path || target;
      } catch (e) {
        list.replaceChildren(h('div', 'pb-file-error', `${target === '.' ? 'The served folder' : target} cannot be listed: ${(e as Error).message}`));
        return;
      }
      crumbs.replaceChildren();
      const parts = dir === '.' ? [] : dir.split('/');
      const rootCrumb = h('button', 'pb-crumb', icon('folder'), 'Served folder');
      rootCrumb.type = 'button';
      rootCrumb.addEventListener('click', () => void load('.'));
      crumbs.append(rootCrumb);
      parts.forEach((p, i) => {
        const b = h('button', 'pb-crumb', p);
        b.type = 'button';
        b.addEventListener('click', () => void load(parts.slice(0, i + 1).join('/')));
        crumbs.append(h('span', 'pb-crumb-sep', '/'), b);
      });
      list.replaceChildren();
      if (dir !== '.') list.append(row('folder', '..', 'Up one folder', () => void load(parent(dir))));
      const sorted = [...entries].sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1));
      let notebooks = 0;
      for (const e of sorted) {
        if (e.kind === 'directory') list.append(row('folder', e.name, '', () => void load(join(dir, e.name))));
        else if (e.name.endsWith('.ipynb')) {
          notebooks++;
          list.append(
            row('notebook', e.name, describe(e), () => {
              if (options.mode === 'open') finish(join(dir, e.name));
              else {
                name.value = e.name;
                name.focus();
              }
            }),
          );
        }
      }
      if (notebooks === 0)
        note.textContent =
          options.mode === 'open'
            ? 'No notebooks (.ipynb) in this folder. Pick another folder, or close this and create a new notebook.'
            : 'No notebooks here yet.';
      (list.querySelector('button') as HTMLButtonElement | null)?.focus();
      if (options.mode === 'save') name.focus();
    };
    void load(dir);
    void d.closed.then(() => resolve(chosen));
  });
}

function row(kind: 'folder' | 'notebook', name: string, detail: string, onPick: () => void): HTMLButtonElement {
  const b = h('button', `pb-file pb-file-${kind}`, icon(kind), h('span', 'pb-file-label', name), h('span', 'pb-file-detail', detail));
  b.type = 'button';
  b.setAttribute('role', 'option');
  b.addEventListener('click', onPick);
  b.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') (b.nextElementSibling as HTMLElement | null)?.focus();
    if (e.key === 'ArrowUp') (b.previousElementSibling as HTMLElement | null)?.focus();
  });
  return b;
}

function describe(e: DirectoryEntry): string {
  const parts: string[] = [];
  if (e.size !== undefined) parts.push(formatBytes(e.size));
  if (e.mtimeMs !== undefined) parts.push(new Date(e.mtimeMs).toLocaleString());
  return parts.join(' · ');
}
