/**
 * Recently opened notebooks, per served folder (paths are relative to it), in localStorage.
 */
const KEY = 'probebook.recent';
const MAX = 12;

export interface RecentFile {
  path: string;
  title: string;
  openedAt: number;
}

type Store = Record<string, RecentFile[]>;

function read(): Store {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? '{}') as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Store) : {};
  } catch {
    return {};
  }
}

function write(store: Store): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(store));
  } catch {
    // Storage full or off: the list is a convenience.
  }
}

/** The recent notebooks of a folder, newest first. */
export function recentFiles(root: string): RecentFile[] {
  const list = read()[root];
  return Array.isArray(list) ? list.filter((f) => typeof f?.path === 'string').slice(0, MAX) : [];
}

export function addRecentFile(root: string, file: { path: string; title: string }): void {
  const store = read();
  const list = (store[root] ?? []).filter((f) => f.path !== file.path);
  list.unshift({ ...file, openedAt: Date.now() });
  store[root] = list.slice(0, MAX);
  write(store);
}

export function removeRecentFile(root: string, path: string): void {
  const store = read();
  store[root] = (store[root] ?? []).filter((f) => f.path !== path);
  write(store);
}
