/**
 * A cell's run state on the page: the run/stop button and the execution count in the gutter, and
 * the status in the header with a live duration, the root badge, and "stopping" once the user
 * asked a running cell to stop (it may take a while; stopping again kills it at once).
 */
import { formatDuration } from '../../core/common/format.ts';
import type { Cell } from '../../core/common/notebook/model.ts';
import type { CellRunState } from '../../core/common/protocol.ts';
import { h } from '../outputs/dom.ts';
import { icon, iconButton } from './icons.ts';

export class CellRunStatus {
  readonly button: HTMLButtonElement;
  readonly count = h('div', 'pb-count');
  readonly status = h('span', 'pb-status');
  private state: CellRunState = { status: 'idle', executionCount: null };
  private stopping = false;

  /** `run` and `stop`: what the button does for an idle and for a busy cell. */
  constructor(run: () => void, stop: () => void) {
    this.button = iconButton('play', 'Run cell (Ctrl+Enter)', () => (this.isBusy ? stop() : run()), { className: 'pb-run' });
    this.status.setAttribute('aria-live', 'polite');
  }

  get isBusy(): boolean {
    return this.state.status === 'queued' || this.state.status === 'running';
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** The user asked the running cell to stop; false when it is not running or was asked already. */
  markStopping(): boolean {
    if (this.state.status !== 'running' || this.stopping) return false;
    this.stopping = true;
    return true;
  }

  /** Shows the cell's run state (and execution count) as the document has it now. */
  show(state: CellRunState, cell: Cell): void {
    this.state = state;
    if (state.status !== 'running') this.stopping = false;
    const busy = this.isBusy;
    if (busy !== (this.button.dataset['busy'] === 'true')) {
      this.button.dataset['busy'] = String(busy);
      this.button.replaceChildren(icon(busy ? 'stop' : 'play'));
    }
    const title = !busy ? 'Run cell (Ctrl+Enter)' : this.stopping ? 'Stopping: click again to kill the cell now' : 'Stop the cell (I, I stops everything)';
    if (this.button.title !== title) {
      this.button.title = title;
      this.button.setAttribute('aria-label', title);
    }
    const n = busy ? '*' : (cell.executionCount ?? state.executionCount ?? ' ');
    this.count.textContent = cell.cellType === 'code' ? `[${n}]` : '';
    this.tick(Date.now());
  }

  /** Updates the live duration of a running cell. */
  tick(now: number): void {
    const s = this.state;
    const parts: (string | Node)[] = [];
    switch (s.status) {
      case 'queued':
        parts.push(icon('clock'), 'Queued');
        break;
      case 'running':
        parts.push(h('span', 'pb-spinner'), formatDuration(s.startedAt ? now - s.startedAt : 0, 'short'));
        if (s.runAs === 'root') parts.push(h('span', 'pb-root-badge', 'root'));
        if (s.readiness?.state === 'waiting') parts.push(h('span', 'pb-ready-note', `· waiting until ready: ${s.readiness.waitingFor}`));
        else if (s.readiness?.state === 'ready') parts.push(h('span', 'pb-ready-note', `· ready after ${formatDuration(s.readiness.afterMs, 'short')}`));
        if (this.stopping) parts.push(h('span', 'pb-stop-note', '· stopping… stop again to kill it'));
        break;
      case 'ok':
        parts.push(icon('check'), formatDuration(s.durationMs ?? 0, 'short'));
        if (s.stopReason === 'timeout') parts.push(h('span', 'pb-stop-note', '· stopped by its timeout'));
        else if (s.stopReason === 'run-ended') parts.push(h('span', 'pb-stop-note', '· stopped at the end of the run'));
        break;
      case 'failed':
        parts.push(icon('alert'), `Failed · ${formatDuration(s.durationMs ?? 0, 'short')}`);
        break;
      case 'interrupted':
        parts.push(icon('interrupted'), `Stopped · ${formatDuration(s.durationMs ?? 0, 'short')}`);
        break;
      default:
        break;
    }
    if (parts.length || this.status.firstChild) this.status.replaceChildren(...parts);
  }
}
