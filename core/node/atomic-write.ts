/**
 * Atomic writes, the one way Probebook replaces a file (notebooks, state files, backups of
 * unsaved edits): a temp file in the same folder, created exclusively, written, fsynced, renamed
 * over the target, then the folder fsynced, so a crash leaves the old content or the new, never
 * half of one, and a finished write survives a power cut.
 *
 * write-file-atomic does most of this but neither fsyncs the folder nor removes the temp file of
 * a writer that was SIGKILLed; the names here carry the writer's pid and start time so the next
 * write into that folder can tell a dead writer's leftover from a live one's.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fchownSync, fsyncSync, lstatSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { lstat, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isAlive, processStartTime } from './process/process-identity.ts';

export interface AtomicWriteOptions {
  /** Mode of the new file; the umask narrows it, as for any new file, unless `exactMode`. Default 0o666. */
  mode?: number;
  /** Set `mode` as given, whatever the umask (keeping the mode of the file being replaced). */
  exactMode?: boolean;
  /** Owner of the new file (root writing a file that stays its user's); null keeps ours. */
  owner?: { uid: number; gid: number } | null;
}

/** Writes `data` to `path` atomically (see the file's comment). On failure the target is unchanged and no temp file stays. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await removeStaleTempFiles(dirname(path));
  const temp = tempPathFor(path);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, options.mode ?? 0o666);
    await handle.writeFile(data);
    if (options.owner) await handle.chown(options.owner.uid, options.owner.gid);
    if (options.exactMode && options.mode !== undefined) await handle.chmod(options.mode); // after chown, which clears set-id bits
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
    await syncDirectory(dirname(path));
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** {@link writeFileAtomic} for callers that must finish before they return (small state files). */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  removeStaleTempFilesSync(dirname(path));
  const temp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, options.mode ?? 0o666);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    if (options.owner) fchownSync(fd, options.owner.uid, options.owner.gid);
    if (options.exactMode && options.mode !== undefined) fchmodSync(fd, options.mode);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
    syncDirectorySync(dirname(path));
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    throw error;
  }
}

/**
 * Temp files are named `.NAME.probebook-save-PID-START-RANDOM.tmp` (START: the writer's start
 * time, so a reused pid is not taken for it): a write that was killed leaves one, and the next
 * write into that folder removes it once its writer is gone.
 */
const TEMP_NAME = /^\..+\.probebook-save-(\d+)-(\d+)-[0-9a-f]{12}\.tmp$/;
let ownStart: string | null | undefined;

/** The temp file a write of `path` by this process goes to before it is renamed over `path`. */
export function tempPathFor(path: string): string {
  ownStart ??= processStartTime(process.pid);
  return join(dirname(path), `.${basename(path)}.probebook-save-${process.pid}-${ownStart ?? 0}-${randomBytes(6).toString('hex')}.tmp`);
}

/** The names in `names` that are temp files of writers no longer running (none where /proc cannot tell). */
function staleTempNames(names: string[]): string[] {
  ownStart ??= processStartTime(process.pid);
  if (ownStart === null) return []; // no /proc: a live writer could not be told from a dead one
  return names.filter((name) => {
    const m = TEMP_NAME.exec(name);
    return m !== null && !isAlive(Number(m[1]), m[2]!);
  });
}

async function removeStaleTempFiles(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return; // the write itself says what is wrong with the folder
  }
  for (const name of staleTempNames(names)) {
    const path = join(dir, name);
    try {
      if ((await lstat(path)).isFile()) await unlink(path);
    } catch {
      // Best effort: gone already, or someone else's in a shared folder; the write goes on.
    }
  }
}

function removeStaleTempFilesSync(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // the write itself says what is wrong with the folder
  }
  for (const name of staleTempNames(names)) {
    const path = join(dir, name);
    try {
      if (lstatSync(path).isFile()) unlinkSync(path);
    } catch {
      // Best effort, as above.
    }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function syncDirectorySync(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
