/**
 * Menu commands for one window's page, held until the page has connected (fiddle's "queue
 * until ready"): a command chosen while the window loads, or for a window just opened by the
 * menu, runs once the page is listening instead of being lost.
 */
import type { MenuCommandId } from '../../core/common/bridge.ts';

/** More than this many commands before the page is ready means something is stuck; drop the oldest. */
export const MAX_QUEUED_COMMANDS = 32;

export class CommandQueue {
  private pending: MenuCommandId[] = [];
  private deliver: ((command: MenuCommandId) => void) | null = null;

  /** Runs `command` now if the page is connected, or once it connects. */
  push(command: MenuCommandId): void {
    if (this.deliver) {
      this.deliver(command);
      return;
    }
    if (this.pending.length === MAX_QUEUED_COMMANDS) this.pending.shift();
    this.pending.push(command);
  }

  /** The page is connected: deliver what waited, in order, then everything as it comes. */
  connect(deliver: (command: MenuCommandId) => void): void {
    this.deliver = deliver;
    const waiting = this.pending;
    this.pending = [];
    for (const command of waiting) deliver(command);
  }

  /** The page went away (reload, crash): queue again until it reconnects. */
  disconnect(): void {
    this.deliver = null;
  }

  get size(): number {
    return this.pending.length;
  }
}
