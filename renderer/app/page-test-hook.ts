/**
 * `window.probebookTest`: what the e2e tests (test/e2e) and the page benchmark read of the page,
 * and the one thing they do to it. Narrow on purpose: tests drive the page as people do (keys,
 * clicks) and read here only what the screen cannot say exactly.
 */
import type { Cell } from '../../core/common/notebook/model.ts';
import type { Mode } from '../notebook/commands.ts';
import type { App } from './app.ts';
import { figurePngsDrawn } from './figure-pngs.ts';

export interface PageTestHook {
  /** The cells of the notebook shown, as the page's document holds them (null: none shown). */
  cells(): readonly Cell[] | null;
  /** Whether the notebook shown is trusted (null: none shown). */
  trusted(): boolean | null;
  /** The selected cell's id (null: no notebook or no cell). */
  activeCellId(): string | null;
  /** Jupyter's mode of the notebook shown (null: none shown). */
  mode(): Mode | null;
  /** The ids of every command the page has (toolbar, keys, palette and menus run these). */
  commandIds(): string[];
  /** Whether a command can run now (as the toolbar and palette show it). */
  commandEnabled(id: string): boolean;
  /** Closes the page's WebSocket as a dropped network would: the page must reconnect by itself. */
  dropConnection(): void;
  /** Once the figure PNGs being drawn ahead of a save are done: how many are ready (docs/export.md). */
  figurePngsDrawn(): Promise<number>;
}

declare global {
  interface Window {
    probebookTest?: PageTestHook;
  }
}

export function exposePageTestHook(app: App): void {
  window.probebookTest = {
    cells: () => app.doc?.cells ?? null,
    trusted: () => app.doc?.trusted ?? null,
    activeCellId: () => app.view?.activeCellId ?? null,
    mode: () => app.view?.mode ?? null,
    commandIds: () => app.commands.all().map((c) => c.id),
    commandEnabled: (id) => app.commands.isEnabled(id),
    dropConnection: () => {
      // The transport keeps its socket private (a page never drops its own link); tests do, to see it come back.
      const link = app.connection as unknown as { transport: { socket?: WebSocket } | null };
      link.transport?.socket?.close();
    },
    figurePngsDrawn,
  };
}
