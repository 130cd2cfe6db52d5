/**
 * Runs cells in this process's own kernels: as root in CI and `sudo probebook run`, and in tests.
 * The privileged kernel host uses the same kernels behind its stdio protocol.
 */
import type { CellLanguage } from '../../common/languages.ts';
import type { RunAs } from '../../common/protocol.ts';
import type { Kernel } from '../kernels/kernel.ts';
import { processTree, watchReady } from '../process/ready-watch.ts';
import type { CellExecutor } from './executor.ts';

/** Makes each language's kernel on first use, so a notebook of shell cells never loads the rest. */
export type KernelFactories = Record<CellLanguage, () => Promise<Kernel>>;

export const DEFAULT_KERNELS: KernelFactories = {
  shell: async () => new (await import('../kernels/shell-kernel.ts')).ShellKernel(),
  bpftrace: async () => new (await import('../kernels/bpftrace-kernel.ts')).BpftraceKernel(),
  typescript: async () => new (await import('../kernels/typescript-kernel.ts')).TypeScriptKernel(),
};

class LocalExecutor implements CellExecutor {
  readonly runAs: RunAs = process.geteuid?.() === 0 ? 'root' : 'user';
  readonly #factories: KernelFactories;
  readonly #kernels = new Map<CellLanguage, Promise<Kernel>>();

  /** Every cell runs as this process: the kernel host sends `asUser` cells to a host of their own. */
  runAsFor(): RunAs {
    return this.runAs;
  }

  constructor(factories: KernelFactories = DEFAULT_KERNELS) {
    this.#factories = factories;
  }

  #kernel(language: CellLanguage): Promise<Kernel> {
    let kernel = this.#kernels.get(language);
    if (!kernel) {
      kernel = this.#factories[language]();
      this.#kernels.set(language, kernel);
      kernel.catch(() => this.#kernels.delete(language));
    }
    return kernel;
  }

  prepare(language: CellLanguage): void {
    this.#kernel(language).catch(() => undefined); // a kernel that cannot start says so at its first cell
  }

  async execute(request: Parameters<CellExecutor['execute']>[0]) {
    const kernel = await this.#kernel(request.language);
    if (!request.ready || !request.onReady) return kernel.execute(request);
    // No cgroup per cell here: the cell's processes are those its kernel started and their children.
    const spawned: number[] = [];
    const watch = watchReady(request.ready, () => processTree(spawned), request.onReady);
    try {
      return await kernel.execute({
        ...request,
        onSpawn: (pid) => {
          spawned.push(pid);
          request.onSpawn?.(pid);
        },
      });
    } finally {
      watch.stop();
    }
  }

  async reset(notebookKey: string): Promise<void> {
    await Promise.all([...this.#kernels.values()].map(async (k) => (await k).reset(notebookKey)));
  }

  async dispose(): Promise<void> {
    const kernels = [...this.#kernels.values()];
    this.#kernels.clear();
    await Promise.allSettled(kernels.map(async (k) => (await k).dispose()));
  }
}

export function createLocalExecutor(factories?: KernelFactories): CellExecutor {
  return new LocalExecutor(factories);
}
