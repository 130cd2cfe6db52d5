/**
 * The notebook on the page: the document kept in step with the host and its view, made from a
 * snapshot (a fresh open, or a resync of the one shown, keeping selection and scroll) and taken
 * down again. The first paint comes before the editor, the renderers and the cells past the
 * first screens.
 */
import { drawFiguresAhead } from './figure-pngs.ts';
import type { NotebookSnapshot } from '../../core/common/protocol.ts';
import { HostRequestError } from '../connection/host-connection.ts';
import { loadMonaco } from '../notebook/editor/monaco-loader.ts';
import { NotebookDocument } from '../notebook/notebook-document.ts';
import { NotebookView } from '../notebook/notebook-view.ts';
import type { App } from './app.ts';
import { toast } from './dialog.ts';
import { preloadLazyModules } from './lazy-modules.ts';
import { addRecentFile } from './recent-files.ts';

/** The banners that speak of the notebook shown (they go with it). */
const NOTEBOOK_BANNERS = ['trust', 'readonly', 'backup', 'cleanup'];

export class NotebookMount {
  doc: NotebookDocument | null = null;
  view: NotebookView | null = null;
  /** The path asked for and not shown yet: a reconnect asks for it again. */
  opening: string | null = null;

  /** Stops drawing the shown notebook's figure PNGs ahead of a save. */
  private stopDrawingAhead: (() => void) | null = null;

  constructor(private readonly app: App) {}

  /** Shows a snapshot (a fresh open, or a resync of the notebook shown), keeping selection and scroll. */
  show(snapshot: NotebookSnapshot): void {
    const app = this.app;
    const same = this.doc?.id === snapshot.notebookId;
    const keep = same ? { cellId: this.view?.activeCellId ?? null, scroll: window.scrollY } : null;
    this.drop();
    const connection = app.connection;
    const doc = new NotebookDocument(snapshot, {
      sendEdits: (edits, baseVersion) => {
        const requestId = connection.nextRequestId();
        connection.request({ type: 'edit', notebookId: doc.id, baseVersion, edits }, requestId).catch((error: unknown) => {
          doc.editFailed(requestId);
          // A conflict comes with a fresh snapshot from the host; anything else is news.
          if (!(error instanceof HostRequestError && error.code === 'conflict'))
            toast(`A change was not saved to the notebook: ${(error as Error).message}`, 'error');
        });
        return requestId;
      },
    });
    this.doc = doc;
    this.opening = null;
    app.trust.reset();
    doc.on((e) => {
      if (e.kind === 'doc-state' || e.kind === 'pending-cleanup') app.refreshChrome();
    });
    this.stopDrawingAhead = drawFiguresAhead(doc);
    const view = new NotebookView(
      doc,
      {
        run: (cellIds) => void app.runs.runCells(cellIds),
        interrupt: (cellId) => app.runs.interrupt(cellId),
        notify: (message, kind) => toast(message, kind ?? 'info'),
        selectionChanged: () => app.refreshStatus(),
      },
      { theme: app.theme.theme, locked: connection.status !== 'open' },
    );
    this.view = view;
    app.shell.main.replaceChildren(view.element);
    if (app.timeline.wanted) app.timeline.mount();
    if (keep?.cellId && doc.cell(keep.cellId)) view.select(keep.cellId, 'command');
    if (snapshot.path && app.welcome) {
      addRecentFile(app.welcome.root, { path: snapshot.path, title: snapshot.title });
      if (!app.bridge) history.replaceState(null, '', `?open=${encodeURIComponent(snapshot.path)}`);
    } else if (!app.bridge) history.replaceState(null, '', location.pathname);
    app.refreshChrome();
    // Focus and scroll wait for the first frame (they would force a layout of every cell now);
    // Monaco loads after it: the first paint never waits for the editor.
    requestAnimationFrame(() => {
      if (this.view !== view) return;
      window.scrollTo(0, keep?.scroll ?? 0);
      if (!document.activeElement || document.activeElement === document.body) view.element.focus({ preventScroll: true });
      setTimeout(() => {
        performance.mark('pb-first-paint');
        preloadLazyModules();
        view.startRevealing();
        // The editor first (typing is what people do next), then the cells past the first screens.
        loadMonaco()
          .then(
            async () => {
              if (this.view === view) await view.prepareEditor();
              performance.mark('pb-editor-ready');
            },
            (error: unknown) =>
              toast(`The code editor could not load (${(error as Error).message}); cells show their code read-only. Reload the page to try again.`, 'error'),
          )
          .finally(() => view.buildRest());
      }, 0);
    });
  }

  /** Takes the notebook off the page, with its timeline and banners. */
  drop(): void {
    this.stopDrawingAhead?.();
    this.stopDrawingAhead = null;
    this.app.timeline.unmount();
    this.view?.dispose();
    this.doc?.dispose();
    this.view = null;
    this.doc = null;
    this.app.cleanup.reset();
    for (const key of NOTEBOOK_BANNERS) this.app.shell.banner(key, null);
  }
}
