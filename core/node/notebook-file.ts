/**
 * Notebook files on disk: reading with errors for people, and saving atomically (temp file in the
 * same directory, fsync, rename, fsync the directory) without ever writing over a file that
 * changed on disk since it was read or that is not a notebook.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { NotebookParseError, parseNotebook, serializeNotebook } from '../common/notebook/ipynb.ts';
import type { Notebook } from '../common/notebook/model.ts';

/** What a file looked like when it was read, to notice changes made by someone else. */
export interface FileFingerprint {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** The file changed on disk since it was read; saving would lose those changes. */
export class ChangedOnDiskError extends Error {
  override name = 'ChangedOnDiskError';
  constructor(readonly path: string) {
    super(`${path} changed on disk since it was opened; save it under another name, or overwrite it on purpose (force).`);
  }
}

/** The target exists and is not a notebook: it is never written over by accident. */
export class MalformedTargetError extends Error {
  override name = 'MalformedTargetError';
  constructor(readonly path: string, readonly reason: string) {
    super(`${path} exists and is not a readable notebook (${reason}); Probebook will not write over it. Save under another name.`);
  }
}

export async function readNotebookFile(path: string): Promise<{ notebook: Notebook; fingerprint: FileFingerprint }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(describeFsError(error as NodeJS.ErrnoException, path, 'read'));
  }
  const info = await stat(path);
  const notebook = parseNotebook(decodeUtf8(bytes, path), path);
  return { notebook, fingerprint: { size: info.size, mtimeMs: info.mtimeMs, sha256: sha256(bytes) } };
}

export interface WriteOptions {
  /** The fingerprint from when the file was read: refuse if the file differs now. */
  expected?: FileFingerprint;
  /** Write even over a changed or malformed file. */
  force?: boolean;
  outputLimitBytes?: number;
}

export async function writeNotebookFile(path: string, notebook: Notebook, options: WriteOptions = {}): Promise<FileFingerprint> {
  const text = serializeNotebook(notebook, { outputLimitBytes: options.outputLimitBytes });
  const bytes = Buffer.from(text, 'utf8');
  let mode = 0o666; // minus umask, as a new file would be
  const existing = await readExisting(path);
  if (existing) {
    mode = existing.mode & 0o7777;
    if (!options.force) {
      if (options.expected && (existing.sha256 !== options.expected.sha256)) throw new ChangedOnDiskError(path);
      if (!options.expected) {
        try {
          parseNotebook(decodeUtf8(existing.bytes, path), path);
        } catch (error) {
          throw new MalformedTargetError(path, error instanceof NotebookParseError ? error.detail : (error as Error).message);
        }
      }
    }
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, existing ? mode : 0o666);
    await handle.writeFile(bytes);
    if (existing) await handle.chmod(mode); // umask must not narrow the mode the file had
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
    await syncDirectory(dirname(path));
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw new Error(describeFsError(error as NodeJS.ErrnoException, path, 'write'));
  }
  const info = await stat(path);
  return { size: info.size, mtimeMs: info.mtimeMs, sha256: sha256(bytes) };
}

async function readExisting(path: string): Promise<{ bytes: Buffer; mode: number; sha256: string } | undefined> {
  try {
    const [bytes, info] = await Promise.all([readFile(path), stat(path)]);
    return { bytes, mode: info.mode, sha256: sha256(bytes) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(describeFsError(error as NodeJS.ErrnoException, path, 'read'));
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

function decodeUtf8(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new NotebookParseError(path, 'the file is not UTF-8 text', { schemaPath: '(file)' });
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function describeFsError(error: NodeJS.ErrnoException, path: string, verb: 'read' | 'write'): string {
  switch (error.code) {
    case 'ENOENT':
      return verb === 'read' ? `${path} does not exist.` : `cannot write ${path}: its folder does not exist.`;
    case 'EACCES':
    case 'EPERM':
      return `cannot ${verb} ${path}: permission denied.`;
    case 'EISDIR':
      return `${path} is a folder, not a notebook file.`;
    case 'ENOSPC':
      return `cannot write ${path}: the disk is full (the old file is unchanged).`;
    case 'EROFS':
      return `cannot write ${path}: the file system is read-only.`;
    default:
      return `cannot ${verb} ${path}: ${error.message}`;
  }
}
