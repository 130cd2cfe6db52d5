/**
 * Stopping a cell as Ctrl-C would, then harder: SIGINT to the group, SIGTERM after a grace,
 * SIGKILL after another. Each step is sent only if the group is still alive.
 */
import { delay, groupAlive, signalGroup } from './process-group.ts';

export type LadderStep = 'SIGINT' | 'SIGTERM' | 'SIGKILL';

/**
 * Runs the ladder against `pgid` until `finished` aborts (the cell's main process ended) or the
 * ladder is done. Returns the last step it had to send.
 */
export async function interruptLadder(pgid: number, graceMs: number, finished: AbortSignal): Promise<LadderStep | undefined> {
  let last: LadderStep | undefined;
  for (const step of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    if (finished.aborted || !groupAlive(pgid)) break;
    signalGroup(pgid, step);
    last = step;
    if (step === 'SIGKILL') break;
    await delay(graceMs, finished);
  }
  return last;
}
