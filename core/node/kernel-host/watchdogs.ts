/**
 * The kernel host's watchdogs: it exits when no `kernel_hello` arrives in time, when the app's
 * process is gone (Node cannot set PR_SET_PDEATHSIG), or when the app's heartbeats stop.
 */
import { isAlive, processStartTime } from '../process/process-identity.ts';

const PARENT_POLL_MS = 250;
/** Heartbeats may be this many intervals late before the host gives up on its client. */
const MISSED_BEATS = 3;

export class Watchdogs {
  readonly #exit: (reason: string, code: number) => void;
  readonly #timers: NodeJS.Timeout[] = [];
  #lastBeat = Date.now();

  /** `exit` ends the host, saying why; each watchdog calls it at most once per cause. */
  constructor(exit: (reason: string, code: number) => void) {
    this.#exit = exit;
  }

  /** Exits unless `arrived()` is true after `ms`. */
  helloWithin(ms: number, arrived: () => boolean): void {
    this.#timers.push(
      setTimeout(() => {
        if (!arrived()) this.#exit('no kernel_hello arrived', 1);
      }, ms),
    );
  }

  /** Exits when the process `pid` (as it is now: pids are reused) is gone. */
  parent(pid: number): void {
    const startTime = processStartTime(pid);
    if (startTime === null) {
      this.#exit(`the app's process ${pid} does not exist`, 1);
      return;
    }
    this.#timers.push(
      setInterval(() => {
        if (!isAlive(pid, startTime)) this.#exit(`the app's process ${pid} is gone`, 0);
      }, PARENT_POLL_MS),
    );
  }

  /** Exits when no {@link beat} came for {@link MISSED_BEATS} intervals of `heartbeatMs`. */
  heartbeats(heartbeatMs: number): void {
    this.#lastBeat = Date.now();
    const tickMs = Math.min(heartbeatMs, 1000);
    const limit = MISSED_BEATS * heartbeatMs;
    let lastTick = Date.now();
    this.#timers.push(
      setInterval(() => {
        const now = Date.now();
        // Time this process itself stood still (a loaded machine, a long synchronous load) is not
        // the app's silence: its heartbeats may be waiting unread in the pipe.
        const stalled = now - lastTick - tickMs;
        lastTick = now;
        if (stalled > tickMs) this.#lastBeat += stalled;
        if (now - this.#lastBeat <= limit) return;
        // Timers run before pending input is read: look again once the pipe has been read.
        setImmediate(() => {
          const late = Date.now() - this.#lastBeat;
          if (late > limit) this.#exit(`missed heartbeat (none for ${late} ms)`, 1);
        });
      }, tickMs),
    );
  }

  /** A heartbeat arrived. */
  beat(): void {
    this.#lastBeat = Date.now();
  }

  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
  }
}
