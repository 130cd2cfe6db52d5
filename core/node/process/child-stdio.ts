/**
 * A child's stdio as descriptors a program can reopen by path. Node (libuv) gives a child
 * socketpairs, and a socket cannot be opened by path: `echo x > /dev/stderr`, `tee /dev/stderr`,
 * `tcpdump -w /dev/stdout`, `cat /dev/stdin` fail with "No such device or address"
 * (nodejs/node#21941). Node cannot call pipe(2), so output goes through FIFOs made ahead of time
 * with mkfifo, in batches, in a private folder (both ends opened, then the name unlinked), and a
 * fixed input is an unlinked file (a FIFO whose writer is gone would make a reopen wait forever).
 */
import { closeSync, constants, openSync, rmSync, unlink, unlinkSync, writeFileSync } from 'node:fs';
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

let privateDir: string | undefined;

/** This process's private folder for FIFOs and input files, removed when it exits. */
function folder(): string {
  if (!privateDir) {
    const dir = makePrivateDir('probebook-stdio-'); // 0700: only we open these
    atExit(() => rmSync(dir, { recursive: true, force: true }));
    privateDir = dir;
  }
  return privateDir;
}

class FifoPool {
  readonly #stock: string[] = [];
  #refilling: Promise<boolean> | undefined;
  #made = 0;
  /** Why FIFOs cannot be made here; set once, then callers use socketpairs. */
  failure: string | undefined;

  /** `count` pipes from the stock now, or null when it has too few (then {@link take} waits for a batch). */
  takeNow(count: number): PipeEnds[] | null {
    if (this.#stock.length < count) return null;
    const pipes = this.#stock.splice(0, count).map(open);
    if (this.#stock.length < BATCH / 2) void this.#refill();
    return pipes;
  }

  /** `count` FIFOs of the stock by name, unopened, or null when it has too few. */
  takeNamesNow(count: number): string[] | null {
    if (this.#stock.length < count) return null;
    const names = this.#stock.splice(0, count);
    if (this.#stock.length < BATCH / 2) void this.#refill();
    return names;
  }

  /** `count` fresh pipes (the child writes, we read), or undefined when this machine cannot make FIFOs. */
  async take(count: number): Promise<PipeEnds[] | undefined> {
    while (this.#stock.length < count) {
      if (this.failure) return undefined;
      // mkfifo killed (everything is being stopped): sockets this time, FIFOs again next time.
      if (!(await this.#refill())) return undefined;
    }
    const pipes = this.#stock.splice(0, count).map(open);
    if (this.#stock.length < BATCH / 2) void this.#refill();
    return pipes;
  }

  /** Starts making a batch now, so the first cell does not wait for mkfifo. */
  warmUp(): void {
    if (this.#stock.length < BATCH / 2) void this.#refill();
  }

  /** Resolves false when mkfifo was killed before it made the batch. */
  #refill(): Promise<boolean> {
    this.#refilling ??= this.#make().finally(() => (this.#refilling = undefined));
    return this.#refilling;
  }

  async #make(): Promise<boolean> {
    try {
      const dir = folder();
      const names = Array.from({ length: BATCH }, () => join(dir, `p${++this.#made}`));
      const result = await execa('mkfifo', ['-m', '600', '--', ...names], { reject: false, stdin: 'ignore', extendEnv: false, env: { PATH: '/usr/bin:/bin' } });
      // Killed (the kernel host stopping everything as it exits): not this machine's failure.
      if (result.signal) return false;
      if (result.failed) throw new Error(result.stderr || result.shortMessage);
      this.#stock.push(...names);
    } catch (error) {
      this.failure = `cannot make FIFOs (${(error as Error).message.trim()})`;
      process.stderr.write(`probebook: ${this.failure}; cell output goes through sockets, so opening /dev/stdout or /dev/stderr by path fails in cells.\n`);
    }
    return true;
  }
}

/** Opens a FIFO's read end (non-blocking, so it does not wait for a writer), then its write end for the child, and unlinks it. */
function open(path: string): PipeEnds {
  const read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    return { read, write: openSync(path, constants.O_WRONLY) };
  } catch (error) {
    closeSync(read);
    throw error;
  } finally {
    unlink(path, () => undefined); // off the event loop; the folder is private and removed at exit anyway
  }
}

const pool = new FifoPool();

/** `count` real pipes for a child's output (it writes, we read); undefined where FIFOs cannot be made (use Node's pipes). */
export function takePipes(count: number): Promise<PipeEnds[] | undefined> {
  return pool.take(count);
}

/** The same, synchronously, when the stock has them (null: use {@link takePipes}). */
export function takePipesNow(count: number): PipeEnds[] | null {
  return pool.takeNow(count);
}

/**
 * `count` FIFOs from the stock by path, unopened, or null when it has too few: for a child forked
 * elsewhere (zygote.ts), which opens its ends by path. The caller opens ours and unlinks them.
 */
export function takeFifoNamesNow(count: number): string[] | null {
  return pool.takeNamesNow(count);
}

/** Makes pipes ahead of the first cell (kernels call it when they start). */
export function preparePipes(): void {
  pool.warmUp();
}

let inputs = 0;

/** A read-only descriptor of an unlinked file holding `text`: a child's fixed stdin that `cat /dev/stdin` can reopen. */
export function inputFile(text: string): number {
  const path = join(folder(), `in${++inputs}`);
  writeFileSync(path, text, { mode: 0o600 });
  try {
    return openSync(path, constants.O_RDONLY);
  } finally {
    unlinkSync(path);
  }
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
