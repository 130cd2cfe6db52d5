/**
 * The files through which `probebook serve` hands its access token to the user's own tools and
 * browser: `server-PID.json` (URL, folder, pid, like Jupyter's server info) and `open-PID.html`
 * (the sign-in form the browser opens). Whoever reads either runs cells as root, so (docs/security.md,
 * "Another local user") they live only in a folder that is provably the user's own, are created
 * O_CREAT|O_EXCL|O_NOFOLLOW with mode 0600, are removed on exit, and those a killed serve left
 * are removed by the next start.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, processStartTime } from '../process/process-identity.ts';
import { userStateDir } from '../state-dir.ts';
import { atExit } from '../process/exit-cleanup.ts';
import { ensurePrivateDir, privateDirProblem } from '../process/owned-dir.ts';
import { loginFormPage } from './login.ts';

/** What `server-PID.json` holds. */
export interface ServerInfo {
  url: string;
  folder: string;
  pid: number;
  /** The process's start time (/proc/PID/stat), so a reused pid is not taken for this server. */
  startTime: string | null;
}

const PURPOSE = "the server's access token";
/** `server-PID.json`, `open-PID.html`; a second server in one process (tests) adds `-N` to the pid. */
const OUR_FILE = /^(server|open)-((\d+)(?:-\d+)?)\.(json|html)$/;
/** Names this process's servers use now. */
const namesInUse = new Set<string>();

/**
 * Where the files go: `$XDG_RUNTIME_DIR/probebook` when XDG_RUNTIME_DIR is set and is the user's
 * own (theirs, 0700, not a link), otherwise `run/` in the user's state directory; never a shared
 * folder such as /tmp, where another user could make the folder or the files first. `warning`
 * says why a set XDG_RUNTIME_DIR was passed over.
 */
export function serverInfoDir(env: NodeJS.ProcessEnv = process.env): { dir: string; warning?: string } {
  const runtime = env.XDG_RUNTIME_DIR;
  let warning: string | undefined;
  if (runtime) {
    const problem = privateDirProblem(runtime);
    if (!problem) return { dir: ensurePrivateDir(join(runtime, 'probebook'), PURPOSE) };
    warning = `XDG_RUNTIME_DIR (${runtime}) is not used: ${problem}`;
  }
  const dir = ensurePrivateDir(join(userStateDir(env), 'run'), PURPOSE);
  return { dir, warning: warning && `${warning}; the server-info file goes to ${dir} instead.` };
}

/** This serve's files: made in {@link serverInfoDir}, removed by {@link ServerInfoFiles.removeAll} or at exit. */
export class ServerInfoFiles {
  readonly dir: string;
  /** Why XDG_RUNTIME_DIR was not used, for the user. */
  readonly warning: string | undefined;
  readonly #pid = process.pid;
  readonly #name: string;
  readonly #written = new Set<string>();
  readonly #cancelExit: () => void;

  /** Picks and checks the folder and removes stale files; throws (naming the folder and the fault) when no safe folder can be had. */
  constructor(env: NodeJS.ProcessEnv = process.env) {
    ({ dir: this.dir, warning: this.warning } = serverInfoDir(env));
    sweepStaleServerFiles(this.dir);
    let name = String(this.#pid);
    for (let n = 2; namesInUse.has(`${this.dir}/${name}`); n++) name = `${this.#pid}-${n}`;
    this.#name = name;
    namesInUse.add(`${this.dir}/${name}`);
    // Ctrl-C twice, SIGHUP, an uncaught error: the token files go whatever ends the process.
    this.#cancelExit = atExit(() => this.removeAll());
  }

  get infoFile(): string {
    return join(this.dir, `server-${this.#name}.json`);
  }

  get redirectFile(): string {
    return join(this.dir, `open-${this.#name}.html`);
  }

  /** Writes `server-PID.json`; returns its path. */
  writeInfo(url: string, folder: string): string {
    const info: ServerInfo = { url, folder, pid: this.#pid, startTime: processStartTime(this.#pid) };
    this.#create(this.infoFile, `${JSON.stringify(info)}\n`);
    return this.infoFile;
  }

  /** Writes `open-PID.html`, the page that signs a browser in to `url` (the printed URL) by a POST; returns its path. */
  writeRedirect(url: string): string {
    this.#create(this.redirectFile, loginFormPage(url));
    return this.redirectFile;
  }

  /** Removes the redirect file (a browser signed in with it, or serve stops). */
  removeRedirect(): void {
    this.#remove(this.redirectFile);
  }

  removeAll(): void {
    this.removeRedirect();
    this.#remove(this.infoFile);
    this.#cancelExit();
    namesInUse.delete(`${this.dir}/${this.#name}`);
  }

  #create(path: string, content: string): void {
    let fd: number;
    try {
      // EXCL|NOFOLLOW: never write into a file or through a link someone put there.
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    } catch (error) {
      throw new Error(`cannot create ${path} for ${PURPOSE}: ${(error as Error).message}. Nothing was written to it.`);
    }
    this.#written.add(path);
    try {
      writeSync(fd, content);
    } catch (error) {
      this.#remove(path);
      throw new Error(`cannot write ${path}: ${(error as Error).message}`);
    } finally {
      closeSync(fd);
    }
  }

  #remove(path: string): void {
    if (!this.#written.delete(path)) return;
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(`cannot remove ${path} (it holds ${PURPOSE}): ${(error as Error).message}; remove it yourself.`);
    }
  }
}

/**
 * Removes the files of servers that are gone from `dir` (one of our private folders): a pid's
 * files are stale when that pid does not run, or runs a process that started at another time
 * than its `server-PID.json` says (a reused pid), or has no `server-PID.json`. A server file that
 * cannot be read yet is being written and stays. Returns the names removed.
 */
export function sweepStaleServerFiles(dir: string): string[] {
  const removed: string[] = [];
  const verdicts = new Map<string, boolean>();
  for (const name of readdirSync(dir)) {
    const m = OUR_FILE.exec(name);
    if (!m || (m[1] === 'server') !== (m[4] === 'json')) continue;
    const key = m[2]!;
    if (!verdicts.has(key)) verdicts.set(key, isStale(dir, key, Number(m[3])));
    if (!verdicts.get(key)) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(`cannot remove the stale ${join(dir, name)}: ${(error as Error).message}; remove it yourself.`);
    }
  }
  return removed;
}

function isStale(dir: string, key: string, pid: number): boolean {
  if (processStartTime(pid) === null) return true;
  const info = readInfo(join(dir, `server-${key}.json`));
  if (info === undefined) return true;
  if (info === null) return false;
  return !isAlive(pid, typeof info.startTime === 'string' ? info.startTime : null);
}

/** The server file's content; undefined when there is none, null when it is not (yet) complete JSON. */
function readInfo(path: string): Partial<ServerInfo> | null | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const buffer = Buffer.alloc(64 * 1024);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const parsed = JSON.parse(buffer.subarray(0, length).toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Partial<ServerInfo>) : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
