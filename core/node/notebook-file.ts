/**
 * Notebook files on disk: reading with errors for people, and saving atomically (atomic-write.ts)
 * without ever writing over a file that changed on disk since it was read or that is not a
 * notebook. Only regular files are read: a FIFO, a device or a socket named `*.ipynb` is refused
 * without blocking.
 */
import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { forgetUpgrade, NotebookParseError, parseNotebook, serializeNotebookParts, upgradedFrom } from '../common/notebook/ipynb.ts';
import { isDirectText, JsonDepthError, JSON_LIMITS, linesJson, rowEnd, type LinesAt } from '../common/notebook/json-text.ts';
import type { Notebook } from '../common/notebook/model.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { ownerForWrite } from './file-owner.ts';

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
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path} exists and is not a readable notebook (${reason}); Probebook will not write over it. Save under another name.`);
  }
}

/** The path names something other than a regular file (a FIFO, a device, a socket, a folder). */
export class NotRegularFileError extends Error {
  override name = 'NotRegularFileError';
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a notebook file: Probebook reads only regular files.`);
  }
}

/** The largest notebook file read: the JSON reader's own limit, checked before reading. */
const MAX_NOTEBOOK_BYTES = JSON_LIMITS.maxBytes;

export async function readNotebookFile(path: string): Promise<{ notebook: Notebook; fingerprint: FileFingerprint }> {
  let file: { bytes: Buffer; info: Stats };
  try {
    file = await readRegularFile(path);
  } catch (error) {
    if (error instanceof NotRegularFileError || error instanceof FileTooLargeError) throw error;
    throw new Error(describeFsError(error as NodeJS.ErrnoException, path, 'read'));
  }
  const { bytes, info } = file;
  const notebook = parseNotebook(decodeUtf8(bytes, path), path);
  return { notebook, fingerprint: { size: info.size, mtimeMs: info.mtimeMs, sha256: sha256(bytes) } };
}

class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
  constructor(path: string) {
    super(`${path} is larger than ${MAX_NOTEBOOK_BYTES / 1024 / 1024} MiB, more than any notebook Probebook opens.`);
  }
}

/**
 * A regular file's bytes and its fstat after reading. Opened with O_NONBLOCK and checked with
 * fstat before any read: opening or reading a FIFO blocks one of libuv's four file threads for
 * good (four of them stall every file operation of the process), and a device never ends.
 */
async function readRegularFile(path: string): Promise<{ bytes: Buffer; info: Stats }> {
  // Checked before opening too: opening a device can have effects of its own.
  const before = await stat(path);
  if (!before.isFile()) throw new NotRegularFileError(path, describeKind(before));
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw new NotRegularFileError(path, describeKind(opened));
    if (opened.size > MAX_NOTEBOOK_BYTES) throw new FileTooLargeError(path);
    const bytes = await readCapped(handle, opened.size, path);
    return { bytes, info: await handle.stat() };
  } finally {
    await handle.close();
  }
}

/** Reads to the end, refusing more than MAX_NOTEBOOK_BYTES (a file may grow while it is read). */
async function readCapped(handle: FileHandle, expected: number, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(Math.max(expected - total + 1, 64 * 1024), 16 * 1024 * 1024));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    total += bytesRead;
    if (total > MAX_NOTEBOOK_BYTES) throw new FileTooLargeError(path);
    chunks.push(chunk.subarray(0, bytesRead));
  }
}

function describeKind(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

export interface WriteOptions {
  /** The fingerprint from when the file was read: refuse if the file differs now. */
  expected?: FileFingerprint;
  /** Write over a file that changed on disk since it was read. Never over one that is not a notebook. */
  force?: boolean;
  outputLimitBytes?: number;
  /**
   * Called when the file written over was nbformat 3 (the notebook was upgraded when read): its
   * original was first copied to this path beside it (`NAME.nbformat3.ipynb`), so nothing is lost.
   */
  originalKept?: (path: string) => void;
  /** The file the notebook was read from: once written there as 4.5, an upgraded notebook is no longer one. */
  upgradedPath?: string;
}

export async function writeNotebookFile(path: string, notebook: Notebook, options: WriteOptions = {}): Promise<FileFingerprint> {
  let bytes: Buffer;
  try {
    bytes = notebookBytes(serializeNotebookParts(notebook, { outputLimitBytes: options.outputLimitBytes }));
  } catch (error) {
    if (error instanceof JsonDepthError)
      throw new Error(
        `cannot save ${path}: ${error.message}. Remove the deeply nested value from the cell or notebook metadata (or the output) that holds it, then save again.`,
      );
    throw error;
  }
  let mode = 0o666; // minus umask, as a new file would be
  const existing = await readExisting(path);
  if (existing) {
    mode = existing.mode & 0o7777;
    // A file we read and that is unchanged is our notebook; anything else must still be one, force
    // or not: force answers "changed on disk", never "not a notebook".
    if (!(options.expected && existing.sha256 === options.expected.sha256)) {
      try {
        parseNotebook(decodeUtf8(existing.bytes, path), path);
      } catch (error) {
        throw new MalformedTargetError(path, error instanceof NotebookParseError ? error.detail : (error as Error).message);
      }
      if (options.expected && !options.force) throw new ChangedOnDiskError(path);
    }
  }
  // As root (under sudo), the new inode would be root's: it stays the owner's, or becomes the user's.
  const owner = ownerForWrite(existing ? { uid: existing.uid, gid: existing.gid } : null);
  if (existing && upgradedFrom(notebook) && isNbformat3(existing.bytes, path)) {
    const kept = await keepOriginal(path, existing.bytes, mode, owner);
    options.originalKept?.(kept);
  }
  try {
    // An existing file keeps its mode exactly: the umask must not narrow it.
    await writeFileAtomic(path, bytes, { mode, exactMode: !!existing, owner });
  } catch (error) {
    throw new Error(describeFsError(error as NodeJS.ErrnoException, path, 'write'));
  }
  if (path === options.upgradedPath) forgetUpgrade(notebook); // its file is 4.5 now
  const info = await stat(path);
  return { size: info.size, mtimeMs: info.mtimeMs, sha256: sha256(bytes) };
}

/** Whether the file's bytes are an nbformat 3 notebook (read in full only when they look like one). */
function isNbformat3(bytes: Buffer, path: string): boolean {
  if (!/"nbformat"\s*:\s*3\s*[,}]/.test(bytes.toString('utf8'))) return false;
  try {
    return upgradedFrom(parseNotebook(decodeUtf8(bytes, path), path)) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Copies an nbformat 3 file about to be written over as 4.5 to `NAME.nbformat3.ipynb` beside it
 * (`NAME.nbformat3-2.ipynb`, … when that name holds something else), with its mode and owner.
 */
async function keepOriginal(path: string, bytes: Buffer, mode: number, owner: ReturnType<typeof ownerForWrite>): Promise<string> {
  const stem = basename(path).replace(/\.ipynb$/, '');
  for (let n = 1; ; n++) {
    const copy = join(dirname(path), `${stem}.nbformat3${n > 1 ? `-${n}` : ''}.ipynb`);
    const there = await readExisting(copy).catch(() => ({ sha256: '' }));
    if (there?.sha256 === sha256(bytes)) return copy; // kept before
    if (there) continue;
    try {
      await writeFileAtomic(copy, bytes, { mode, exactMode: true, owner });
    } catch (error) {
      throw new Error(
        `${describeFsError(error as NodeJS.ErrnoException, copy, 'write')} (the nbformat 3 original of ${path} is kept there before it is written as 4.5)`,
      );
    }
    return copy;
  }
}

/** The file's bytes: its parts as UTF-8, each stream's text written as its list of lines straight from the text where it can be. */
function notebookBytes(parts: ReturnType<typeof serializeNotebookParts>): Buffer {
  const chunks: Buffer[] = [];
  let text: string[] = [];
  for (const part of parts) {
    if (typeof part === 'string') text.push(part);
    else {
      chunks.push(Buffer.from(text.join(''), 'utf8'), linesBytes(part));
      text = [];
    }
  }
  chunks.push(Buffer.from(text.join(''), 'utf8'));
  return Buffer.concat(chunks);
}

/**
 * `[`, the indentation, then each line as `"…\\n",` on a row of its own: one pass over the text's
 * bytes (a UTF-8 byte 10 is always a line end), no string per line.
 */
function linesBytes(at: LinesAt): Buffer {
  const { text } = at.value;
  if (!isDirectText(text)) return Buffer.from(linesJson(at), 'utf8');
  const src = Buffer.from(text, 'utf8');
  const end = Buffer.from(rowEnd(at.depth), 'utf8');
  const head = Buffer.from(`[\n${' '.repeat(at.depth + 1)}"`, 'utf8');
  const tail = Buffer.from(`"\n${' '.repeat(at.depth)}]`, 'utf8');
  const last = src[src.length - 1] === 10 ? src.length - 1 : src.length;
  let lines = 0;
  for (let i = src.indexOf(10); i >= 0 && i < last; i = src.indexOf(10, i + 1)) lines++;
  const out = Buffer.allocUnsafe(head.length + last + lines * (end.length - 1) + (last < src.length ? 2 : 0) + tail.length);
  let o = head.copy(out, 0);
  for (let i = 0; i < last; i++) {
    const b = src[i]!;
    if (b === 10) {
      for (let k = 0; k < end.length; k++) out[o++] = end[k]!;
    } else out[o++] = b;
  }
  if (last < src.length) o += out.write('\\n', o, 'latin1');
  o += tail.copy(out, o);
  return out.subarray(0, o);
}

async function readExisting(path: string): Promise<{ bytes: Buffer; mode: number; uid: number; gid: number; sha256: string } | undefined> {
  try {
    const { bytes, info } = await readRegularFile(path);
    return { bytes, mode: info.mode, uid: info.uid, gid: info.gid, sha256: sha256(bytes) };
  } catch (error) {
    if (error instanceof NotRegularFileError) throw new MalformedTargetError(path, `it is ${error.kind}`);
    if (error instanceof FileTooLargeError) throw new MalformedTargetError(path, error.message);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(describeFsError(error as NodeJS.ErrnoException, path, 'read'));
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
