/**
 * The notebook page: connects to the session host (WebSocket in a browser, MessagePort in
 * Electron), opens the notebook the URL or the app names, keeps the document current with what
 * the host says, and runs commands (toolbar, keys, palette, Electron menus) against it.
 */
import type { ProbebookBridge } from '../../core/common/bridge.ts';
import type { HostMessage, NotebookSnapshot, PendingCleanupResolution } from '../../core/common/protocol.ts';
import { HostConnection, HostRequestError, type Welcome } from '../connection/host-connection.ts';
import { MessagePortTransport } from '../connection/message-port-transport.ts';
import { WebSocketTransport, webSocketUrl } from '../connection/websocket-transport.ts';
import { claimEarlyLink, type EarlyLink } from '../connection/early-link.ts';
import { h } from '../outputs/dom.ts';
import { cellKind, KIND_LABELS } from '../notebook/cell-kind.ts';
import { CommandRegistry } from '../notebook/commands.ts';
import { loadMonaco, whenMonacoLoaded } from '../notebook/editor/monaco-loader.ts';
import { Keymap } from '../notebook/keymap.ts';
import { NotebookDocument } from '../notebook/notebook-document.ts';
import { NotebookView } from '../notebook/notebook-view.ts';
import { RunTimelinePanel } from '../notebook/run-timeline.ts';
import { registerAppCommands } from './app-commands.ts';
import { AppShell } from './app-shell.ts';
import { ask, dialogOpen, toast } from './dialog.ts';
import { browseFiles } from './file-browser.ts';
import { addRecentFile, recentFiles, removeRecentFile } from './recent-files.ts';
import { renderStartScreen } from './start-screen.ts';
import { ThemeController } from './theme.ts';
import { askToTrust } from './trust-dialog.ts';
import { trustReview } from '../../core/common/notebook/trust-review.ts';
import { preloadLazyModules } from './lazy-modules.ts';
import { resolveCell } from '../../core/common/notebook/cell-options.ts';

declare global {
  interface Window {
    probebookBridge?: ProbebookBridge;
    /** For tests and the benchmark: the page's state, read-only. */
    probebook?: App;
  }
}

export class App {
  readonly connection: HostConnection;
  readonly commands = new CommandRegistry();
  readonly theme = new ThemeController();
  readonly bridge: ProbebookBridge | undefined;
  readonly shell: AppShell;
  private readonly keymap: Keymap;
  doc: NotebookDocument | null = null;
  view: NotebookView | null = null;
  timeline: RunTimelinePanel | null = null;
  /** Whether the run timeline is shown, and its height (kept in the browser). */
  private timelineState = readTimelineState();
  welcome: Welcome | null = null;
  private opening: string | null = null;
  /** The host untrusted the notebook after a change made in this window (the user's own code). */
  private ownChangeUntrusted = false;
  /** The ledger run whose cleanup cells this window is running now (the banner says so). */
  private cleanupRunning: string | null = null;
  private readonly connecting: Promise<Welcome>;
  /** The notebook boot.js asked for on the early link, before the app started (early-link.ts). */
  private readonly earlyOpen: EarlyLink['openRequest'];

  constructor(private readonly root: HTMLElement) {
    this.bridge = window.probebookBridge;
    const bridge = this.bridge;
    // Browser mode adopts the link boot.js opened while the scripts loaded, for its first connection.
    let early = bridge ? null : claimEarlyLink();
    this.earlyOpen = early?.openRequest ?? null;
    const webSocket = () => {
      const link = early;
      early = null;
      return new WebSocketTransport(webSocketUrl(location.href), link);
    };
    this.connection = new HostConnection(bridge ? () => new MessagePortTransport(bridge) : webSocket, { client: bridge ? 'electron' : 'browser' });
    // Connecting first: the socket opens while the page builds itself.
    this.connecting = this.connection.start();
    this.connecting.catch(() => undefined);
    registerAppCommands(this);
    this.keymap = new Keymap(() => this.commands.all());
    this.shell = new AppShell(this.commands);
    root.replaceChildren(this.shell.element);
    this.commands.onFailure((c, error) => toast(`${c.title}: ${(error as Error).message ?? String(error)}`, 'error'));
    this.theme.onChange((t) => {
      this.view?.setTheme(t);
      whenMonacoLoaded((m) => m.setEditorTheme(t));
    });
    whenMonacoLoaded((m) => {
      m.setEditorTheme(this.theme.theme);
      m.setEditorServices({ listProbes: () => this.listProbes() });
    });
    window.addEventListener('keydown', (e) => this.onKey(e), true);
    // In the app, links in markdown and outputs open in the system browser (new windows are denied).
    if (bridge) {
      document.addEventListener('click', (e) => {
        const a = (e.target as HTMLElement | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
        if (!a || !/^https?:/i.test(a.href)) return;
        e.preventDefault();
        bridge.openExternal(a.href).catch((error: unknown) => toast(`${a.href} could not be opened: ${(error as Error).message}`, 'error'));
      });
    }
    this.wireConnection();
    this.refreshChrome();
  }

  /** Connects and opens what the URL (`?open=`) or the app names, else the start screen. */
  async start(): Promise<void> {
    this.shell.main.replaceChildren(h('div', 'pb-loading', 'Connecting to Probebook…'));
    const connected = this.connecting;
    const wanted = new URLSearchParams(location.search).get('open');
    // The notebook is asked for right behind the hello: one round trip less before it shows. On
    // the early link boot.js asked already, likely before this script had even loaded.
    const early = !wanted
      ? null
      : this.earlyOpen?.path === wanted
        ? this.connection.replyTo('open_notebook', this.earlyOpen.requestId)
        : this.connection.whenHelloSent().then(() => this.connection.request({ type: 'open_notebook', path: wanted }));
    early?.catch(() => undefined);
    try {
      this.welcome = await connected;
      performance.mark('pb-connected');
    } catch (error) {
      this.showConnectionProblem((error as Error).message);
      // The connection keeps retrying; go on once it is back.
      this.welcome = await new Promise<Welcome>((resolve) => {
        const off = this.connection.onReconnected((w) => {
          off();
          resolve(w);
        });
      });
      this.refreshChrome();
      if (wanted) await this.openPath(wanted);
      else await this.showStart();
      return;
    }
    this.refreshChrome();
    if (early && wanted) {
      await this.openPath(wanted, early);
      return;
    }
    const launch = this.bridge ? await this.bridge.launchFile().catch(() => null) : null;
    if (launch) await this.openPath(launch);
    else await this.showStart();
  }

  // -------------------------------------------------------------------------------------------
  // Opening, creating, closing

  /** Opens a notebook by its path in the served folder (`reply`: an open already sent). */
  async openPath(path: string, reply?: Promise<Extract<HostMessage, { type: 'notebook_opened' }>>): Promise<void> {
    if (!(await this.leaveCurrent())) return;
    this.opening = path;
    this.shell.main.replaceChildren(h('div', 'pb-loading', `Opening ${path}…`));
    try {
      const { snapshot } = await (reply ?? this.connection.request({ type: 'open_notebook', path }));
      performance.mark('pb-snapshot');
      this.show(snapshot);
      performance.mark('pb-rendered');
    } catch (error) {
      this.opening = null;
      const message = (error as Error).message;
      if (this.welcome) removeRecentFile(this.welcome.root, path);
      await this.showStart(`${path} could not be opened: ${message}`);
    }
  }

  async newNotebook(): Promise<void> {
    if (!(await this.leaveCurrent())) return;
    const { snapshot } = await this.connection.request({ type: 'create_notebook' });
    this.show(snapshot);
    // Written here, by this user: nothing to review.
    if (!snapshot.trusted && this.doc) await this.retrust(this.doc);
    this.view?.select(snapshot.notebook.cells[0]?.id ?? '', 'command');
    void this.view?.enterEdit();
  }

  async closeNotebook(): Promise<void> {
    if (!this.doc || !(await this.leaveCurrent())) return;
    const id = this.doc.id;
    this.dropNotebook();
    await this.connection.request({ type: 'close_notebook', notebookId: id }).catch(() => undefined);
    await this.showStart();
  }

  async openDialog(): Promise<void> {
    if (this.bridge) {
      const paths = await this.bridge.openFileDialog();
      if (!paths.length) return;
      const [first, ...rest] = paths;
      // One window per notebook in the app: this one takes the first if it is empty.
      if (this.doc) for (const p of paths) await this.bridge.openNotebookWindow(p);
      else {
        for (const p of rest) await this.bridge.openNotebookWindow(p);
        await this.openPath(first!);
      }
      return;
    }
    const path = await browseFiles(this.connection, { mode: 'open', start: this.doc?.path ?? null });
    if (path) await this.openPath(path);
  }

  /** Asks what to do with unsaved changes before leaving this notebook; false = stay. */
  private async leaveCurrent(): Promise<boolean> {
    const doc = this.doc;
    if (!doc?.dirty) return true;
    const answer = await ask(`Save ${doc.title}?`, `${doc.title} has unsaved changes. The host keeps them (and a backup) if you leave without saving.`, [
      { value: 'cancel', label: 'Cancel' },
      { value: 'leave', label: "Don't save" },
      { value: 'save', label: 'Save', kind: 'primary' },
    ]);
    if (answer === 'save') return this.save();
    return answer === 'leave';
  }

  private dropNotebook(): void {
    this.unmountTimeline();
    this.view?.dispose();
    this.doc?.dispose();
    this.view = null;
    this.doc = null;
    this.cleanupRunning = null;
    for (const key of ['trust', 'readonly', 'backup', 'cleanup']) this.shell.banner(key, null);
  }

  /** Shows a snapshot (a fresh open, or a resync of the notebook shown), keeping selection and scroll. */
  show(snapshot: NotebookSnapshot): void {
    const same = this.doc?.id === snapshot.notebookId;
    const keep = same ? { cellId: this.view?.activeCellId ?? null, scroll: window.scrollY } : null;
    this.dropNotebook();
    const doc = new NotebookDocument(snapshot, {
      sendEdits: (edits, baseVersion) => {
        const requestId = this.connection.nextRequestId();
        this.connection.request({ type: 'edit', notebookId: doc.id, baseVersion, edits }, requestId).catch((error: unknown) => {
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
    this.ownChangeUntrusted = false;
    doc.on((e) => {
      if (e.kind === 'doc-state' || e.kind === 'pending-cleanup') this.refreshChrome();
    });
    const view = new NotebookView(
      doc,
      {
        run: (cellIds) => void this.runCells(cellIds),
        interrupt: (cellId) => this.interrupt(cellId),
        notify: (message, kind) => toast(message, kind ?? 'info'),
        selectionChanged: () => this.refreshStatus(),
      },
      { theme: this.theme.theme, locked: this.connection.status !== 'open' },
    );
    this.view = view;
    this.shell.main.replaceChildren(view.element);
    if (this.timelineState.open) this.mountTimeline();
    if (keep?.cellId && doc.cell(keep.cellId)) view.select(keep.cellId, 'command');
    if (snapshot.path && this.welcome) {
      addRecentFile(this.welcome.root, { path: snapshot.path, title: snapshot.title });
      if (!this.bridge) history.replaceState(null, '', `?open=${encodeURIComponent(snapshot.path)}`);
    } else if (!this.bridge) history.replaceState(null, '', location.pathname);
    this.refreshChrome();
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

  private async showStart(problem?: string): Promise<void> {
    this.dropNotebook();
    if (!this.bridge) history.replaceState(null, '', location.pathname);
    this.refreshChrome();
    const root = this.welcome?.root ?? '';
    renderStartScreen(this.shell.main, {
      root,
      problem,
      electron: !!this.bridge,
      recent: recentFiles(root),
      connection: this.connection,
      open: (path) => void this.openPath(path),
      newNotebook: () => this.commands.run('notebook.new'),
      openDialog: () => this.commands.run('notebook.open'),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Running

  async runCells(cellIds: string[], runAll = false): Promise<void> {
    const doc = this.doc;
    if (!doc) return;
    try {
      await this.throughGate(doc, () => this.connection.execute({ notebookId: doc.id, cellIds, runAll }).done);
    } catch (error) {
      toast(`The run did not finish: ${(error as Error).message}`, 'error');
    }
  }

  /**
   * Starts something that runs cells, the way every run starts: typing sent first, the trust
   * question before the first run (and again when the host says the notebook changed since it was
   * trusted), the elevation banner when root could not be had. Resolves undefined when it did not
   * start; other errors are the caller's.
   */
  private async throughGate<T>(doc: NotebookDocument, start: () => Promise<T>, retried = false): Promise<T | undefined> {
    doc.flush();
    if (!(await this.ensureTrusted())) return undefined;
    try {
      return await start();
    } catch (error) {
      if (error instanceof HostRequestError && error.code === 'untrusted' && !retried) {
        // Changed since it was trusted (an edit here, or a root cell edited elsewhere): trust again, then run.
        doc.trusted = false;
        return this.throughGate(doc, start, true);
      }
      if (error instanceof HostRequestError && error.code === 'elevation_failed') {
        this.shell.banner('elevation', {
          kind: 'error',
          text: `Cells could not run with root privileges: ${error.message}`,
          actions: [{ label: 'Dismiss', run: () => this.shell.banner('elevation', null) }],
        });
        return undefined;
      }
      throw error;
    }
  }

  /**
   * Runs the cleanup cells that the oldest crashed run of this notebook never ran (the `cleanup`
   * banner): through the same gate as any run; the host clears the run once they ran.
   */
  async runPendingCleanup(): Promise<void> {
    const doc = this.doc;
    const run = doc?.pendingCleanup[0];
    if (!doc || !run || this.cleanupRunning) return;
    try {
      const reply = await this.throughGate(doc, () => {
        this.cleanupRunning = run.runId;
        this.refreshChrome();
        return this.connection.request({ type: 'run_pending_cleanup', notebookId: doc.id, runId: run.runId });
      });
      if (!reply || this.doc !== doc) return;
      doc.applyPendingCleanup(reply.pendingCleanup);
      if (reply.resolved) this.reportCleanup(doc, reply.resolved);
    } catch (error) {
      toast(`The cleanup cells did not run: ${(error as Error).message}`, 'error');
    } finally {
      if (this.doc === doc) {
        this.cleanupRunning = null;
        this.refreshChrome();
      }
    }
  }

  /** Forgets the oldest crashed run's cleanup without running it. */
  async dismissPendingCleanup(): Promise<void> {
    const doc = this.doc;
    const run = doc?.pendingCleanup[0];
    if (!doc || !run || this.cleanupRunning) return;
    const reply = await this.connection.request({ type: 'dismiss_pending_cleanup', notebookId: doc.id, runId: run.runId });
    if (this.doc === doc) doc.applyPendingCleanup(reply.pendingCleanup);
  }

  /** Says what became of the cleanup cells this window ran. */
  private reportCleanup(doc: NotebookDocument, resolved: PendingCleanupResolution): void {
    const skipped = resolved.skippedCells.length
      ? ` Not run: ${resolved.skippedCells.length} of its cleanup cells (${resolved.skippedCells.map((c) => (c.reason === 'deleted' ? `id ${c.cellId}, deleted since` : `${this.cellLabel(doc, c.cellId)}, no longer a code cell`)).join('; ')}).`
      : '';
    if (resolved.outcome === 'stopped') {
      toast(`The cleanup cells were stopped before they finished; the banner still offers them.${skipped}`, 'error');
      return;
    }
    if (resolved.ranCellIds.length === 0) {
      toast(`No cleanup cell of that run is left in the notebook; it is no longer offered.${skipped}`);
      return;
    }
    const failed = resolved.ranCellIds.filter((id) => doc.runState(id).status === 'failed');
    const ran = resolved.ranCellIds.map((id) => this.cellLabel(doc, id)).join(', ');
    if (resolved.ok) toast(`Cleanup done: ran ${ran}.${skipped}`);
    else
      toast(
        `The cleanup cells ran (${ran}), but ${failed.length ? failed.map((id) => this.cellLabel(doc, id)).join(', ') : 'not all'} failed: see the output for what is left to undo.${skipped}`,
        'error',
      );
  }

  /** "cell 3 “undo”": how banners and messages name a cell. */
  private cellLabel(doc: NotebookDocument, cellId: string): string {
    const cell = doc.cell(cellId);
    if (!cell) return `id ${cellId}`;
    let name: string | undefined;
    try {
      name = resolveCell(cell, doc.notebook).options.name;
    } catch {
      name = undefined; // malformed options: the number is enough
    }
    return `cell ${doc.indexOf(cellId) + 1}${name ? ` “${name}”` : ''}`;
  }

  runAll(): void {
    const doc = this.doc;
    if (!doc) return;
    const ids = doc.cells.filter((c) => c.cellType === 'code').map((c) => c.id);
    if (ids.length === 0) {
      toast('There is no code cell to run: add one with B.');
      return;
    }
    void this.runCells(ids, true);
  }

  interrupt(cellId?: string): void {
    if (!this.doc) return;
    this.connection.send({ type: 'interrupt_request', notebookId: this.doc.id, cellId });
  }

  async restart(): Promise<void> {
    if (!this.doc) return;
    await this.connection.request({ type: 'restart_request', notebookId: this.doc.id });
    toast('Restarted: running cells were stopped, shell and TypeScript state cleared.');
  }

  // -------------------------------------------------------------------------------------------
  // Run timeline

  /** Shows or hides the run timeline under the notebook (the choice is kept for next time). */
  toggleTimeline(): void {
    this.timelineState.open = !this.timeline;
    writeTimelineState(this.timelineState);
    if (this.timeline) this.unmountTimeline();
    else this.mountTimeline();
    this.refreshChrome();
  }

  private mountTimeline(): void {
    const doc = this.doc;
    if (!doc || this.timeline) return;
    const panel = new RunTimelinePanel(
      doc,
      {
        selectCell: (cellId) => {
          const view = this.view;
          if (!view?.view(cellId)) return;
          if (view.mode === 'edit') view.enterCommand();
          view.select(cellId, 'command');
          view.view(cellId)!.scrollIntoView();
          view.element.focus({ preventScroll: true });
        },
        close: () => {
          if (this.timeline) this.toggleTimeline();
        },
        runAll: () => this.commands.run('notebook.runAll'),
        resized: (height) => {
          this.timelineState.height = height;
          writeTimelineState(this.timelineState);
          document.documentElement.style.setProperty('--pb-timeline-h', `${height}px`);
        },
      },
      { height: this.timelineState.height },
    );
    this.timeline = panel;
    this.shell.element.append(panel.element);
    panel.setActiveCell(this.view?.activeCellId ?? null);
    document.documentElement.style.setProperty('--pb-timeline-h', `${panel.height}px`);
  }

  private unmountTimeline(): void {
    this.timeline?.dispose();
    this.timeline = null;
    document.documentElement.style.removeProperty('--pb-timeline-h');
  }

  /** The first run of an untrusted notebook shows its root cells and asks (SECURITY.md). */
  async ensureTrusted(): Promise<boolean> {
    const doc = this.doc;
    if (!doc || doc.trusted || this.welcome?.runAs === 'user') return true;
    if (this.ownChangeUntrusted) {
      await this.retrust(doc);
      return doc.trusted;
    }
    // Built here, by the host's own function, from the notebook as edited (not as it was opened).
    const review = trustReview(doc.notebook);
    if ((review.cells.length > 0 || review.parameters.length > 0) && !(await askToTrust(doc.title, this.welcome?.runAs ?? 'root', review))) return false;
    await this.connection.request({ type: 'trust_request', notebookId: doc.id });
    doc.trusted = true;
    this.refreshChrome();
    return true;
  }

  private async retrust(doc: NotebookDocument): Promise<void> {
    try {
      await this.connection.request({ type: 'trust_request', notebookId: doc.id });
      if (this.doc === doc) {
        doc.trusted = true;
        this.ownChangeUntrusted = false;
        this.refreshChrome();
      }
    } catch (error) {
      toast(`The notebook could not be kept trusted after your edit: ${(error as Error).message}`, 'error');
    }
  }

  // -------------------------------------------------------------------------------------------
  // Saving

  /** Saves (asking where when it has no file or `as`); resolves whether it saved. */
  async save(as = false): Promise<boolean> {
    const doc = this.doc;
    if (!doc) return false;
    doc.flush();
    let path: string | undefined;
    if (as || !doc.path || doc.readOnly) {
      const chosen = this.bridge
        ? await this.bridge.saveFileDialog(doc.path ?? doc.title)
        : await browseFiles(this.connection, { mode: 'save', start: doc.path, suggested: doc.title });
      if (!chosen) return false;
      path = chosen;
    }
    let force = false;
    for (;;) {
      try {
        const saved = await this.connection.request({ type: 'save_request', notebookId: doc.id, path, force });
        doc.applySaved(saved.path);
        if (this.welcome) addRecentFile(this.welcome.root, { path: saved.path, title: saved.path.split('/').pop() ?? saved.path });
        if (!this.bridge) history.replaceState(null, '', `?open=${encodeURIComponent(saved.path)}`);
        toast(`Saved ${saved.path}`);
        return true;
      } catch (error) {
        if (error instanceof HostRequestError && error.code === 'changed_on_disk' && !force) {
          const answer = await ask('The file changed on disk', error.message, [
            { value: 'cancel', label: 'Cancel' },
            { value: 'as', label: 'Save as…' },
            { value: 'overwrite', label: 'Overwrite', kind: 'danger' },
          ]);
          if (answer === 'overwrite') {
            force = true;
            continue;
          }
          if (answer === 'as') return this.save(true);
          return false;
        }
        toast(`Not saved: ${(error as Error).message}`, 'error');
        return false;
      }
    }
  }

  async restoreBackup(): Promise<void> {
    if (!this.doc) return;
    const { snapshot } = await this.connection.request({ type: 'restore_backup', notebookId: this.doc.id });
    this.show(snapshot);
    toast('Unsaved edits restored. Save to keep them.');
  }

  // -------------------------------------------------------------------------------------------
  // Host messages

  private wireConnection(): void {
    const c = this.connection;
    const mine = (notebookId: string) => this.doc?.id === notebookId;
    c.on('notebook_changed', (m) => {
      if (!mine(m.notebookId)) return;
      if (!this.doc!.applyChanged(m)) void this.resync();
    });
    c.on('notebook_state', (m) => {
      if (!mine(m.notebookId)) return;
      const doc = this.doc!;
      const wasTrusted = doc.trusted;
      doc.applyState(m);
      // The host re-checks trust after every change; a change typed here is the user's own code.
      if (wasTrusted && !m.trusted && doc.lastChangeWasOurs) {
        this.ownChangeUntrusted = true;
        void this.retrust(doc);
      }
    });
    c.on('notebook_opened', (m) => {
      // Unasked snapshots (after a conflict, a restored backup) replace the one shown.
      if (!m.requestId && mine(m.snapshot.notebookId)) this.show(m.snapshot);
    });
    c.on('pending_cleanup', (m) => mine(m.notebookId) && this.doc!.applyPendingCleanup(m.pendingCleanup));
    c.on('execution_state', (m) => mine(m.notebookId) && this.doc!.applyExecutionState(m));
    c.on('execution_ended', (m) => mine(m.notebookId) && this.doc!.applyExecutionEnded(m));
    c.on('output', (m) => mine(m.notebookId) && this.doc!.applyOutput(m));
    c.on('error', (m) => {
      if (!m.requestId) toast(m.message, 'error');
    });
    c.on('app_command', (m) => {
      if (!this.commands.run(m.command)) toast(`The menu command ${m.command} is not available now.`);
    });
    c.onStatus((status, detail) => {
      if (status === 'open') this.shell.banner('connection', null);
      else if (status === 'reconnecting') this.showConnectionProblem(detail);
      else if (status === 'failed')
        this.shell.banner('connection', { kind: 'error', text: detail, actions: [{ label: 'Reload', primary: true, run: () => location.reload() }] });
      this.view?.setLocked(status !== 'open');
      this.refreshStatus();
    });
    c.onReconnected((w) => {
      const restarted = this.welcome !== null && this.welcome.sessionId !== w.sessionId;
      this.welcome = w;
      // Messages may have been missed: take the notebook again, fresh.
      const path = this.doc?.path ?? this.opening;
      if (path) void this.reopen(path);
      else if (this.doc && restarted) {
        this.view?.setLocked(true);
        this.shell.banner('connection', {
          kind: 'error',
          text: 'The Probebook server restarted, and this notebook had never been saved: its cells now exist only on this page. Copy what you need, then open or create a notebook.',
          actions: [{ label: 'New notebook', run: () => this.commands.run('notebook.new') }],
        });
      }
      this.refreshChrome();
    });
  }

  private async reopen(path: string): Promise<void> {
    try {
      const { snapshot } = await this.connection.request({ type: 'open_notebook', path });
      this.show(snapshot);
    } catch (error) {
      toast(`${path} could not be opened again after reconnecting: ${(error as Error).message}`, 'error');
    }
  }

  /** This copy no longer fits the host's: take a fresh snapshot. */
  private async resync(): Promise<void> {
    const path = this.doc?.path;
    if (path) await this.reopen(path);
    else toast('This window fell out of step with the notebook; save it, then reopen it.', 'error');
  }

  private showConnectionProblem(detail: string): void {
    const text = this.doc
      ? `Not connected to Probebook (${detail}). Reconnecting… Changes are paused until then.`
      : `Not connected to Probebook: ${detail} Retrying…`;
    this.shell.banner('connection', { kind: 'error', text });
  }

  private listProbes(): Promise<string[]> {
    probesCache ??= this.connection.request({ type: 'list_probes' }).then((r) => {
      if (r.error && r.probes.length === 0) throw new Error(r.error);
      return r.probes;
    });
    probesCache.catch(() => (probesCache = null));
    return probesCache;
  }

  // -------------------------------------------------------------------------------------------
  // Keys

  private onKey(e: KeyboardEvent): void {
    if (dialogOpen() || e.defaultPrevented || e.isComposing) return;
    const target = e.target instanceof HTMLElement ? e.target : null;
    const inEditor = !!target?.closest('.monaco-editor');
    const inField = !inEditor && !!target?.closest('input, textarea, select, [contenteditable], .pb-popover');
    const onButton = !!target?.closest('button, a, summary');
    const mode = inEditor ? 'edit' : 'command';
    const match = this.keymap.match(e, mode);
    if (!match) {
      // The first D of "D D" must not scroll or type anything.
      if (this.keymap.waiting && !inField) e.preventDefault();
      return;
    }
    const chord = match.keys;
    const global = chord.startsWith('Ctrl+');
    if (inField && !global) return;
    if (onButton && (chord === 'Enter' || chord === 'Space')) return;
    // Esc closes Monaco's own widgets (suggestions, find) before it leaves the editor.
    if (
      inEditor &&
      chord === 'Esc' &&
      target?.closest('.monaco-editor')?.querySelector('.suggest-widget.visible, .find-widget.visible, .parameter-hints-widget.visible')
    )
      return;
    if (!this.commands.isEnabled(match.command.id)) return;
    e.preventDefault();
    e.stopPropagation();
    this.commands.run(match.command.id);
  }

  // -------------------------------------------------------------------------------------------
  // Header, banners, status bar

  refreshChrome(): void {
    const doc = this.doc;
    this.shell.showToolbar(!!doc);
    if (doc) this.shell.setTitle(doc.title, doc.path, doc.dirty);
    else this.shell.setTitle(null, null, false);
    this.shell.refreshTools();
    this.shell.banner(
      'trust',
      doc && !doc.trusted
        ? {
            kind: 'warn',
            text: 'This notebook was not written or trusted on this machine. Its outputs are shown safely, and nothing runs until you have read its code and trusted it.',
            actions: [{ label: 'Review and trust…', run: () => void this.ensureTrusted(), primary: true }],
          }
        : null,
    );
    this.shell.banner(
      'readonly',
      doc?.readOnly
        ? {
            kind: 'warn',
            text: `Read-only: ${doc.readOnlyReason ?? 'this file cannot be saved over'}. Save it under another name to keep changes.`,
            actions: [{ label: 'Save as…', run: () => void this.save(true) }],
          }
        : null,
    );
    this.shell.banner(
      'backup',
      doc?.backup
        ? {
            kind: 'info',
            text: `Unsaved edits of this notebook from ${new Date(doc.backup.savedAt).toLocaleString()} were found (${doc.backup.cells} cells), newer than the file.`,
            actions: [
              { label: 'Restore them', run: () => this.commands.run('notebook.restoreBackup'), primary: true },
              {
                label: 'Dismiss',
                run: () => {
                  if (this.doc) this.doc.backup = undefined;
                  this.shell.banner('backup', null);
                },
              },
            ],
          }
        : null,
    );
    this.shell.banner('cleanup', doc ? this.cleanupBanner(doc) : null);
    this.refreshStatus();
  }

  /** The offer to run the cleanup cells of the oldest crashed run of this notebook, if any. */
  private cleanupBanner(doc: NotebookDocument): Parameters<AppShell['banner']>[1] {
    const run = doc.pendingCleanup[0];
    if (!run) return null;
    const when = new Date(run.startedAt).toLocaleString();
    if (this.cleanupRunning === run.runId) return { kind: 'warn', text: `Running the cleanup cells of the run of ${when}…` };
    const present = run.cellIds.filter((id) => doc.cell(id)?.cellType === 'code');
    const gone = run.cellIds.length - present.length;
    const more = doc.pendingCleanup.length - 1;
    const later = more
      ? ` ${more} more run${more === 1 ? '' : 's'} of this notebook did not finish either; ${more === 1 ? 'it is' : 'they are'} offered next.`
      : '';
    const dismiss = { label: 'Dismiss', run: () => this.commands.run('notebook.dismissPendingCleanup') };
    if (present.length === 0) {
      return {
        kind: 'warn',
        text: `A run of this notebook on ${when} did not finish, and none of its cleanup cells is in the notebook any more.${later}`,
        actions: [dismiss],
      };
    }
    const labels = present.map((id) => this.cellLabel(doc, id)).join(', ');
    const goneText = gone ? ` ${gone} more of its cleanup cells ${gone === 1 ? 'is' : 'are'} no longer in the notebook.` : '';
    return {
      kind: 'warn',
      text: `A run of this notebook on ${when} did not finish: its cleanup ${present.length === 1 ? 'cell' : 'cells'} (${labels}) never ran.${goneText}${later}`,
      actions: [{ label: 'Run cleanup cells', primary: true, run: () => this.commands.run('notebook.runPendingCleanup') }, dismiss],
    };
  }

  refreshStatus(): void {
    const s = this.shell;
    const status = this.connection.status;
    const label =
      status === 'open'
        ? this.connection.transportKind === 'message-port'
          ? 'Connected'
          : 'Connected to probebook serve'
        : status === 'failed'
          ? 'Disconnected'
          : 'Reconnecting…';
    s.setStatus('connection', label, this.connection.error, status === 'open' ? 'ok' : 'bad');
    const runAs = this.welcome?.runAs;
    s.setStatus(
      'runAs',
      runAs ? (runAs === 'root' ? 'Cells run as root' : runAs === 'user' ? 'Cells run as your user' : 'Cells will ask for root once') : '',
      'Who the kernel host runs cells as',
    );
    const doc = this.doc;
    s.setStatus(
      'trust',
      doc ? (doc.trusted ? 'Trusted' : 'Not trusted') : '',
      doc?.trusted ? 'Outputs render fully; cells run without asking' : 'Review the code before running it',
      doc && !doc.trusted ? 'warn' : '',
    );
    const busy = doc?.busyCellIds.length ?? 0;
    s.setStatus('busy', busy ? `Running ${busy} cell${busy === 1 ? '' : 's'}` : '', '', busy ? 'busy' : '');
    const view = this.view;
    const cellId = view?.activeCellId;
    if (doc && view && cellId && doc.cell(cellId)) {
      const cell = doc.cell(cellId)!;
      s.setStatus('cell', `Cell ${doc.indexOf(cellId) + 1} of ${doc.cells.length} · ${KIND_LABELS[cellKind(cell, doc.notebook)]}`);
      s.setStatus('mode', view.mode === 'edit' ? 'Edit' : 'Command', view.mode === 'edit' ? 'Esc: command mode' : 'Enter: edit the cell', view.mode);
    } else {
      s.setStatus('cell', doc ? `${doc.cells.length} cells` : '');
      s.setStatus('mode', '');
    }
    this.timeline?.setActiveCell(cellId ?? null);
    s.setPressed('view.runTimeline', !!this.timeline);
    s.refreshTools();
  }
}

let probesCache: Promise<string[]> | null = null;

const TIMELINE_KEY = 'probebook.timeline';

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

/** Renders an error for the user in the page when the page itself cannot start. */
export function showFatal(root: HTMLElement, error: unknown): void {
  root.replaceChildren(
    h(
      'div',
      'pb-fatal',
      h('h1', '', 'Probebook could not start'),
      h('p', '', (error as Error).message ?? String(error)),
      h('p', '', 'Reload the page; if it happens again, restart probebook serve (or the app).'),
    ),
  );
}
