/**
 * The one way a session host is assembled, for `probebook serve` (core/node/commands/serve.ts)
 * and Electron's main process (electron/main/session-host.ts): a served folder, the user's trust
 * store and state folder, and cells run by a kernel host started at the first run.
 *
 * @example
 * ```ts
 * const host = await createSessionHost({ root: '/home/me/labs' });
 * host.attach(connection); // each page's link: a WebSocket (NotebookServer) or a MessagePort
 * await host.dispose(); // stops runs (cleanup cells run), then the kernel host
 * ```
 */
import { KernelHostClient, type KernelHostClientOptions } from '../kernel-host/kernel-host-client.ts';
import { userStateDir } from '../state-dir.ts';
import { ServedRoot } from './served-root.ts';
import { SessionHost } from './session-host.ts';
import { TrustStore } from './trust.ts';

export interface CreateSessionHostOptions {
  /** The folder UIs may open files in (`/` for the desktop app, whose user picks files in dialogs). */
  root: string;
  /**
   * How the kernel host is started, asked at each start (the first run, and after it died). It may
   * throw saying what is missing; that run fails with the message. Default: `KernelHostClient.start()`'s.
   */
  kernelHost?: () => KernelHostClientOptions;
  /** The user's state folder: trust signatures, backups, the cleanup ledger (default `userStateDir()`). */
  stateDir?: string;
}

/** A session host over `root`. Opening runs nothing: the kernel host starts (elevating once) at the first run. */
export async function createSessionHost(options: CreateSessionHostOptions): Promise<SessionHost> {
  const stateDir = options.stateDir ?? userStateDir();
  return new SessionHost({
    root: await ServedRoot.open(options.root),
    // Cells always run in the kernel host: elevated once, or (already root) a plain child. One
    // containment, one audit log and `user: true` cells as the invoking user for every way Probebook runs.
    executor: () => KernelHostClient.start(options.kernelHost?.()),
    // Root knows it has root; anyone else learns who runs cells at the first run's elevation.
    runAs: process.geteuid?.() === 0 ? 'root' : 'unknown',
    trust: new TrustStore(stateDir),
    stateDir,
  });
}
