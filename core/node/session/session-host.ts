/**
 * The session host: it owns the open notebooks (cells, outputs, dirty state, runs) and every UI is
 * a view of them. UIs send edits and commands and receive changes, over any transport (WebSocket
 * in browser mode, MessagePort in Electron). Two windows on one notebook stay in sync; a reloaded
 * page gets everything, outputs that arrived while no page was open included.
 *
 * This class validates and dispatches the pages' messages and runs cells; beside it
 * `open-notebooks.ts` keeps the open notebooks, `notebook-changes.ts` what follows their changes
 * (dirty, backups, trust), `save-notebook.ts` saves, `pending-cleanups.ts` offers crashed runs'
 * cleanup cells and `runner-messages.ts` turns a runner's events into messages.
 */
import { randomUUID } from 'node:crypto';
import { basename, dirname, join, relative } from 'node:path';
import { applyEdit, createNotebook, EditError } from '../../common/notebook/edits.ts';
import { NotebookParseError, upgradedFrom } from '../../common/notebook/ipynb.ts';
import type { Notebook } from '../../common/notebook/model.ts';
import { PROTOCOL_VERSION, type ClientMessage, type NotebookSnapshot, type RunAs, type RunSummary } from '../../common/protocol.ts';
import { parseClientMessage, ProtocolError } from '../../common/protocol-validate.ts';
import { readNotebookFile, type FileFingerprint } from '../notebook-file.ts';
import type { CellExecutor } from '../run/executor.ts';
import { iperf3ChartTransform } from '../run/iperf3-chart-transform.ts';
import { journeyTransform } from '../run/journey-transform.ts';
import { rulesTransform } from '../run/rules-transform.ts';
import { tcpdumpTransform } from '../run/tcpdump-transform.ts';
import { NotebookRunner, type RunOptions } from '../run/notebook-runner.ts';
import { runEnvironment, withEnvironment } from '../doctor/environment.ts';
import { BackupStore } from './backups.ts';
import { CleanupLedger } from './cleanup-ledger.ts';
import { codeOf, HostError } from './host-error.ts';
import { NotebookChanges } from './notebook-changes.ts';
import { OpenNotebooks, titleOf, type Connection, type OpenNotebook } from './open-notebooks.ts';
import { PendingCleanups } from './pending-cleanups.ts';
import { dissectPacket, readCapture } from './packet-dissection.ts';
import { reportData } from '../../common/export/report-data.ts';
import { exportMarkdownBeside, reportFile } from '../export/export-notebook.ts';
import { listProbes } from './probe-list.ts';
import { RunnerMessages } from './runner-messages.ts';
import { saveNotebook } from './save-notebook.ts';
import type { ServedRoot } from './served-root.ts';
import { trustReview } from '../../common/notebook/trust-review.ts';
import type { TrustStore } from './trust.ts';

export type { Connection } from './open-notebooks.ts';

export interface SessionHostOptions {
  /** The folder UIs may open files in. */
  root: ServedRoot;
  /** Starts the executor on the first run (elevation happens then, never on open). */
  executor: () => Promise<CellExecutor>;
  /** Who cells will run as, shown before the first run. */
  runAs: RunAs | 'unknown';
  trust: TrustStore;
  /** The user's state folder (backups). */
  stateDir: string;
  /** Bytes of each stream kept in memory per execution (default 64 MiB). */
  memoryLimitBytes?: number;
}

export class SessionHost {
  readonly sessionId = randomUUID();
  readonly #options: SessionHostOptions;
  readonly #notebooks: OpenNotebooks;
  readonly #connections = new Set<Connection>();
  readonly #backups: BackupStore;
  readonly #ledger: CleanupLedger;
  readonly #changes: NotebookChanges;
  readonly #cleanups: PendingCleanups;
  readonly #runnerMessages = new RunnerMessages();
  #executor: Promise<CellExecutor> | undefined;

  constructor(options: SessionHostOptions) {
    this.#options = options;
    this.#notebooks = new OpenNotebooks(options.trust);
    this.#backups = new BackupStore(options.stateDir);
    this.#ledger = new CleanupLedger(join(options.stateDir, 'runs'));
    this.#changes = new NotebookChanges(options.root, options.trust, this.#backups);
    this.#cleanups = new PendingCleanups(this.#ledger);
  }

  get root(): ServedRoot {
    return this.#options.root;
  }

  /** Connects a UI. Messages are validated here, at the edge. */
  attach(connection: Connection): void {
    this.#connections.add(connection);
    connection.onMessage((raw) => {
      let message: ClientMessage;
      try {
        message = parseClientMessage(raw);
      } catch (error) {
        const requestId = typeof (raw as { requestId?: unknown })?.requestId === 'string' ? (raw as { requestId: string }).requestId.slice(0, 200) : undefined;
        connection.send({ type: 'error', requestId, code: 'bad_message', message: error instanceof ProtocolError ? error.message : 'bad message' });
        return;
      }
      this.#handle(connection, message).catch((error) => {
        const requestId = 'requestId' in message ? message.requestId : undefined;
        connection.send({ type: 'error', requestId, code: codeOf(error), message: (error as Error).message });
      });
    });
    connection.onClose(() => {
      this.#connections.delete(connection);
      this.#notebooks.dropViewer(connection);
    });
  }

  async #handle(conn: Connection, m: ClientMessage): Promise<void> {
    switch (m.type) {
      case 'hello':
        if (m.protocolVersion !== PROTOCOL_VERSION) {
          conn.send({
            type: 'error',
            code: 'version_mismatch',
            message: `This page speaks protocol ${m.protocolVersion}, the host ${PROTOCOL_VERSION}: reload the page.`,
          });
          return;
        }
        conn.send({ type: 'welcome', protocolVersion: PROTOCOL_VERSION, sessionId: this.sessionId, runAs: this.#options.runAs, root: this.root.path });
        return;
      case 'ping':
        conn.send({ type: 'pong', requestId: m.requestId });
        return;
      case 'open_notebook': {
        const nb = await this.open(m.path);
        nb.viewers.add(conn);
        conn.send({ type: 'notebook_opened', requestId: m.requestId, snapshot: this.#snapshot(nb) });
        return;
      }
      case 'create_notebook': {
        let path: string | null = null;
        if (m.path) {
          path = await this.root.resolve(m.path);
          if (this.#notebooks.at(path)) throw new HostError('conflict', `${m.path} is already open.`);
        }
        const nb = this.#notebooks.register(path, createNotebook(m.language ?? 'shell'));
        nb.dirty = true;
        // Made here, empty: the user's own from its first byte, and its own edits keep it trusted.
        nb.trusted = true;
        nb.unsigned = true;
        nb.viewers.add(conn);
        conn.send({ type: 'notebook_opened', requestId: m.requestId, snapshot: this.#snapshot(nb) });
        return;
      }
      case 'close_notebook': {
        const nb = this.#notebooks.get(m.notebookId);
        nb.viewers.delete(conn);
        conn.send({ type: 'notebook_closed', requestId: m.requestId, notebookId: nb.id });
        this.#notebooks.maybeForget(nb);
        return;
      }
      case 'edit': {
        const nb = this.#notebooks.get(m.notebookId);
        if (nb.readOnly) throw new HostError('read_only', `${titleOf(nb)} is read-only: ${nb.readOnlyReason ?? 'it cannot be saved'}.`);
        const applied = [];
        for (const edit of m.edits) {
          if (edit.kind === 'delete_cell' || edit.kind === 'set_cell_type') {
            if (nb.runner?.runningCellIds.includes(edit.cellId)) throw new HostError('conflict', 'Stop the cell before deleting it or changing its type.');
          }
          try {
            applyEdit(nb.notebook, edit);
            applied.push(edit);
          } catch (error) {
            if (!(error instanceof EditError)) throw error;
            // The UI is behind (another window deleted the cell): give it the document as it is.
            if (applied.length) this.#changes.edited(nb, applied, m.requestId);
            conn.send({ type: 'error', requestId: m.requestId, code: 'conflict', message: error.message });
            conn.send({ type: 'notebook_opened', snapshot: this.#snapshot(nb) });
            return;
          }
        }
        this.#changes.edited(nb, applied, m.requestId);
        return;
      }
      case 'execute_request':
        await this.#execute(conn, m);
        return;
      case 'interrupt_request':
        this.#notebooks.get(m.notebookId).runner?.interrupt(m.cellId);
        return;
      case 'restart_request': {
        const nb = this.#notebooks.get(m.notebookId);
        nb.runner?.interrupt();
        if (this.#executor) await (await this.#executor).reset(nb.key);
        conn.send({ type: 'pong', requestId: m.requestId });
        return;
      }
      case 'save_request':
        await saveNotebook(
          { root: this.root, notebooks: this.#notebooks, backups: this.#backups, changes: this.#changes },
          conn,
          this.#notebooks.get(m.notebookId),
          m,
        );
        return;
      case 'list_directory': {
        const listing = await this.root.list(m.path);
        conn.send({ type: 'directory_listing', requestId: m.requestId, ...listing });
        return;
      }
      case 'trust_request': {
        this.#changes.trust(this.#notebooks.get(m.notebookId));
        conn.send({ type: 'pong', requestId: m.requestId });
        return;
      }
      case 'restore_backup': {
        const nb = this.#notebooks.get(m.notebookId);
        if (!nb.backup) throw new HostError('not_found', 'There is no backup of this notebook to restore.');
        if (nb.runner?.busy) throw new HostError('conflict', 'Stop the running cells before restoring the backup.');
        nb.runner = undefined; // it holds the old document
        nb.notebook = nb.backup.notebook;
        nb.backup = undefined;
        nb.dirty = true;
        nb.version++;
        nb.trusted = this.#options.trust.isTrusted(nb.notebook);
        for (const viewer of nb.viewers)
          viewer.send({ type: 'notebook_opened', requestId: viewer === conn ? m.requestId : undefined, snapshot: this.#snapshot(nb) });
        return;
      }
      case 'run_pending_cleanup': {
        const nb = this.#notebooks.get(m.notebookId);
        await this.#cleanups.run(conn, nb, m, (cellIds) => this.#run(conn, nb, m.requestId, cellIds, { cellIds, allowErrors: true }));
        return;
      }
      case 'dismiss_pending_cleanup':
        this.#cleanups.dismiss(conn, this.#notebooks.get(m.notebookId), m);
        return;
      case 'list_probes': {
        const { probes, error } = await listProbes(m.filter);
        conn.send({ type: 'probe_list', requestId: m.requestId, probes, error });
        return;
      }
      case 'read_capture': {
        const nb = this.#notebooks.get(m.notebookId);
        try {
          const { bytes, eof } = await readCapture(nb.path, m.file, m.offset, m.length);
          conn.send({ type: 'capture_bytes', requestId: m.requestId, base64: bytes.toString('base64'), eof });
        } catch (error) {
          conn.send({ type: 'capture_bytes', requestId: m.requestId, base64: '', eof: true, error: (error as Error).message });
        }
        return;
      }
      case 'export_notebook': {
        const nb = this.#notebooks.get(m.notebookId);
        const fileName = nb.path ? basename(nb.path) : 'notebook.ipynb';
        try {
          const data = reportData(nb.notebook, {
            fileName,
            trusted: nb.trusted,
            paper: m.paper,
            showCode: m.showCode,
            showOutputs: m.showOutputs,
            author: m.author,
          });
          if (m.format === 'md') {
            // Several files: written beside the notebook, never sent (docs/export.md).
            if (!nb.path) throw new Error('Save the notebook first: a Markdown export is written beside it, in its folder.');
            const { output, extraFiles } = await exportMarkdownBeside(data, nb.path);
            const folder = dirname(nb.path);
            const written = [output, ...extraFiles].map((f) => relative(folder, f));
            conn.send({ type: 'notebook_export', requestId: m.requestId, fileName: basename(output), base64: '', written });
            return;
          }
          const bytes = await reportFile(data, m.format);
          conn.send({
            type: 'notebook_export',
            requestId: m.requestId,
            fileName: `${fileName.replace(/\.ipynb$/i, '')}.${m.format}`,
            base64: bytes.toString('base64'),
          });
        } catch (error) {
          conn.send({ type: 'notebook_export', requestId: m.requestId, fileName: '', base64: '', error: (error as Error).message });
        }
        return;
      }
      case 'dissect_packet': {
        const nb = this.#notebooks.get(m.notebookId);
        try {
          conn.send({ type: 'packet_dissection', requestId: m.requestId, text: await dissectPacket(nb.path, m.file, m.packet) });
        } catch (error) {
          conn.send({ type: 'packet_dissection', requestId: m.requestId, text: '', error: (error as Error).message });
        }
        return;
      }
    }
  }

  /** Opens (or returns the open) notebook at `path`, relative to the root. Runs nothing. */
  async open(path: string): Promise<OpenNotebook> {
    const absolute = await this.root.resolve(path);
    const known = this.#notebooks.at(absolute);
    if (known) return known;
    let notebook: Notebook;
    let fingerprint: FileFingerprint | undefined;
    try {
      ({ notebook, fingerprint } = await readNotebookFile(absolute));
    } catch (error) {
      if (error instanceof NotebookParseError) {
        throw new HostError('parse_error', `${error.message}\nThe file was not changed. Fix it in a text editor, or open another notebook.`);
      }
      throw new HostError('not_found', (error as Error).message);
    }
    const nb = this.#notebooks.register(absolute, notebook, fingerprint);
    const backup = await this.#backups.read(absolute);
    if (backup && JSON.stringify(backup.notebook.cells.map((c) => c.source)) !== JSON.stringify(notebook.cells.map((c) => c.source))) {
      nb.backup = backup;
    }
    return nb;
  }

  /** Runs the request's cells; its `execute_reply` follows the last cell's `execution_ended` (Jupyter's reply-and-idle rule). */
  async #execute(conn: Connection, m: Extract<ClientMessage, { type: 'execute_request' }>): Promise<void> {
    const nb = this.#notebooks.get(m.notebookId);
    const summary = await this.#run(conn, nb, m.requestId, m.cellIds, { cellIds: m.runAll ? undefined : m.cellIds, runAll: m.runAll });
    conn.send({ type: 'execute_reply', requestId: m.requestId, notebookId: nb.id, summary });
  }

  /**
   * Every execution goes through here: the trust gate, elevation on the first run, the notebook's
   * one runner (runs queue behind each other), outputs to every window on the notebook.
   */
  async #run(conn: Connection, nb: OpenNotebook, requestId: string, cellIds: string[], options: RunOptions): Promise<RunSummary> {
    nb.viewers.add(conn);
    // Only a run that began trusted (or approved) makes trusted outputs: runAs 'user' runs untrusted notebooks too.
    const trustedAtStart = nb.trusted;
    // docs/security.md (a hostile notebook): an untrusted notebook's root cells are shown and approved before they run.
    if (!nb.trusted && this.#options.runAs !== 'user') {
      throw new HostError('untrusted', `${titleOf(nb)} was not written or trusted on this machine: review its root cells, then trust it to run them.`);
    }
    const executor = await this.#liveExecutor();
    nb.runner?.useExecutor(executor);
    const runner = (nb.runner ??= new NotebookRunner({
      notebook: nb.notebook,
      notebookPath: nb.path,
      notebookKey: nb.key,
      executor,
      memoryLimitBytes: this.#options.memoryLimitBytes,
      events: this.#runnerMessages.eventsFor(nb, () => this.#changes.touch(nb)),
      ledger: this.#ledger,
      transforms: [iperf3ChartTransform, tcpdumpTransform, rulesTransform, journeyTransform],
    }));
    this.#runnerMessages.track(nb, requestId, cellIds);
    const startedAt = Date.now();
    const summary = await runner.run(options);
    // What the outputs were measured on, after the run (never before a cell's first output); not signed (trust.ts).
    if (summary.cells.length) this.#recordEnvironment(nb, startedAt, requestId).catch(() => undefined);
    // A run cut short before its cleanup cells ran (the kernel host died) is offered at once.
    if (nb.path && this.#cleanups.of(nb).length) this.#cleanups.broadcast(nb);
    // Outputs produced here by a trusted notebook are trusted (docs/security.md); an untrusted one stays untrusted.
    if (trustedAtStart && nb.trusted) nb.unsigned = true;
    return summary;
  }

  /** Writes the run's environment into `metadata.probebook.environment`, as an edit every page gets. */
  async #recordEnvironment(nb: OpenNotebook, startedAt: number, requestId: string): Promise<void> {
    const env = await runEnvironment(nb.notebook, { startedAt }).catch(() => undefined);
    const metadata = env && withEnvironment(nb.notebook.metadata, env);
    if (!metadata || metadata === nb.notebook.metadata) return;
    const edit = { kind: 'set_notebook_metadata' as const, metadata };
    applyEdit(nb.notebook, edit);
    this.#changes.edited(nb, [edit], `environment-${requestId}`);
  }

  /**
   * The executor, started on the first run (elevation happens then, never on open), and started
   * again when the one we had is gone (the kernel host died, or exited after missed heartbeats):
   * its cells failed saying so, and the next run must not need a restart of the whole app.
   */
  async #liveExecutor(): Promise<CellExecutor> {
    const current = this.#executor && (await this.#executor.catch(() => undefined));
    if (current?.closed) this.#executor = undefined;
    if (!this.#executor) {
      this.#executor = this.#options.executor();
      this.#executor.catch(() => (this.#executor = undefined)); // the next run tries again (e.g. a new sudo rule)
    }
    try {
      return await this.#executor;
    } catch (error) {
      throw new HostError('elevation_failed', (error as Error).message);
    }
  }

  #snapshot(nb: OpenNotebook): NotebookSnapshot {
    return {
      notebookId: nb.id,
      path: nb.path && this.root.display(nb.path),
      title: titleOf(nb),
      version: nb.version,
      dirty: nb.dirty,
      readOnly: nb.readOnly,
      readOnlyReason: nb.readOnlyReason,
      trusted: nb.trusted,
      notebook: nb.notebook,
      cellStates: nb.cellStates,
      backup: nb.backup ? { savedAt: nb.backup.savedAt, cells: nb.backup.notebook.cells.length } : undefined,
      converted: upgradedFrom(nb.notebook) ? { from: upgradedFrom(nb.notebook)! } : undefined,
      pendingCleanup: nb.path ? this.#cleanups.of(nb) : undefined,
      // nb.trusted is kept current (opens, edits, runs): no second signature of the whole notebook.
      review: nb.trusted ? undefined : trustReview(nb.notebook),
    };
  }

  /**
   * Stops every run, lets each run's cleanup cells run (they undo what the lab set up: namespaces,
   * iptables rules), then stops the executor. A run whose cleanup could not run stays in the ledger.
   */
  async dispose(): Promise<void> {
    await Promise.all(this.#notebooks.all().map((nb) => nb.runner?.shutdown()));
    this.#backups.dispose();
    for (const nb of this.#notebooks.all()) {
      this.#changes.sign(nb);
      if (nb.dirty && nb.path) await this.#backups.writeNow(nb.path, nb.notebook).catch(() => undefined);
    }
    if (this.#executor) await (await this.#executor.catch(() => undefined))?.dispose();
  }
}
