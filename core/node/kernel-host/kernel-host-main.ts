/**
 * Entry of the kernel host process (bundled to dist/node/kernel-host.js), started by
 * `startKernelHost()` as root (plain child, `sudo -n` or `pkexec`) or, for `asUser` cells, as the
 * invoking user through `setpriv`.
 *
 *   node kernel-host.js --parent-pid PID --user-uid UID --user-gid GID
 *
 * stdout carries the protocol only; everything else goes to stderr.
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SessionContainment } from '../process/session-containment.ts';
import { createLocalExecutor, DEFAULT_KERNELS } from '../run/local-executor.ts';
import type { CellExecutor } from '../run/executor.ts';
import { invokingUser, lookupUser } from './elevation.ts';
import { KernelHost } from './kernel-host.ts';
import { KernelHostClient } from './kernel-host-client.ts';

// A stray console.log from any module would corrupt the protocol on stdout.
for (const name of ['log', 'info', 'debug'] as const) console[name] = (...args: unknown[]) => console.error(...args);

const { values } = parseArgs({
  options: { 'parent-pid': { type: 'string' }, 'user-uid': { type: 'string' }, 'user-gid': { type: 'string' } },
  strict: true,
});
const number = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);

// sudo and pkexec say who invoked them; that beats what the (unprivileged) client claims.
const fromEnv = process.env.SUDO_UID ?? process.env.PKEXEC_UID;
const isRoot = process.geteuid?.() === 0;
const claimedUid = number(values['user-uid']);
const uid = !isRoot ? process.getuid!() : fromEnv ? invokingUser().uid : (claimedUid ?? 0);
const gid = !isRoot ? process.getgid!() : fromEnv ? invokingUser().gid : (number(values['user-gid']) ?? lookupUser(uid)?.gid ?? uid);

const sessionId = randomUUID();
const containment = new SessionContainment(sessionId);
containment.start();

const userExecutor = async (): Promise<CellExecutor> => {
  const entry = lookupUser(uid) ?? { uid, gid, name: null, home: null };
  const client = await KernelHostClient.start({
    methods: ['setpriv'],
    user: { ...entry, gid },
    entry: fileURLToPath(import.meta.url),
    nodeArgs: process.execArgv,
    parentPid: process.pid,
    // This host audits the user's cells itself; the inner host's records would be duplicates.
    onAudit: () => undefined,
  });
  const token = `${sessionId}.user-host`;
  containment.createCell(token);
  if (client.connection.pid) containment.adopt(token, client.connection.pid);
  return client;
};

const host = new KernelHost({
  input: process.stdin,
  output: process.stdout,
  sessionId,
  // Root TypeScript cells may load modules of root and of this user only (module-trust.ts).
  executor: createLocalExecutor({
    ...DEFAULT_KERNELS,
    typescript: async () => new (await import('../kernels/typescript-kernel.ts')).TypeScriptKernel({ invokingUid: uid }),
  }),
  userExecutor: isRoot && uid !== 0 ? userExecutor : undefined,
  user: { uid, gid },
  containment,
  parentPid: number(values['parent-pid']),
  onExit: (code) => {
    // Let the last lines reach the client, then go; stdin may still hold the loop open.
    process.stdout.write('', () => process.exit(code));
    setTimeout(() => process.exit(code), 500).unref();
  },
});
host.start();

// SIGINT is the terminal's Ctrl-C: the client turns it into interrupts and runs cleanup cells.
process.on('SIGINT', () => undefined);
for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void host.shutdown(`received ${signal}`, 0));
// The app is gone when its pipes break: never let EPIPE become an exception (or a loop of them).
process.stdout.on('error', () => void host.shutdown('stdout closed (the app is gone)', 0));
process.stderr.on('error', () => undefined);
process.on('uncaughtException', (error) => {
  process.stderr.write(`probebook kernel host: ${error.stack ?? error.message}\n`);
  void host.shutdown('internal error', 1);
});
