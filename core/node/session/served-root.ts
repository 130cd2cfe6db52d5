/**
 * The folder a session serves. UIs name files relative to it; nothing outside it — by `..`, an
 * absolute path or a symlink — is listed, opened or written.
 */
import { realpath, readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { DirectoryEntry } from '../../common/protocol.ts';

export class OutsideRootError extends Error {
  override name = 'OutsideRootError';
}

export class ServedRoot {
  readonly #root: string;

  private constructor(root: string) {
    this.#root = root;
  }

  static async open(dir: string): Promise<ServedRoot> {
    return new ServedRoot(await realpath(resolve(dir)));
  }

  get path(): string {
    return this.#root;
  }

  /**
   * The absolute path of `path` (relative to the root, or absolute inside it), after following
   * symlinks of the parts that exist. Throws {@link OutsideRootError} for anything outside.
   */
  async resolve(path: string): Promise<string> {
    const wanted = isAbsolute(path) ? resolve(path) : resolve(this.#root, path);
    this.#check(wanted, path);
    // Follow links of the longest existing prefix, so a symlink cannot lead outside.
    let existing = wanted;
    let rest = '';
    for (;;) {
      try {
        const real = await realpath(existing);
        const full = rest ? join(real, rest) : real;
        this.#check(full, path);
        return full;
      } catch (error) {
        if (error instanceof OutsideRootError) throw error;
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        const parent = dirname(existing);
        if (parent === existing) throw error;
        rest = rest ? join(basename(existing), rest) : basename(existing);
        existing = parent;
      }
    }
  }

  /** The path as the UI shows it: relative to the root. */
  display(absolute: string): string {
    return relative(this.#root, absolute) || '.';
  }

  /** Folders and notebooks (and other files, marked) of one folder inside the root; hidden files skipped. */
  async list(path: string): Promise<{ path: string; entries: DirectoryEntry[] }> {
    const dir = await this.resolve(path || '.');
    const names = (await readdir(dir)).filter((n) => !n.startsWith('.'));
    const entries: DirectoryEntry[] = [];
    for (const name of names) {
      try {
        const info = await stat(join(dir, name));
        // Links that lead outside are left out rather than shown and refused later.
        if (info.isDirectory() || info.isFile()) {
          await this.resolve(join(dir, name));
          entries.push({ name, kind: info.isDirectory() ? 'directory' : 'file', size: info.isFile() ? info.size : undefined, mtimeMs: info.mtimeMs });
        }
      } catch {
        // vanished, unreadable, or outside the root
      }
    }
    entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1));
    return { path: this.display(dir), entries };
  }

  #check(absolute: string, asked: string): void {
    if (absolute !== this.#root && !absolute.startsWith(this.#root.endsWith(sep) ? this.#root : this.#root + sep)) {
      throw new OutsideRootError(`${asked} is outside the served folder ${this.#root}`);
    }
  }
}
