/**
 * Stopping a cell as Ctrl-C would, then harder: SIGINT, SIGTERM after a grace, SIGKILL after
 * another, each to every process group of the cell's session and only while something of it lives.
 *
 * execa's `cancelSignal` + `forceKillAfterDelay` stop short of this: they signal only the leader's
 * pid (a bash waiting for `sleep` would defer its SIGINT and `sleep` never gets one) and have two
 * steps, not three; so the ladder is ours and execa's is left off.
 */
import { delay } from './delay.ts';
import { sessionAlive, signalSession } from './process-group.ts';

export type LadderStep = 'SIGINT' | 'SIGTERM' | 'SIGKILL';

/**
 * Runs the ladder against session `sid` until `finished` aborts (the cell's main process ended)
 * or the ladder is done. Returns the last step it sent (undefined: nothing was alive to stop).
 * Once `hurry` aborts (the user stopped it again), the steps left follow without waiting.
 */
export async function interruptLadder(
  sid: number,
  graceMs: number,
  finished: AbortSignal,
  hurry?: AbortSignal,
  options: { repeatSigintMs?: number; repeatSigintUntil?: AbortSignal } = {},
): Promise<LadderStep | undefined> {
  const wake = hurry ? AbortSignal.any([finished, hurry]) : finished;
  let last: LadderStep | undefined;
  for (const step of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    if (finished.aborted || !sessionAlive(sid)) break;
    if (!signalSession(sid, step)) break;
    last = step;
    if (step === 'SIGKILL') break;
    if (step === 'SIGINT' && options.repeatSigintMs && !hurry?.aborted) {
      await repeatSigint(sid, graceMs, options.repeatSigintMs, wake, options.repeatSigintUntil);
      continue;
    }
    // After a hurried SIGTERM a moment still, so a process that exits on it is not reported killed.
    await (hurry?.aborted ? delay(Math.min(graceMs, 200), finished) : delay(graceMs, wake));
  }
  return last;
}

/**
 * The SIGINT step's grace, sending SIGINT again every `everyMs` for a process that may have missed
 * it, until `until` aborts (the process showed it got one: another could kill it), then the rest of
 * the grace without.
 */
async function repeatSigint(sid: number, graceMs: number, everyMs: number, wake: AbortSignal, until?: AbortSignal): Promise<void> {
  const end = Date.now() + graceMs;
  for (let left = graceMs; left > 0 && !wake.aborted; left = end - Date.now()) {
    await delay(until?.aborted ? left : Math.min(everyMs, left), wake);
    if (wake.aborted || Date.now() >= end || !sessionAlive(sid)) return;
    if (!until?.aborted) signalSession(sid, 'SIGINT');
  }
}

/**
 * A one-line note for a cell that needed more than SIGINT to stop (undefined when SIGINT did).
 * `hurried`: the user stopped it again, so the graces were cut short.
 */
export function ladderNote(stoppedWith: LadderStep | undefined, graceMs: number, hurried = false): string | undefined {
  if (hurried && stoppedWith === 'SIGTERM') return '[probebook: stopped again while stopping, so it was sent SIGTERM]\n';
  if (hurried && stoppedWith === 'SIGKILL') return '[probebook: stopped again while stopping; it ignored SIGINT and SIGTERM, so it was killed with SIGKILL]\n';
  const grace = graceMs >= 1000 ? `${+(graceMs / 1000).toFixed(1)} s` : `${graceMs} ms`;
  if (stoppedWith === 'SIGTERM') return `[probebook: the cell did not stop within ${grace} of SIGINT, so it was sent SIGTERM]\n`;
  if (stoppedWith === 'SIGKILL') return `[probebook: the cell ignored SIGINT and SIGTERM, so it was killed with SIGKILL after ${grace} more]\n`;
  return undefined;
}
