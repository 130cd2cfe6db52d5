/**
 * The session host: it owns the open notebooks (cells, outputs, dirty state, runs) and every UI is
 * a view of them. UIs send edits and commands and receive changes, over any transport (WebSocket
 * in browser mode, MessagePort in Electron). Two windows on one notebook stay in sync; a reloaded
 * page gets everything, outputs that arrived while no page was open included.
 */
import { randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import { applyEdit, createNotebook, EditError } from '../../common/notebook/edits.ts';
import { NotebookParseError } from '../../common/notebook/ipynb.ts';
import type { JsonObject, Notebook } from '../../common/notebook/model.ts';
import {
  PROTOCOL_VERSION,
  type CellRunState,
  type ClientMessage,
  type ErrorCode,
  type HostMessage,
  type NotebookEdit,
  type NotebookSnapshot,
  type OutputEdit,
  type PendingCleanupResolution,
  type PendingCleanupRun,
  type RunAs,
  type RunSummary,
} from '../../common/protocol.ts';
import { parseClientMessage, ProtocolError } from '../../common/protocol-validate.ts';
import { ChangedOnDiskError, MalformedTargetError, readNotebookFile, writeNotebookFile, type FileFingerprint } from '../notebook-file.ts';
import type { CellExecutor } from '../run/executor.ts';
import { executionStatus } from '../run/execution-status.ts';
import { iperf3ChartTransform } from '../run/iperf3-chart-transform.ts';
import { allRan, NotebookRunner, type CellOutcome, type RunOptions } from '../run/notebook-runner.ts';
import { BackupStore } from './backups.ts';
import { CleanupLedger } from './cleanup-ledger.ts';
import { listProbes } from './probe-list.ts';
import { OutsideRootError, type ServedRoot } from './served-root.ts';
import { trustReview } from '../../common/notebook/trust-review.ts';
import type { TrustStore } from './trust.ts';

/** One UI's link to the host, whatever carries it. */
export interface Connection {
  send(message: HostMessage): void;
  onMessage(listener: (raw: unknown) => void): void;
  onClose(listener: () => void): void;
}

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

interface OpenNotebook {
  id: string;
  path: string | null;
  notebook: Notebook;
  fingerprint?: FileFingerprint;
  version: number;
  dirty: boolean;
  readOnly: boolean;
  readOnlyReason?: string;
  trusted: boolean;
  /**
   * Trusted, and changed here since its signature was last recorded: own edits and outputs keep a
   * notebook trusted, and the signature of what it is now is written when it leaves memory (a save,
   * a backup, the host's end), not on every edit — signing reads the notebook whole.
   */
  unsigned?: boolean;
  cellStates: Record<string, CellRunState>;
  runner?: NotebookRunner;
  viewers: Set<Connection>;
  backup?: { notebook: Notebook; savedAt: number };
  key: string;
}

export class SessionHost {
  readonly sessionId = randomUUID();
  readonly #options: SessionHostOptions;
  readonly #notebooks = new Map<string, OpenNotebook>();
  readonly #byPath = new Map<string, string>();
  readonly #connections = new Set<Connection>();
  readonly #backups: BackupStore;
  readonly #ledger: CleanupLedger;
  #executor: Promise<CellExecutor> | undefined;

  constructor(options: SessionHostOptions) {
    this.#options = options;
    this.#backups = new BackupStore(options.stateDir);
    this.#ledger = new CleanupLedger(join(options.stateDir, 'runs'));
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
      for (const nb of this.#notebooks.values()) nb.viewers.delete(connection);
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
          if (this.#byPath.has(path)) throw new HostError('conflict', `${m.path} is already open.`);
        }
        const nb = this.#register(path, createNotebook(m.language ?? 'shell'));
        nb.dirty = true;
        // Made here, empty: the user's own from its first byte, and its own edits keep it trusted.
        nb.trusted = true;
        nb.unsigned = true;
        nb.viewers.add(conn);
        conn.send({ type: 'notebook_opened', requestId: m.requestId, snapshot: this.#snapshot(nb) });
        return;
      }
      case 'close_notebook': {
        const nb = this.#get(m.notebookId);
        nb.viewers.delete(conn);
        conn.send({ type: 'notebook_closed', requestId: m.requestId, notebookId: nb.id });
        this.#maybeForget(nb);
        return;
      }
      case 'edit': {
        const nb = this.#get(m.notebookId);
        if (nb.readOnly) throw new HostError('read_only', `${this.#title(nb)} is read-only: ${nb.readOnlyReason ?? 'it cannot be saved'}.`);
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
            if (applied.length) this.#changed(nb, applied, m.requestId);
            conn.send({ type: 'error', requestId: m.requestId, code: 'conflict', message: error.message });
            conn.send({ type: 'notebook_opened', snapshot: this.#snapshot(nb) });
            return;
          }
        }
        this.#changed(nb, applied, m.requestId);
        return;
      }
      case 'execute_request':
        await this.#execute(conn, m);
        return;
      case 'interrupt_request':
        this.#get(m.notebookId).runner?.interrupt(m.cellId);
        return;
      case 'restart_request': {
        const nb = this.#get(m.notebookId);
        nb.runner?.interrupt();
        if (this.#executor) await (await this.#executor).reset(nb.key);
        conn.send({ type: 'pong', requestId: m.requestId });
        return;
      }
      case 'save_request':
        await this.#save(conn, m);
        return;
      case 'list_directory': {
        const listing = await this.root.list(m.path);
        conn.send({ type: 'directory_listing', requestId: m.requestId, ...listing });
        return;
      }
      case 'trust_request': {
        const nb = this.#get(m.notebookId);
        this.#options.trust.trust(nb.notebook);
        nb.trusted = true;
        nb.unsigned = false;
        this.#broadcastState(nb);
        conn.send({ type: 'pong', requestId: m.requestId });
        return;
      }
      case 'restore_backup': {
        const nb = this.#get(m.notebookId);
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
      case 'run_pending_cleanup':
        await this.#runPendingCleanup(conn, m);
        return;
      case 'dismiss_pending_cleanup': {
        const nb = this.#get(m.notebookId);
        const entry = this.#pendingCleanup(nb, m.runId);
        this.#ledger.endRun(entry.runId);
        this.#broadcastPendingCleanup(nb, conn, m.requestId, { runId: entry.runId, outcome: 'dismissed', ranCellIds: [], ok: true, skippedCells: [] });
        return;
      }
      case 'list_probes': {
        const { probes, error } = await listProbes(m.filter);
        conn.send({ type: 'probe_list', requestId: m.requestId, probes, error });
        return;
      }
    }
  }

  /** Opens (or returns the open) notebook at `path`, relative to the root. Runs nothing. */
  async open(path: string): Promise<OpenNotebook> {
    const absolute = await this.root.resolve(path);
    const known = this.#byPath.get(absolute);
    if (known) return this.#notebooks.get(known)!;
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
    const nb = this.#register(absolute, notebook, fingerprint);
    const backup = await this.#backups.read(absolute);
    if (backup && JSON.stringify(backup.notebook.cells.map((c) => c.source)) !== JSON.stringify(notebook.cells.map((c) => c.source))) {
      nb.backup = backup;
    }
    return nb;
  }

  #register(path: string | null, notebook: Notebook, fingerprint?: FileFingerprint): OpenNotebook {
    const nb: OpenNotebook = {
      id: randomUUID(),
      path,
      notebook,
      fingerprint,
      version: 0,
      dirty: false,
      readOnly: false,
      trusted: this.#options.trust.isTrusted(notebook),
      cellStates: {},
      viewers: new Set(),
      key: randomUUID(),
    };
    this.#notebooks.set(nb.id, nb);
    if (path) this.#byPath.set(path, nb.id);
    return nb;
  }

  /** Runs the request's cells; its `execute_reply` follows the last cell's `execution_ended` (Jupyter's reply-and-idle rule). */
  async #execute(conn: Connection, m: Extract<ClientMessage, { type: 'execute_request' }>): Promise<void> {
    const nb = this.#get(m.notebookId);
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
    // SECURITY.md: an untrusted notebook's root cells are shown and approved before they run.
    if (!nb.trusted && this.#options.runAs !== 'user') {
      throw new HostError('untrusted', `${this.#title(nb)} was not written or trusted on this machine: review its root cells, then trust it to run them.`);
    }
    const executor = await this.#liveExecutor();
    nb.runner?.useExecutor(executor);
    const runner = (nb.runner ??= new NotebookRunner({
      notebook: nb.notebook,
      notebookPath: nb.path,
      notebookKey: nb.key,
      executor,
      memoryLimitBytes: this.#options.memoryLimitBytes,
      events: this.#runnerEvents(nb),
      ledger: this.#ledger,
      transforms: [iperf3ChartTransform],
    }));
    this.#currentRequest.set(nb.id, requestId);
    for (const id of cellIds) this.#cellRequests.set(`${nb.id}/${id}`, requestId);
    const summary = await runner.run(options);
    // A run cut short before its cleanup cells ran (the kernel host died) is offered at once.
    if (nb.path && this.#pendingCleanups(nb).length) this.#broadcastPendingCleanup(nb);
    // Outputs produced here by a trusted notebook are trusted (SECURITY.md); an untrusted one stays untrusted.
    if (trustedAtStart && nb.trusted) nb.unsigned = true;
    return summary;
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

  /** Ledger runs whose cleanup cells run now: not offered again meanwhile, and not run twice. */
  readonly #cleanupsRunning = new Set<string>();

  /** The notebook's crashed runs whose cleanup cells never ran (none for a notebook never saved). */
  #pendingCleanups(nb: OpenNotebook): PendingCleanupRun[] {
    if (!nb.path) return [];
    return this.#ledger
      .pendingCleanups(nb.path)
      .filter((p) => !this.#cleanupsRunning.has(p.runId))
      .map((p) => ({ runId: p.runId, startedAt: p.startedAt, cellIds: p.cleanupCellIds }));
  }

  #pendingCleanup(nb: OpenNotebook, runId: string): PendingCleanupRun {
    if (this.#cleanupsRunning.has(runId)) throw new HostError('conflict', 'The cleanup cells of that run are running already.');
    const entry = this.#pendingCleanups(nb).find((p) => p.runId === runId);
    if (!entry)
      throw new HostError('not_found', `${this.#title(nb)} has no pending cleanup of a run ${runId}: it was run or dismissed already (in another window?).`);
    return entry;
  }

  /**
   * Runs the cleanup cells a crashed run never reached, like any execution. Cells deleted since,
   * or no longer code, are left out and named; the run leaves the ledger once they ran (failed
   * ones included: their outputs say what is left to undo), not when the user stopped them.
   */
  async #runPendingCleanup(conn: Connection, m: Extract<ClientMessage, { type: 'run_pending_cleanup' }>): Promise<void> {
    const nb = this.#get(m.notebookId);
    const entry = this.#pendingCleanup(nb, m.runId);
    const cellIds: string[] = [];
    const skippedCells: PendingCleanupResolution['skippedCells'] = [];
    for (const cellId of entry.cellIds) {
      const cell = nb.notebook.cells.find((c) => c.id === cellId);
      if (!cell) skippedCells.push({ cellId, reason: 'deleted' });
      else if (cell.cellType !== 'code') skippedCells.push({ cellId, reason: 'not_code' });
      else cellIds.push(cellId);
    }
    this.#cleanupsRunning.add(entry.runId);
    try {
      const summary = cellIds.length ? await this.#run(conn, nb, m.requestId, cellIds, { cellIds, allowErrors: true }) : undefined;
      // Stopped by the user, or cut off (the kernel host died): still to be done.
      const stopped = summary !== undefined && !allRan(summary, cellIds);
      if (!stopped) this.#ledger.endRun(entry.runId);
      // Stopped, it is offered again: the list sent now must hold it.
      this.#cleanupsRunning.delete(entry.runId);
      this.#broadcastPendingCleanup(nb, conn, m.requestId, {
        runId: entry.runId,
        outcome: stopped ? 'stopped' : 'ran',
        ranCellIds: summary?.cells.map((c) => c.cellId) ?? [],
        ok: summary?.ok ?? true,
        skippedCells,
      });
    } finally {
      this.#cleanupsRunning.delete(entry.runId);
    }
  }

  #broadcastPendingCleanup(nb: OpenNotebook, conn?: Connection, requestId?: string, resolved?: PendingCleanupResolution): void {
    const pendingCleanup = this.#pendingCleanups(nb);
    for (const viewer of new Set([...nb.viewers, ...(conn ? [conn] : [])])) {
      viewer.send({
        type: 'pending_cleanup',
        notebookId: nb.id,
        ...(viewer === conn && requestId ? { requestId } : {}),
        pendingCleanup,
        ...(resolved ? { resolved } : {}),
      });
    }
  }

  readonly #currentRequest = new Map<string, string>();
  /** Each queued cell's state before it was queued (`notebookId/cellId`), restored if it never starts. */
  readonly #beforeQueue = new Map<string, CellRunState>();
  readonly #cellRequests = new Map<string, string>();

  #requestOf(nb: OpenNotebook, cellId: string): string {
    return this.#cellRequests.get(`${nb.id}/${cellId}`) ?? this.#currentRequest.get(nb.id) ?? '';
  }

  #runnerEvents(nb: OpenNotebook) {
    const send = (message: HostMessage) => {
      for (const viewer of nb.viewers) viewer.send(message);
    };
    return {
      queued: (cellId: string) => {
        const before = nb.cellStates[cellId] ?? { status: 'idle', executionCount: null };
        if (before.status !== 'queued') this.#beforeQueue.set(`${nb.id}/${cellId}`, before);
        nb.cellStates[cellId] = { ...before, status: 'queued' };
        send({ type: 'execution_state', requestId: this.#requestOf(nb, cellId), notebookId: nb.id, cellId, state: 'queued' });
      },
      started: (cellId: string, info: { executionCount: number; startedAt: number; runAs: RunAs }) => {
        this.#beforeQueue.delete(`${nb.id}/${cellId}`);
        nb.cellStates[cellId] = { status: 'running', executionCount: info.executionCount, startedAt: info.startedAt, runAs: info.runAs };
        this.#touch(nb);
        send({
          type: 'execution_state',
          requestId: this.#requestOf(nb, cellId),
          notebookId: nb.id,
          cellId,
          state: 'running',
          executionCount: info.executionCount,
          startedAt: info.startedAt,
          runAs: info.runAs,
        });
      },
      output: (cellId: string, edit: OutputEdit) => {
        send({ type: 'output', requestId: this.#requestOf(nb, cellId), notebookId: nb.id, cellId, edit });
      },
      ended: (cellId: string, result: CellOutcome) => {
        const state = nb.cellStates[cellId];
        nb.cellStates[cellId] = {
          ...(state ?? { executionCount: null }),
          status: executionStatus(result),
          endedAt: Date.now(),
          durationMs: result.durationMs,
          ...(result.stopReason ? { stopReason: result.stopReason } : {}),
        };
        this.#touch(nb);
        send({
          type: 'execution_ended',
          requestId: this.#requestOf(nb, cellId),
          notebookId: nb.id,
          cellId,
          status: result.status,
          success: result.success,
          durationMs: result.durationMs,
          stopped: result.stopped,
          ...(result.stopReason ? { stopReason: result.stopReason } : {}),
          error: result.error,
          exitCode: result.exitCode,
          exitSignal: result.exitSignal,
        });
        this.#cellRequests.delete(`${nb.id}/${cellId}`);
      },
      metadata: (cellId: string, metadata: JsonObject) => {
        // The cell's timing (metadata.execution): an edit like any other, so every tab's document
        // and the saved file hold it. Not signed (trust.ts), so trust is unchanged.
        nb.version++;
        this.#touch(nb);
        send({ type: 'notebook_changed', notebookId: nb.id, version: nb.version, edits: [{ kind: 'set_cell_metadata', cellId, metadata }] });
      },
      skipped: (cellId: string) => {
        // It never started (an earlier cell failed, or it was stopped while queued): as it was before.
        const key = `${nb.id}/${cellId}`;
        nb.cellStates[cellId] = this.#beforeQueue.get(key) ?? { ...(nb.cellStates[cellId] ?? { executionCount: null }), status: 'idle' };
        this.#beforeQueue.delete(key);
        send({
          type: 'execution_ended',
          requestId: this.#requestOf(nb, cellId),
          notebookId: nb.id,
          cellId,
          status: 'interrupted',
          success: false,
          durationMs: 0,
          stopped: false,
        });
        this.#cellRequests.delete(`${nb.id}/${cellId}`);
      },
    };
  }

  async #save(conn: Connection, m: Extract<ClientMessage, { type: 'save_request' }>): Promise<void> {
    const nb = this.#get(m.notebookId);
    const target = m.path ? await this.root.resolve(m.path) : nb.path;
    if (!target) throw new HostError('not_found', 'This notebook has no file yet: choose where to save it (Save As).');
    if (!target.endsWith('.ipynb')) throw new HostError('forbidden', `${this.root.display(target)}: notebooks are saved as .ipynb files.`);
    if (nb.readOnly && target === nb.path) throw new HostError('read_only', `${this.#title(nb)} is read-only: save it under another name.`);
    const other = this.#byPath.get(target);
    if (other && other !== nb.id) throw new HostError('conflict', `${this.root.display(target)} is open in another tab; close it first.`);
    try {
      nb.fingerprint = await writeNotebookFile(target, nb.notebook, {
        expected: target === nb.path ? nb.fingerprint : undefined,
        force: m.force,
      });
    } catch (error) {
      if (error instanceof ChangedOnDiskError)
        throw new HostError(
          'changed_on_disk',
          `${this.root.display(target)} changed on disk since it was opened. Save anyway to overwrite those changes, or Save As another file.`,
        );
      if (error instanceof MalformedTargetError) throw new HostError('read_only', error.message);
      throw error;
    }
    if (target !== nb.path) {
      if (nb.path) this.#byPath.delete(nb.path);
      nb.path = target;
      this.#byPath.set(target, nb.id);
    }
    nb.dirty = false;
    nb.readOnly = false;
    await this.#backups.discard(target);
    // Saving never trusts (SECURITY.md): only a trusted notebook's own edits are signed as saved.
    this.#sign(nb);
    conn.send({ type: 'saved', requestId: m.requestId, notebookId: nb.id, path: this.root.display(target), version: nb.version });
    this.#broadcastState(nb);
  }

  #changed(nb: OpenNotebook, edits: NotebookEdit[], origin: string): void {
    nb.version++;
    const wasTrusted = nb.trusted;
    this.#touch(nb);
    for (const edit of edits) {
      if (edit.kind === 'clear_outputs') nb.cellStates[edit.cellId] = { status: 'idle', executionCount: null };
    }
    // Edits typed in our own windows are the user's code: a trusted notebook stays trusted (as
    // Jupyter signs what the user saved). Code that arrives any other way (a file changed on disk,
    // another person's notebook) is checked against the signatures and asks first (SECURITY.md).
    if (wasTrusted) nb.unsigned = true;
    else nb.trusted = this.#options.trust.isTrusted(nb.notebook);
    for (const viewer of nb.viewers) viewer.send({ type: 'notebook_changed', notebookId: nb.id, version: nb.version, edits, origin });
    if (wasTrusted !== nb.trusted) this.#broadcastState(nb);
  }

  /** Marks unsaved changes and schedules a backup. */
  #touch(nb: OpenNotebook): void {
    const wasDirty = nb.dirty;
    nb.dirty = true;
    if (nb.path) {
      this.#backups.schedule(nb.path, () => {
        this.#sign(nb); // a restored backup is as trusted as the edits it keeps
        return nb.notebook;
      });
    }
    if (!wasDirty) this.#broadcastState(nb);
  }

  #broadcastState(nb: OpenNotebook): void {
    for (const viewer of nb.viewers) {
      viewer.send({
        type: 'notebook_state',
        notebookId: nb.id,
        dirty: nb.dirty,
        path: nb.path && this.root.display(nb.path),
        title: this.#title(nb),
        readOnly: nb.readOnly,
        trusted: nb.trusted,
      });
    }
  }

  /** Records the signature of a trusted notebook as it is now, if not recorded yet. */
  #sign(nb: OpenNotebook): void {
    if (!nb.trusted || !nb.unsigned) return;
    this.#options.trust.trust(nb.notebook);
    nb.unsigned = false;
  }

  #snapshot(nb: OpenNotebook): NotebookSnapshot {
    return {
      notebookId: nb.id,
      path: nb.path && this.root.display(nb.path),
      title: this.#title(nb),
      version: nb.version,
      dirty: nb.dirty,
      readOnly: nb.readOnly,
      readOnlyReason: nb.readOnlyReason,
      trusted: nb.trusted,
      notebook: nb.notebook,
      cellStates: nb.cellStates,
      backup: nb.backup ? { savedAt: nb.backup.savedAt, cells: nb.backup.notebook.cells.length } : undefined,
      pendingCleanup: nb.path ? this.#pendingCleanups(nb) : undefined,
      // nb.trusted is kept current (opens, edits, runs): no second signature of the whole notebook.
      review: nb.trusted ? undefined : trustReview(nb.notebook),
    };
  }

  #title(nb: OpenNotebook): string {
    return nb.path ? basename(nb.path) : 'Untitled.ipynb';
  }

  #get(notebookId: string): OpenNotebook {
    const nb = this.#notebooks.get(notebookId);
    if (!nb) throw new HostError('not_found', 'That notebook is not open (the server may have restarted): open it again.');
    return nb;
  }

  /** Drops a notebook nobody views, that runs nothing and has nothing unsaved. */
  #maybeForget(nb: OpenNotebook): void {
    if (nb.viewers.size > 0 || nb.dirty || nb.runner?.busy) return;
    this.#notebooks.delete(nb.id);
    if (nb.path) this.#byPath.delete(nb.path);
  }

  /**
   * Stops every run, lets each run's cleanup cells run (they undo what the lab set up: namespaces,
   * iptables rules), then stops the executor. A run whose cleanup could not run stays in the ledger.
   */
  async dispose(): Promise<void> {
    await Promise.all([...this.#notebooks.values()].map((nb) => nb.runner?.shutdown()));
    this.#backups.dispose();
    for (const nb of this.#notebooks.values()) {
      this.#sign(nb);
      if (nb.dirty && nb.path) await this.#backups.writeNow(nb.path, nb.notebook).catch(() => undefined);
    }
    if (this.#executor) await (await this.#executor.catch(() => undefined))?.dispose();
  }
}

/** A request that failed for a reason the UI shows as it is. */
class HostError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function codeOf(error: unknown): ErrorCode {
  if (error instanceof HostError) return error.code;
  if (error instanceof OutsideRootError) return 'forbidden';
  return 'internal';
}
