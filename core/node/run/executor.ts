/**
 * What runs cells for a runner: in-process kernels (`LocalExecutor`: inside the kernel host, and in tests) or
 * the privileged kernel host over stdio (`KernelHostClient`, issue 5). Both implement this.
 */
import type { CellLanguage } from '../../common/languages.ts';
import type { RunAs } from '../../common/protocol.ts';
import type { ExecutionRequest, ExecutionResult } from '../kernels/kernel.ts';

export interface CellExecutor {
  /** Who cells run as through this executor. */
  readonly runAs: RunAs;
  /** Set once it can run no more cells (the kernel host is gone): a new one must be started. */
  readonly closed?: boolean;
  /** Who a cell runs as: `asUser` cells as the invoking user where this executor can do that. */
  runAsFor(asUser: boolean | undefined): RunAs;
  /** Runs one cell; dispatches on `request.language`. Never rejects for a cell's own failure. */
  execute(request: ExecutionRequest & { timeoutMs?: number; asUser?: boolean; notebookPath?: string | null }): Promise<ExecutionResult>;
  /** Starts a language's kernel ahead of its first cell (in-process executors). */
  prepare?(language: CellLanguage): void;
  /** Forgets one notebook's kernel state (shell cwd/env, TypeScript context). */
  reset(notebookKey: string): Promise<void>;
  /** Stops everything it runs. */
  dispose(): Promise<void>;
}
