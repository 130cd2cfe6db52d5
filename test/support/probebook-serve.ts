/**
 * Starts the real `probebook serve` on a folder (port 0, no browser) for page tests, reads the
 * URL with its token from the line it prints, and stops it after the test.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { execa, type ResultPromise } from 'execa';

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface ServeHandle {
  /** The URL printed, with `?token=…`. */
  url: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  token: string;
  /** The served folder. */
  dir: string;
  /** The page for a notebook: signs in with the token, then the server redirects to `/?open=…`. */
  pageUrl(open?: string): string;
  /** Everything the server printed on stderr (for failure messages). */
  stderr(): string;
  /** The pid of the `probebook serve` process. */
  pid: number;
  /**
   * Kills the server with SIGKILL, as a crash would (no cleanup cells, no shutdown of its kernel
   * host: that one must notice on its own), and waits until it is gone.
   */
  crash(): Promise<void>;
  stop(): Promise<void>;
  /** Ctrl-C in serve's terminal: SIGINT to its whole process group (needs `ownGroup`). */
  ctrlC(): void;
}

/** What runs in a lab folder (servers), stopped before the folder goes: see {@link stopBeforeRemoving}. */
const runningIn = new Map<string, (() => Promise<unknown>)[]>();

/**
 * Has `stop` run before `dir` (a {@link labFolder}) is removed. `t.after` hooks run in the order they
 * were registered, so the folder's, registered first, would otherwise remove it under a server that
 * still writes its state there (ENOTEMPTY).
 */
export function stopBeforeRemoving(dir: string, stop: () => Promise<unknown>): void {
  runningIn.get(dir)?.push(stop);
}

/** A fresh temp folder, removed after the test; `files` are copied in (name → source path). */
export function labFolder(t: TestContext, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-page-'));
  for (const [name, source] of Object.entries(files)) cpSync(source, join(dir, name));
  runningIn.set(dir, []);
  t.after(async () => {
    for (const stop of runningIn.get(dir) ?? []) await stop();
    runningIn.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

function serveEnv(dir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  return { ...env, XDG_STATE_HOME: join(dir, '.state'), XDG_RUNTIME_DIR: join(dir, '.run') };
}

/** Serve started by another user through a command (e.g. `sudo -n`), as that user would. */
export interface ServeAs {
  uid: number;
  gid: number;
  env: Record<string, string>;
  /** What comes before `node bin/probebook.mjs serve …`, e.g. `['sudo', '-n']`. */
  prefix: string[];
}

export interface ServeOptions {
  as?: ServeAs;
  /** Start serve as the leader of its own process group (see {@link ServeHandle.ctrlC}). */
  ownGroup?: boolean;
  /** Variables added to serve's environment (e.g. `PROBEBOOK_CHROMIUM`). */
  env?: Record<string, string>;
}

/**
 * Runs `node bin/probebook.mjs serve DIR --port 0 --no-browser` until the test ends. Its state
 * folder is DIR/.state, so a second serve of the same DIR (after {@link ServeHandle.crash}) finds
 * the trust, backups and cleanup ledger the first one left.
 */
export async function startServe(t: TestContext, dir: string, options: ServeOptions = {}): Promise<ServeHandle> {
  const { as } = options;
  const args = [join(repoRoot, 'bin/probebook.mjs'), 'serve', dir, '--port', '0', '--no-browser'];
  if (process.geteuid?.() === 0 || as) args.push('--allow-root');
  const [file, ...prefix] = as ? [...as.prefix, process.execPath] : [process.execPath];
  const child: ResultPromise = execa(file!, [...prefix, ...args], {
    cwd: repoRoot,
    ...(as ? { uid: as.uid, gid: as.gid } : {}),
    // A process group of its own, as a terminal's foreground job: Ctrl-C is SIGINT to all of it.
    ...(options.ownGroup ? { detached: true } : {}),
    buffer: false,
    reject: false,
    stdin: 'ignore',
    // Our own state folder: trust and backups of one test never leak into another. Without the
    // test runner's NODE_TEST_CONTEXT, which would turn the server's own node processes into test reporters.
    env: as?.env ?? { ...serveEnv(dir), ...options.env },
    extendEnv: false,
    forceKillAfterDelay: 5000,
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`probebook serve did not print its URL within 30 s.\nstdout: ${out}\nstderr: ${stderr}`)), 30_000);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const m = /Probebook is serving .* at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    void child.then((r) => {
      clearTimeout(timer);
      fail(new Error(`probebook serve exited (${r.exitCode ?? r.signal}) before printing its URL.\nstdout: ${out}\nstderr: ${stderr}`));
    });
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? '';
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    child.kill('SIGTERM');
    await child;
  };
  const crash = async () => {
    if (stopped) return;
    stopped = true;
    // The one process started here, by its pid: never anything found by name.
    process.kill(child.pid!, 'SIGKILL');
    await child;
  };
  t.after(stop);
  stopBeforeRemoving(dir, stop);
  return {
    url,
    origin: parsed.origin,
    token,
    dir,
    pageUrl: (open) => `${parsed.origin}/?token=${encodeURIComponent(token)}${open ? `&open=${encodeURIComponent(open)}` : ''}`,
    stderr: () => stderr,
    pid: child.pid!,
    crash,
    stop,
    ctrlC: () => {
      if (!options.ownGroup) throw new Error('ctrlC() needs startServe(…, { ownGroup: true })');
      process.kill(-child.pid!, 'SIGINT');
    },
  };
}
