/**
 * In-process cells contained the way the kernel host contains its own. `probebook serve` running
 * as root runs cells in its own kernels (no kernel host to start; TypeScript cells reach their
 * notebook), so nothing else would stop them if serve were killed with SIGKILL. Here every
 * execution carries the session's `PROBEBOOK_CELL_RUN` marker and its process group is told to
 * the guard process (`probebook-reaper`, core/node/process/cgroup.ts), which kills them all when
 * this process dies, however it dies.
 *
 * Process groups and the marker only: the process serving the page is never moved into a cell
 * cgroup (the kernel host moves itself into its session cgroup; a web server must not).
 *
 * @example
 * ```ts
 * const executor = new ContainedExecutor(new LocalExecutor());
 * const runner = new NotebookRunner({ notebook, notebookPath, notebookKey, executor });
 * ```
 */
import { randomUUID } from 'node:crypto';
import { CELL_MARKER_ENV, detectContainment, SessionContainment } from '../process/cgroup.ts';
import type { ExecutionResult } from '../kernels/kernel.ts';
import type { CellExecutor } from './executor.ts';

export class ContainedExecutor implements CellExecutor {
  readonly runAs: 'root' | 'user';
  readonly #inner: CellExecutor;
  readonly #containment: SessionContainment;
  #next = 0;

  constructor(inner: CellExecutor, sessionId: string = randomUUID()) {
    this.#inner = inner;
    this.runAs = inner.runAs;
    this.#containment = new SessionContainment(sessionId, {
      ...detectContainment(),
      mode: 'process-group',
      reason: 'cells run in the process that serves the page, which stays out of cell cgroups',
    });
    this.#containment.start();
  }

  /** The guard's pid (tests check it stops the cells when this process is killed). */
  get reaperPid(): number | undefined {
    return this.#containment.reaperPid;
  }

  async execute(request: Parameters<CellExecutor['execute']>[0]): Promise<ExecutionResult> {
    const token = `${this.#containment.sessionId}.${++this.#next}`;
    try {
      const result = await this.#inner.execute({
        ...request,
        env: { ...request.env, [CELL_MARKER_ENV]: token },
        onSpawn: (pid) => {
          this.#containment.adopt(token, pid);
          request.onSpawn?.(pid);
        },
      });
      // Nothing of a stopped cell survives it: what left its process group is found by the marker.
      if (result.stopped) await this.#containment.killCell(token);
      return result;
    } finally {
      this.#containment.release(token);
    }
  }

  runAsFor(asUser: boolean | undefined): 'root' | 'user' {
    return this.#inner.runAsFor(asUser);
  }

  reset(notebookKey: string): Promise<void> {
    return this.#inner.reset(notebookKey);
  }

  async dispose(): Promise<void> {
    await this.#inner.dispose();
    await this.#containment.killAll();
  }
}
