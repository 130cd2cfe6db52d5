/**
 * Folders that are provably one user's own (docs/security.md, "Another local user"): looked at with lstat, so
 * a symbolic link is refused rather than followed, and every folder above must let no one but
 * root or that user rename entries in it, or another user could swap the folder after the check.
 */
import { lstatSync, mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Whose folders we may use: ours (the effective uid, which files we create get) and, when we are
 * root through sudo, the invoking user's, who holds the printed token anyway.
 */
export function ownUids(env: NodeJS.ProcessEnv = process.env): number[] {
  const euid = process.geteuid?.() ?? 0;
  const sudoUid = Number(env.SUDO_UID);
  return euid === 0 && env.SUDO_UID && Number.isInteger(sudoUid) && sudoUid !== 0 ? [euid, sudoUid] : [euid];
}

const mode = (stats: Stats) => (stats.mode & 0o7777).toString(8).padStart(4, '0');
const owner = (uid: number) => (uid === process.geteuid?.() ? 'you' : `uid ${uid}`);
const cannotExamine = (error: unknown) =>
  (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : `it cannot be examined (${(error as Error).message})`;

/**
 * Why `path` is not a folder only we can use — owned by one of `uids`, no access for group or
 * others, a real folder (not a link), under folders no one else can change — or null when it is.
 */
export function privateDirProblem(path: string, uids = ownUids()): string | null {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    return cannotExamine(error);
  }
  if (stats.isSymbolicLink()) return 'it is a symbolic link';
  if (!stats.isDirectory()) return 'it is not a folder';
  if (!uids.includes(stats.uid)) return `it belongs to ${owner(stats.uid)}, not to you`;
  if (stats.mode & 0o077) return `other users can use it (mode ${mode(stats)}; it must be 0700)`;
  return ancestorsProblem(path, uids);
}

/**
 * Why a shared folder like /dev/shm or /tmp is unsafe to make private folders in (owned by
 * someone other than root or us, or writable by others without the sticky bit, which would let
 * them rename our folder away and put theirs in its place), or null.
 */
export function sharedDirProblem(path: string, uids = ownUids()): string | null {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    return cannotExamine(error);
  }
  if (!stats.isDirectory()) return 'it is not a folder';
  return changeableBySomeoneElse(stats, uids) ?? ancestorsProblem(realpathSync(path), uids);
}

/** Why a folder above `path` lets someone other than root or `uids` change what is in it, or null. */
function ancestorsProblem(path: string, uids: number[]): string | null {
  let dir: string;
  try {
    // Links above the folder are the system's (/var/run → /run): check where they lead.
    dir = realpathSync(dirname(path));
  } catch (error) {
    return `the folder above it cannot be examined (${(error as Error).message})`;
  }
  for (;;) {
    const problem = changeableBySomeoneElse(statSync(dir), uids);
    if (problem) return `${dir}, a folder above it: ${problem}`;
    if (dir === dirname(dir)) return null;
    dir = dirname(dir);
  }
}

function changeableBySomeoneElse(stats: Stats, uids: number[]): string | null {
  if (stats.uid !== 0 && !uids.includes(stats.uid)) return `it belongs to ${owner(stats.uid)}`;
  if (stats.mode & 0o022 && !(stats.mode & 0o1000)) return `other users can write to it (mode ${mode(stats)})`;
  return null;
}

/**
 * Makes `path` (0700) if it is missing, then checks it is provably the user's own; throws an
 * error that names the folder and what is wrong with it otherwise.
 */
export function ensurePrivateDir(path: string, purpose: string): string {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot make ${path} for ${purpose}: ${(error as Error).message}`);
  }
  // Checked after mkdir, whoever made it: an existing folder is used only if it is ours alone.
  const problem = privateDirProblem(path);
  if (problem)
    throw new Error(`${path} is not safe for ${purpose}: ${problem}. It must be a folder of your own with mode 0700; remove it (or fix it) and start again.`);
  return path;
}
