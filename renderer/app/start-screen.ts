/**
 * What the page shows with no notebook open: what went wrong (if something did), New and Open,
 * recent notebooks, and the notebooks of the served folder — each a click away.
 */
import type { HostConnection } from '../connection/host-connection.ts';
import { h } from '../outputs/dom.ts';
import { icon } from '../notebook/icons.ts';
import type { RecentFile } from './recent-files.ts';

export interface StartScreenOptions {
  root: string;
  problem?: string;
  electron: boolean;
  recent: RecentFile[];
  connection: HostConnection;
  open(path: string): void;
  newNotebook(): void;
  openDialog(): void;
}

export function renderStartScreen(main: HTMLElement, o: StartScreenOptions): void {
  const action = (name: 'newFile' | 'folder', label: string, detail: string, run: () => void) => {
    const b = h('button', 'pb-start-action', icon(name), h('span', '', h('strong', '', label), h('span', 'pb-muted', detail)));
    b.type = 'button';
    b.addEventListener('click', run);
    return b;
  };
  const fileButton = (path: string, detail: string) => {
    const b = h('button', 'pb-start-file', icon('notebook'), h('span', 'pb-file-label', path), h('span', 'pb-file-detail', detail));
    b.type = 'button';
    b.addEventListener('click', () => o.open(path));
    return b;
  };
  const problem = o.problem ? h('div', 'pb-banner pb-banner-error', icon('alert'), h('span', 'pb-banner-text', o.problem)) : null;
  const recent = o.recent.length
    ? h('section', 'pb-start-section', h('h2', '', 'Recent'), ...o.recent.map((f) => fileButton(f.path, new Date(f.openedAt).toLocaleString())))
    : null;
  const folderList = h('div', 'pb-start-list', h('p', 'pb-muted', 'Loading…'));
  const folder = h(
    'section',
    'pb-start-section',
    h('h2', '', o.electron ? 'Notebooks' : 'In the served folder'),
    h('p', 'pb-muted pb-start-root', o.root),
    folderList,
  );
  main.replaceChildren(
    h(
      'div',
      'pb-start',
      h(
        'div',
        'pb-start-hero',
        icon('logo', 'pb-start-logo'),
        h('h1', '', 'Probebook'),
        h('p', 'pb-muted', 'Notebooks for Linux networking and eBPF labs: shell, bpftrace and TypeScript cells, live outputs.'),
      ),
      problem,
      h(
        'div',
        'pb-start-actions',
        action('newFile', 'New notebook', 'An empty notebook with a shell cell', o.newNotebook),
        action('folder', 'Open…', o.electron ? 'Pick a .ipynb file' : 'Browse the served folder', o.openDialog),
      ),
      recent,
      folder,
    ),
  );
  void (async () => {
    try {
      const listing = await o.connection.request({ type: 'list_directory', path: '.' });
      const notebooks = listing.entries.filter((e) => e.kind === 'file' && e.name.endsWith('.ipynb')).sort((a, b) => a.name.localeCompare(b.name));
      const folders = listing.entries.filter((e) => e.kind === 'directory').length;
      folderList.replaceChildren(...notebooks.map((e) => fileButton(e.name, e.mtimeMs ? new Date(e.mtimeMs).toLocaleString() : '')));
      if (notebooks.length === 0)
        folderList.append(
          h(
            'p',
            'pb-muted',
            `No notebooks here${folders ? ` (${folders} folder${folders === 1 ? '' : 's'}: use Open… to look inside)` : ''}. Create one with New notebook.`,
          ),
        );
    } catch (error) {
      folderList.replaceChildren(h('p', 'pb-muted', `The folder cannot be listed: ${(error as Error).message}`));
    }
  })();
}
