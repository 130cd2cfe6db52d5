/**
 * Starting the privileged kernel host, once per session, keeping its stdio. Order: already root →
 * a plain child; passwordless `sudo -n`; `pkexec` (polkit's dialog); else an error that says how
 * to get privileges. Always an argument array, never a shell string, and never sudo-prompt (it
 * buffers output, cannot be cancelled and expands its command in a shell: the team's SECURITY.md).
 *
 * `setpriv` is the other direction: the root kernel host starts its own kernel host as the
 * invoking user for cells marked `metadata.probebook.user: true`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { HelloError, KernelHostConnection, type KernelHostExit, type KernelWelcome } from './kernel-host-connection.ts';

export type ElevationMethod = 'root' | 'sudo' | 'pkexec' | 'setpriv';

/** A local user, as `/etc/passwd` has it. */
export interface LocalUser {
  uid: number;
  gid: number;
  name: string | null;
  home: string | null;
}

export interface StartKernelHostOptions {
  /** The kernel host bundle (default: {@link kernelHostEntry}). */
  entry?: string;
  /** The Node binary (default: this one). */
  node?: string;
  /** Options for that Node before the entry (e.g. `--import tsx` when running from source). */
  nodeArgs?: string[];
  /** Methods to try, in order (default: {@link elevationPlan}). */
  methods?: ElevationMethod[];
  /** For `setpriv`: who to become. */
  user?: LocalUser;
  /** Heartbeat interval the host holds us to (default 2000 ms; it exits after three missed). */
  heartbeatMs?: number;
  /** How long a non-interactive start may take (default 20 s). A pkexec dialog has no limit. */
  startTimeoutMs?: number;
  /** Where the host's stderr goes (default: this process's stderr; null drops it). */
  forwardStderr?: ((text: string) => void) | null;
  /** The process the host watches (default: this one). */
  parentPid?: number;
  /** Told before each method is tried (the CLI says so before pkexec may ask for a password). */
  onAttempt?: (method: ElevationMethod) => void;
}

export interface StartedKernelHost {
  connection: KernelHostConnection;
  method: ElevationMethod;
  welcome: KernelWelcome;
}

/** Elevation failed: the message lists what was tried and how to get privileges. */
export class ElevationError extends Error {
  constructor(
    message: string,
    readonly attempts: { method: ElevationMethod; reason: string }[],
  ) {
    super(message);
  }
}

/** The methods to try from this process: root needs none. */
export function elevationPlan(): ElevationMethod[] {
  return process.geteuid?.() === 0 ? ['root'] : ['sudo', 'pkexec'];
}

/** The kernel host bundle: beside the running bundle, or `dist/node/kernel-host.js` of this checkout. */
export function kernelHostEntry(): string {
  return bundledEntry('kernel-host.js');
}

/** A bundle of dist/node (`cli.js`, `kernel-host.js`): beside the running bundle, or in this checkout's dist/node. */
export function bundledEntry(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, name), join(here, '..', name)];
  for (let dir = here; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'core'))) {
      candidates.push(join(dir, 'dist/node', name));
      break;
    }
  }
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`The bundle ${name} is missing (looked for ${candidates.join(', ')}): run "npm run build".`);
  return resolve(found);
}

/** The invoking user behind this process: itself, or the user sudo/pkexec ran us for. */
export function invokingUser(env: NodeJS.ProcessEnv = process.env): LocalUser {
  const fromEnv = env.SUDO_UID ?? env.PKEXEC_UID;
  const uid = fromEnv && /^\d+$/.test(fromEnv) ? Number(fromEnv) : (process.getuid?.() ?? 0);
  const entry = lookupUser(uid);
  let gid = entry?.gid ?? (fromEnv ? uid : (process.getgid?.() ?? uid));
  if (env.SUDO_UID && env.SUDO_GID && /^\d+$/.test(env.SUDO_GID)) gid = Number(env.SUDO_GID);
  return { uid, gid, name: entry?.name ?? null, home: entry?.home ?? null };
}

/** The `/etc/passwd` entry of a uid, or null. */
export function lookupUser(uid: number): LocalUser | null {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , u, g, , home] = line.split(':');
      if (u !== undefined && Number(u) === uid && name) return { uid, gid: Number(g), name, home: home || null };
    }
  } catch {
    // no passwd file: the uid alone will do
  }
  return null;
}

/** The argument array that starts the kernel host with `method`. */
export function commandFor(method: ElevationMethod, node: string, entry: string[], hostArgs: string[], user?: LocalUser): { file: string; args: string[] } {
  switch (method) {
    case 'root':
      return { file: node, args: [...entry, ...hostArgs] };
    case 'sudo':
      // -n: never prompt (a prompt would hang on our pipe); --: nothing after it is a sudo option.
      return { file: 'sudo', args: ['-n', '--', node, ...entry, ...hostArgs] };
    case 'pkexec':
      return { file: 'pkexec', args: [node, ...entry, ...hostArgs] };
    case 'setpriv': {
      if (!user) throw new Error('setpriv needs the user to become');
      const groups = user.name ? '--init-groups' : '--clear-groups';
      return { file: 'setpriv', args: [`--reuid=${user.uid}`, `--regid=${user.gid}`, groups, '--', node, ...entry, ...hostArgs] };
    }
  }
}

/**
 * Starts the kernel host with the first method that works and returns it connected (welcome
 * received, heartbeat running). One call = one authentication: keep the result for the session.
 */
export async function startKernelHost(options: StartKernelHostOptions = {}): Promise<StartedKernelHost> {
  const entry = options.entry ?? kernelHostEntry();
  const node = options.node ?? process.execPath;
  const me = invokingUser();
  const user = options.user ?? me;
  const hostArgs = ['--parent-pid', String(options.parentPid ?? process.pid), '--user-uid', String(user.uid), '--user-gid', String(user.gid)];
  const attempts: { method: ElevationMethod; reason: string }[] = [];

  for (const method of options.methods ?? elevationPlan()) {
    const { file, args } = commandFor(method, node, [...(options.nodeArgs ?? []), entry], hostArgs, options.user);
    options.onAttempt?.(method);
    const subprocess = execa(file, args, {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      // The host exits on our stdin EOF; execa's exit hook would only SIGTERM sudo.
      cleanup: false,
      // Its own session: the terminal's Ctrl-C and hangup reach the app, which stops cells in order.
      // pkexec stays in ours: polkit asks about the process in the user's session.
      detached: method !== 'pkexec',
      ...(method === 'setpriv' && options.user ? { env: userEnv(options.user), extendEnv: false } : {}),
    });
    const connection = new KernelHostConnection(subprocess, options.forwardStderr === undefined ? (t) => process.stderr.write(t) : options.forwardStderr);
    const interactive = method === 'pkexec';
    try {
      const welcome = await connection.hello(options.heartbeatMs ?? 2000, interactive ? undefined : (options.startTimeoutMs ?? 20_000));
      return { connection, method, welcome };
    } catch (error) {
      if (!(error instanceof HelloError)) throw error;
      if (!error.exit) {
        subprocess.kill('SIGKILL');
        throw new ElevationError(`The kernel host started with ${method} but did not answer: ${error.message}.`, [
          ...attempts,
          { method, reason: error.message },
        ]);
      }
      const reason = failureReason(method, error.exit);
      attempts.push({ method, reason: reason.text });
      if (reason.final) throw new ElevationError(reason.text, attempts);
    }
  }
  throw new ElevationError(noPrivilegesMessage(attempts, [node, ...(options.nodeArgs ?? []), entry].join(' '), me), attempts);
}

/** Why a method failed, and whether to stop trying (the user said no, or the host itself broke). */
function failureReason(method: ElevationMethod, exit: KernelHostExit): { text: string; final: boolean } {
  const { exitCode, stderr } = exit;
  if (exit.spawnError === 'ENOENT') return { text: `${method === 'root' ? 'node' : method}: not installed`, final: method === 'root' };
  const last = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' / ') || `exit code ${exitCode}`;
  if (method === 'sudo' && /^sudo:/m.test(stderr)) return { text: `sudo -n: ${last.replace(/^sudo: /, '')}`, final: false };
  if (method === 'pkexec') {
    // 126: the user dismissed the dialog — a decision, not a reason to try something else.
    if (exitCode === 126) return { text: 'pkexec: authentication was cancelled or refused', final: true };
    if (exitCode === 127 || exitCode === null || /pkexec|polkit|authority|agent/i.test(last)) return { text: `pkexec: ${last}`, final: false };
  }
  return { text: `The kernel host (started with ${method}) exited before it was ready: ${last}`, final: true };
}

function noPrivilegesMessage(attempts: { method: ElevationMethod; reason: string }[], command: string, user: LocalUser): string {
  const who = user.name ?? String(user.uid);
  return [
    'Probebook runs cells as root and could not get root privileges:',
    ...attempts.map((a) => `  - ${a.reason}`),
    'Do one of these, then try again:',
    `  - allow passwordless sudo for the kernel host only:`,
    `      echo '${who} ALL=(root) NOPASSWD: ${command} *' | sudo tee /etc/sudoers.d/probebook && sudo chmod 0440 /etc/sudoers.d/probebook`,
    '  - install polkit and use Probebook in a desktop session with a polkit agent: sudo apt install pkexec polkitd',
    '  - run Probebook itself as root: sudo probebook serve (browser mode), or sudo probebook run NOTEBOOK.ipynb',
  ].join('\n');
}

/** The environment of a process run as `user` (a kernel host, a signature): nothing of root's. */
export function userEnv(user: LocalUser): Record<string, string> {
  const env: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: process.env.LANG ?? 'C.UTF-8' };
  if (user.home) env.HOME = user.home;
  if (user.name) env.USER = env.LOGNAME = user.name;
  return env;
}
