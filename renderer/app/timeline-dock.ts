/**
 * The run timeline docked under the notebook: shown or hidden by the user, its height dragged;
 * both are kept in the browser for next time.
 */
import { RunTimelinePanel } from '../notebook/run-timeline.ts';
import type { App } from './app.ts';

const TIMELINE_KEY = 'probebook.timeline';

export class TimelineDock {
  /** Whether the run timeline is shown, and its height (kept in the browser). */
  private readonly state = readTimelineState();
  private current: RunTimelinePanel | null = null;

  constructor(private readonly app: App) {}

  /** The panel shown, if any. */
  get panel(): RunTimelinePanel | null {
    return this.current;
  }

  /** Whether the user left it open: a notebook shown next shows it too. */
  get wanted(): boolean {
    return this.state.open;
  }

  /** Shows or hides the run timeline under the notebook (the choice is kept for next time). */
  toggle(): void {
    this.state.open = !this.current;
    writeTimelineState(this.state);
    if (this.current) this.unmount();
    else this.mount();
    this.app.refreshChrome();
  }

  mount(): void {
    const doc = this.app.doc;
    if (!doc || this.current) return;
    const panel = new RunTimelinePanel(
      doc,
      {
        selectCell: (cellId) => {
          const view = this.app.view;
          if (!view?.view(cellId)) return;
          if (view.mode === 'edit') view.selection.enterCommand();
          view.select(cellId, 'command');
          view.view(cellId)!.scrollIntoView();
          view.element.focus({ preventScroll: true });
        },
        close: () => {
          if (this.current) this.toggle();
        },
        runAll: () => this.app.commands.run('notebook.runAll'),
        resized: (height) => {
          this.state.height = height;
          writeTimelineState(this.state);
          document.documentElement.style.setProperty('--pb-timeline-h', `${height}px`);
        },
      },
      { height: this.state.height },
    );
    this.current = panel;
    this.app.shell.element.append(panel.element);
    panel.setActiveCell(this.app.view?.activeCellId ?? null);
    document.documentElement.style.setProperty('--pb-timeline-h', `${panel.height}px`);
  }

  unmount(): void {
    this.current?.dispose();
    this.current = null;
    document.documentElement.style.removeProperty('--pb-timeline-h');
  }
}

function readTimelineState(): { open: boolean; height: number } {
  try {
    const stored = JSON.parse(localStorage.getItem(TIMELINE_KEY) ?? 'null') as { open?: unknown; height?: unknown } | null;
    const height = typeof stored?.height === 'number' && stored.height >= 120 && stored.height <= 2000 ? stored.height : 260;
    return { open: stored?.open === true, height };
  } catch {
    return { open: false, height: 260 };
  }
}

function writeTimelineState(state: { open: boolean; height: number }): void {
  try {
    localStorage.setItem(TIMELINE_KEY, JSON.stringify(state));
  } catch {
    // Not stored: the choice lasts for this page.
  }
}
