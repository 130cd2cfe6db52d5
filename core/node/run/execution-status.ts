import type { ExecutionStatus } from '../../common/protocol.ts';
import type { CellOutcome } from './notebook-runner.ts';

/**
 * What a finished cell shows and records (its status line, `metadata.execution`, `cell()`):
 * `ok` when the run counts it as done (a cell stopped by its timeout or the run's end too),
 * else `interrupted` or `failed` as it ended.
 */
export function executionStatus(outcome: Pick<CellOutcome, 'success' | 'status'>): ExecutionStatus {
  if (outcome.success) return 'ok';
  return outcome.status === 'interrupted' ? 'interrupted' : 'failed';
}
