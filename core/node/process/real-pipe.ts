/**
 * Real pipes for a child's stdio. Node (libuv) gives a child socketpairs, not pipes, and a socket
 * cannot be opened by path: `echo x > /dev/stderr`, `tee /dev/stderr`, `tcpdump -w /dev/stdout`
 * fail with "No such device or address" (nodejs/node#21941). Node cannot call pipe(2), so FIFOs are
 * made ahead of time with mkfifo, in batches, in a private directory; opening both ends and
 * unlinking the name leaves an ordinary anonymous pipe.
 */
import { closeSync, constants, openSync, rmSync, unlink } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { atExit } from './exit-cleanup.ts';
import { makePrivateDir } from './runtime-dir.ts';

/** Both ends of one pipe, as file descriptors of this process (close-on-exec). */
export interface PipeEnds {
  read: number;
  write: number;
}

const BATCH = 32;

class FifoPool {
  #dir: string | undefined;
  readonly #stock: string[] = [];
  #refilling: Promise<void> | undefined;
  #made = 0;
  /** Why FIFOs cannot be made here; set once, then callers use socketpairs. */
  failure: string | undefined;

  /** Fresh pipes, one per entry of `childReads` (whether the child reads it), or undefined when this machine cannot make FIFOs. */
  async take(childReads: boolean[]): Promise<PipeEnds[] | undefined> {
    const count = childReads.length;
    while (this.#stock.length < count) {
      if (this.failure) return undefined;
      await this.#refill();
    }
    const pipes = this.#stock.splice(0, count).map((path, i) => open(path, childReads[i]!));
    if (this.#stock.length < BATCH / 2) void this.#refill();
    return pipes;
  }

  /** Starts making a batch now, so the first cell does not wait for mkfifo. */
  warmUp(): void {
    if (this.#stock.length < BATCH / 2) void this.#refill();
  }

  #refill(): Promise<void> {
    this.#refilling ??= this.#make().finally(() => (this.#refilling = undefined));
    return this.#refilling;
  }

  async #make(): Promise<void> {
    try {
      if (!this.#dir) {
        const dir = makePrivateDir('probebook-pipes-'); // 0700: only we open these
        atExit(() => rmSync(dir, { recursive: true, force: true }));
        this.#dir = dir;
      }
      const names = Array.from({ length: BATCH }, () => join(this.#dir!, `p${++this.#made}`));
      const result = await execa('mkfifo', ['-m', '600', '--', ...names], { reject: false, stdin: 'ignore', extendEnv: false, env: { PATH: '/usr/bin:/bin' } });
      if (result.failed) throw new Error(result.stderr || result.shortMessage);
      this.#stock.push(...names);
    } catch (error) {
      this.failure = `cannot make FIFOs (${(error as Error).message.trim()})`;
      process.stderr.write(`probebook: ${this.failure}; cell output goes through sockets, so opening /dev/stdout or /dev/stderr by path fails in cells.\n`);
    }
  }
}

/**
 * Opens a FIFO's read end (non-blocking, so it does not wait for a writer), then its write end,
 * and unlinks it. A read end for a child (`childReads`) is opened again, blocking: a non-blocking
 * one would give the child EAGAIN.
 */
function open(path: string, childReads: boolean): PipeEnds {
  let read: number | undefined;
  let write: number | undefined;
  try {
    read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    write = openSync(path, constants.O_WRONLY);
    if (childReads) {
      const nonBlocking = read;
      read = openSync(path, constants.O_RDONLY);
      closeSync(nonBlocking);
    }
    return { read, write };
  } catch (error) {
    closeFds(read, write);
    throw error;
  } finally {
    unlink(path, () => undefined); // off the event loop; the folder is private and removed at exit anyway
  }
}

const pool = new FifoPool();

/**
 * Real pipes for a child's stdio, one per entry of `childReads` (true: the child reads it, e.g.
 * stdin; false: the child writes it); undefined where FIFOs cannot be made (use execa's pipes).
 */
export function takePipes(childReads: boolean[]): Promise<PipeEnds[] | undefined> {
  return pool.take(childReads);
}

/** Makes pipes ahead of the first cell (kernels call it when they start). */
export function preparePipes(): void {
  pool.warmUp();
}

/** Closes descriptors, ignoring ones already closed. */
export function closeFds(...fds: (number | undefined)[]): void {
  for (const fd of fds) {
    if (fd === undefined) continue;
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}
