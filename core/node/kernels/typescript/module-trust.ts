/**
 * Which module files a TypeScript context running as root may load (docs/security.md, "Another local user"; issue 12): only
 * code no other local user could have written. The file, and every folder from `/` to it, must
 * belong to root or the invoking user, and no one else may be able to change them: no write for
 * others, nor for a group with anyone else in it. A folder above the file's own folder may be
 * writable by all if it is sticky (like /tmp), since then no one can rename or remove what is not
 * theirs. Both the path as named and its real path (links followed) must pass. Probebook's own
 * install is not checked.
 *
 * Used in the context itself and in its module hooks thread (module-trust-hooks.ts): no state
 * besides what the constructor reads from /etc/passwd and /etc/group.
 */
import { lstatSync, readFileSync, realpathSync, type Stats } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/** What crosses to the hooks thread: enough to build the same {@link ModuleTrust} there. */
export interface ModuleTrustData {
  /** The user Probebook runs for (SUDO_UID/PKEXEC_UID, or root itself). */
  invokingUid: number;
  /** Probebook's own install (its real path): its code and packages are loaded unchecked. */
  installRoot: string;
}

interface Finding {
  path: string;
  stats: Stats;
  why: 'owner' | 'writable';
}

function readTable(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(':'));
  } catch {
    return []; // no such table: no names, and no group counts as private
  }
}

/** `pkg` or `@scope/pkg` of the last `node_modules` in `path`, or undefined. */
function packageIn(path: string): string | undefined {
  const at = path.lastIndexOf(`${sep}node_modules${sep}`);
  return at < 0 ? undefined : /^\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path.slice(at))?.[1];
}

const modeOf = (stats: Stats) => (stats.mode & 0o7777).toString(8).padStart(4, '0');

export class ModuleTrust {
  readonly data: ModuleTrustData;
  readonly #uids: Set<number>;
  /** Groups whose every member (listed, or by primary group) is a trusted user: e.g. a user's private group. */
  readonly #gids = new Set<number>();
  readonly #users = new Map<number, string>();
  readonly #groups = new Map<number, string>();

  constructor(data: ModuleTrustData) {
    this.data = data;
    this.#uids = new Set([0, data.invokingUid]);
    const uidOf = new Map<string, number>();
    const primary = new Map<number, number[]>();
    for (const [name, , uid, gid] of readTable('/etc/passwd')) {
      if (!name || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) continue;
      uidOf.set(name, Number(uid));
      if (!this.#users.has(Number(uid))) this.#users.set(Number(uid), name);
      primary.set(Number(gid), [...(primary.get(Number(gid)) ?? []), Number(uid)]);
    }
    for (const [name, , gid, members] of readTable('/etc/group')) {
      if (!name || !/^\d+$/.test(gid ?? '')) continue;
      this.#groups.set(Number(gid), name);
      const uids = [...(members ? members.split(',').map((m) => uidOf.get(m) ?? -1) : []), ...(primary.get(Number(gid)) ?? [])];
      if (uids.every((u) => this.#uids.has(u))) this.#gids.add(Number(gid));
    }
  }

  /**
   * Why root must not load `file` (a module about to be imported or required), as a message for
   * the cell, or null when it may. `specifier` is what the code asked for, to name it.
   */
  refusal(file: string, specifier: string): string | null {
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      return null; // nothing there: Node's own error says so
    }
    const own = (path: string) => path.startsWith(this.data.installRoot + sep);
    let finding: Finding | null;
    try {
      finding = (own(file) ? null : this.#check(file)) ?? (real === file || own(real) ? null : this.#check(real));
    } catch (error) {
      return `Refused to load ${file} as root: it could not be examined (${(error as Error).message}); run the cell again.`;
    }
    if (!finding) return null;
    const named = specifier === file || specifier === real ? '' : ` (imported as '${specifier}')`;
    const link = real === file ? '' : ` (a link to ${real})`;
    const { path, stats } = finding;
    const what =
      finding.why === 'owner'
        ? `belongs to ${this.#user(stats.uid)}, mode ${modeOf(stats)}`
        : `can be changed by ${stats.mode & 0o002 ? 'every user' : `the members of group ${this.#group(stats.gid)}`} (mode ${modeOf(stats)}, owner ${this.#user(stats.uid)})`;
    const you = this.data.invokingUid === 0 ? 'root' : `root or ${this.#user(this.data.invokingUid)}`;
    const pkg = packageIn(real);
    const fix = pkg
      ? `Install ${pkg} next to the notebook, in a folder only you can write (npm install ${pkg} in the notebook's folder)`
      : 'Keep the module in a folder only you can write (or move the notebook and its modules into a folder of your own)';
    const orElse =
      finding.why === 'owner'
        ? `remove ${path} if no one should have put it there`
        : `let only its owner write to it (chmod go-w ${path}) once you know what is in it`;
    return `Refused to load ${file}${link}${named} as root: ${path} ${what}. Root cells load only code that no other user could have written: files and folders of ${you} that no one else can change. ${fix}, or ${orElse}.`;
  }

  /** The first thing on the way from `/` to `path` (links not followed) that someone else could have written. */
  #check(path: string): Finding | null {
    const chain: string[] = [sep];
    for (const part of path.split(sep).filter(Boolean)) chain.push(join(chain.at(-1)!, part));
    for (const [i, current] of chain.entries()) {
      const stats = lstatSync(current);
      if (!this.#uids.has(stats.uid)) return { path: current, stats, why: 'owner' };
      if (stats.isSymbolicLink()) continue; // its target is checked as the real path
      // The file and its own folder without exception: in a sticky folder others can still add a file that a relative require finds first (./dep before ./dep.js).
      const strict = i >= chain.length - 2;
      if (this.#othersCanWrite(stats) && (strict || !(stats.isDirectory() && stats.mode & 0o1000))) return { path: current, stats, why: 'writable' };
    }
    return null;
  }

  #othersCanWrite(stats: Stats): boolean {
    return (stats.mode & 0o002) !== 0 || ((stats.mode & 0o020) !== 0 && !this.#gids.has(stats.gid));
  }

  #user(uid: number): string {
    const name = this.#users.get(uid);
    return name ? `${name} (uid ${uid})` : `uid ${uid}`;
  }

  #group(gid: number): string {
    return this.#groups.get(gid) ?? String(gid);
  }
}

/** Probebook's own install: the folder above `from` holding its package.json, as a real path. */
export function installRootFrom(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'probebook') return realpathSync(dir);
    } catch {
      // no package.json here, or not ours: look further up
    }
    if (dirname(dir) === dir) return realpathSync(from);
  }
}
