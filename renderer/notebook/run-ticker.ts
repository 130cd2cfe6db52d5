/**
 * The live duration of running cells: one interval for the whole notebook, running only while
 * some cell is queued or running.
 */
import type { CellView } from './cell-view.ts';

export class RunTicker {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly views: () => Iterable<CellView>) {}

  /** A cell's run state changed: start or stop ticking. */
  refresh(): void {
    const running = [...this.views()].filter((v) => v.isBusy);
    if (running.length === 0) {
      this.dispose();
      return;
    }
    this.timer ??= setInterval(() => {
      const now = Date.now();
      for (const v of this.views()) if (v.isBusy) v.tick(now);
    }, 100);
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
