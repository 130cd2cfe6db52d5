/**
 * The page's copy of one open notebook: the host's snapshot, kept current with its
 * `notebook_changed` edits and output edits (through the same `applyEdit` and `applyOutputEdit`
 * the host uses) and run states. Local edits apply at once and go to the host; their echo (the
 * `notebook_changed` whose `origin` is the edit's requestId) is not applied twice. Typing is
 * coalesced: sources are sent after a short pause, and always before anything else (a run, a
 * save, another edit).
 */
import { applyEdit, applyOutputEdit, EditError } from '../../core/common/notebook/edits.ts';
import type { Cell, Notebook } from '../../core/common/notebook/model.ts';
import type { CellRunState, HostMessage, NotebookEdit, NotebookSnapshot, OutputEdit, PendingCleanupRun } from '../../core/common/protocol.ts';

export type DocumentEvent =
  /** Cells were inserted, deleted or moved. */
  | { kind: 'structure' }
  /** A cell's source changed (`remote`: by another window or the host). */
  | { kind: 'source'; cellId: string; remote: boolean }
  | { kind: 'cell-type'; cellId: string }
  | { kind: 'metadata'; cellId: string }
  | { kind: 'notebook-metadata' }
  /** A cell's outputs changed: by one edit, or (no edit) replaced wholesale. */
  | { kind: 'outputs'; cellId: string; edit?: OutputEdit }
  | { kind: 'run-state'; cellId: string }
  /** Dirty, title, path, trust or read-only changed. */
  | { kind: 'doc-state' }
  /** The crashed runs whose cleanup cells never ran changed (one ran or was dismissed). */
  | { kind: 'pending-cleanup' };

export interface DocumentSink {
  /** Sends edits made against `baseVersion`; returns the request id the host will echo as `origin`. */
  sendEdits(edits: NotebookEdit[], baseVersion: number): string;
}

type Changed = Extract<HostMessage, { type: 'notebook_changed' }>;
type StateMessage = Extract<HostMessage, { type: 'notebook_state' }>;
type ExecState = Extract<HostMessage, { type: 'execution_state' }>;
type ExecEnded = Extract<HostMessage, { type: 'execution_ended' }>;
type OutputMessage = Extract<HostMessage, { type: 'output' }>;

const IDLE: CellRunState = { status: 'idle', executionCount: null };

export class NotebookDocument {
  readonly id: string;
  path: string | null;
  title: string;
  /** The host's version this copy has seen. */
  version: number;
  /** Unsaved changes on the host. */
  hostDirty: boolean;
  readOnly: boolean;
  readOnlyReason: string | undefined;
  trusted: boolean;
  backup: NotebookSnapshot['backup'];
  /** The file was nbformat 3, upgraded when read (a banner says so until it is saved). */
  converted: NotebookSnapshot['converted'];
  /** Crashed runs of this notebook whose cleanup cells never ran, oldest first. */
  pendingCleanup: PendingCleanupRun[];
  readonly notebook: Notebook;
  private readonly states = new Map<string, CellRunState>();
  /** Each queued cell's state before it was queued: what it shows again if it never starts. */
  private readonly beforeQueue = new Map<string, CellRunState>();
  private readonly positions = new Map<string, number>();
  private readonly pendingEdits = new Set<string>();
  /** Whether the last change the host confirmed was made in this window. */
  lastChangeWasOurs = false;
  private readonly unsentSources = new Set<string>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<(event: DocumentEvent) => void>();

  constructor(
    snapshot: NotebookSnapshot,
    private readonly sink: DocumentSink,
    /** How long typing may pause before its source is sent. */
    private readonly sourceDelayMs = 150,
  ) {
    this.id = snapshot.notebookId;
    this.path = snapshot.path;
    this.title = snapshot.title;
    this.version = snapshot.version;
    this.hostDirty = snapshot.dirty;
    this.readOnly = snapshot.readOnly;
    this.readOnlyReason = snapshot.readOnlyReason;
    this.trusted = snapshot.trusted;
    this.backup = snapshot.backup;
    this.converted = snapshot.converted;
    this.pendingCleanup = snapshot.pendingCleanup ?? [];
    this.notebook = snapshot.notebook;
    for (const [cellId, state] of Object.entries(snapshot.cellStates)) this.states.set(cellId, state);
  }

  /** Unsaved changes, including edits the host has not confirmed yet. */
  get dirty(): boolean {
    return this.hostDirty || this.pendingEdits.size > 0 || this.unsentSources.size > 0;
  }

  get cells(): readonly Cell[] {
    return this.notebook.cells;
  }

  cell(cellId: string): Cell | undefined {
    const i = this.indexOf(cellId);
    return i === -1 ? undefined : this.notebook.cells[i];
  }

  indexOf(cellId: string): number {
    // An index by id, rebuilt when the cells changed: a 500-cell notebook asks this a lot.
    const cells = this.notebook.cells;
    let i = this.positions.get(cellId);
    if (i !== undefined && cells[i]?.id === cellId) return i;
    this.positions.clear();
    cells.forEach((c, j) => {
      this.positions.set(c.id, j);
    });
    i = this.positions.get(cellId);
    return i === undefined ? -1 : i;
  }

  runState(cellId: string): CellRunState {
    return this.states.get(cellId) ?? IDLE;
  }

  /** Cells queued or running. */
  get busyCellIds(): string[] {
    return [...this.states].filter(([, s]) => s.status === 'queued' || s.status === 'running').map(([id]) => id);
  }

  on(listener: (event: DocumentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // -------------------------------------------------------------------------------------------
  // Local changes

  /** Applies edits here and sends them; throws {@link EditError} (changing nothing) when one does not fit. */
  edit(edits: NotebookEdit[]): void {
    if (edits.length === 0) return;
    this.flush();
    const applied: NotebookEdit[] = [];
    try {
      for (const e of edits) {
        applyEdit(this.notebook, e);
        applied.push(e);
      }
    } finally {
      if (applied.length) {
        this.pendingEdits.add(this.sink.sendEdits(applied, this.version));
        for (const e of applied) this.emitFor(e, false);
        this.emit({ kind: 'doc-state' });
      }
    }
  }

  /** A keystroke's worth of source: kept here at once, sent after a pause (or on {@link flush}). */
  setSource(cellId: string, source: string): void {
    const cell = this.cell(cellId);
    if (!cell || cell.source === source) return;
    cell.source = source;
    const wasClean = !this.dirty;
    this.unsentSources.add(cellId);
    if (wasClean) this.emit({ kind: 'doc-state' });
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => this.flush(), this.sourceDelayMs);
  }

  /** Sends typed sources now. Call before running, saving or anything that reads the host's copy. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.unsentSources.size === 0) return;
    const edits: NotebookEdit[] = [];
    for (const cellId of this.unsentSources) {
      const cell = this.cell(cellId);
      if (cell) edits.push({ kind: 'set_source', cellId, source: cell.source });
    }
    this.unsentSources.clear();
    if (edits.length) this.pendingEdits.add(this.sink.sendEdits(edits, this.version));
  }

  /** The host refused an edit (it then sends a fresh snapshot, which replaces this document). */
  editFailed(requestId: string): void {
    this.pendingEdits.delete(requestId);
  }

  /** Drops the pending timer (the document is being replaced). */
  dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.listeners.clear();
  }

  // -------------------------------------------------------------------------------------------
  // What the host says

  /**
   * Applies a `notebook_changed`. Returns false when an edit does not fit this copy: the page
   * must then take a fresh snapshot (re-open the notebook).
   */
  applyChanged(message: Changed): boolean {
    this.version = message.version;
    this.lastChangeWasOurs = !!message.origin && this.pendingEdits.has(message.origin);
    if (message.origin && this.pendingEdits.delete(message.origin)) {
      if (!this.dirty) this.emit({ kind: 'doc-state' });
      return true; // our own edit, already applied here
    }
    for (const e of message.edits) {
      // Our unsent typing in this cell is newer than the host's copy; it is sent next.
      if (e.kind === 'set_source' && this.unsentSources.has(e.cellId)) continue;
      try {
        applyEdit(this.notebook, e);
      } catch (error) {
        if (error instanceof EditError) return false;
        throw error;
      }
      this.emitFor(e, true);
    }
    return true;
  }

  applyState(message: StateMessage): void {
    this.hostDirty = message.dirty;
    this.path = message.path;
    this.title = message.title;
    this.readOnly = message.readOnly;
    this.trusted = message.trusted;
    this.emit({ kind: 'doc-state' });
  }

  /** The host's list of pending cleanups, after one ran or was dismissed (in any window). */
  applyPendingCleanup(pending: PendingCleanupRun[]): void {
    this.pendingCleanup = pending;
    this.emit({ kind: 'pending-cleanup' });
  }

  /** Whether the cell is a cleanup cell that a crashed run never ran. */
  isPendingCleanup(cellId: string): boolean {
    return this.pendingCleanup.some((run) => run.cellIds.includes(cellId));
  }

  /** Marks the document saved at `version` (the `saved` reply; `notebook_state` follows). */
  applySaved(path: string): void {
    this.path = path;
    this.emit({ kind: 'doc-state' });
  }

  applyExecutionState(message: ExecState): void {
    const before = this.runState(message.cellId);
    if (message.state === 'queued') {
      if (before.status !== 'queued') this.beforeQueue.set(message.cellId, before);
      this.states.set(message.cellId, { ...before, status: 'queued', durationMs: undefined, endedAt: undefined });
    } else {
      this.beforeQueue.delete(message.cellId);
      this.states.set(message.cellId, {
        status: 'running',
        executionCount: message.executionCount ?? before.executionCount,
        startedAt: message.startedAt ?? Date.now(),
        runAs: message.runAs ?? before.runAs,
        ...(message.readiness ? { readiness: message.readiness } : {}),
      });
      const cell = this.cell(message.cellId);
      if (cell && message.executionCount !== undefined) cell.executionCount = message.executionCount;
    }
    this.emit({ kind: 'run-state', cellId: message.cellId });
  }

  applyExecutionEnded(message: ExecEnded): void {
    const before = this.runState(message.cellId);
    // A queued cell that never started (an earlier cell failed, or it was stopped while queued)
    // goes back to how it was before it was queued, as on the host.
    const neverRan = before.status === 'queued' && message.durationMs === 0 && !message.stopped;
    const previous = this.beforeQueue.get(message.cellId);
    this.beforeQueue.delete(message.cellId);
    // A cell stopped by its timeout or by the end of its run did what it was meant to ("trace for 10 s"): ok, as on the host.
    const ended: CellRunState = {
      ...before,
      status: message.success ? 'ok' : message.status,
      durationMs: message.durationMs,
      endedAt: Date.now(),
      stopReason: message.stopReason,
    };
    this.states.set(message.cellId, neverRan ? (previous ?? { ...before, status: 'idle' }) : ended);
    this.emit({ kind: 'run-state', cellId: message.cellId });
  }

  applyOutput(message: OutputMessage): void {
    const cell = this.cell(message.cellId);
    if (!cell) return;
    applyOutputEdit(cell.outputs, message.edit);
    this.emit({ kind: 'outputs', cellId: message.cellId, edit: message.edit });
  }

  private emitFor(e: NotebookEdit, remote: boolean): void {
    switch (e.kind) {
      case 'insert_cell':
      case 'delete_cell':
      case 'move_cell':
        this.emit({ kind: 'structure' });
        return;
      case 'set_source':
        this.emit({ kind: 'source', cellId: e.cellId, remote });
        return;
      case 'set_cell_type':
        this.emit({ kind: 'cell-type', cellId: e.cellId });
        return;
      case 'set_cell_metadata':
        this.emit({ kind: 'metadata', cellId: e.cellId });
        return;
      case 'clear_outputs':
        this.states.set(e.cellId, { ...this.runState(e.cellId), executionCount: null, status: 'idle', durationMs: undefined });
        this.emit({ kind: 'outputs', cellId: e.cellId });
        this.emit({ kind: 'run-state', cellId: e.cellId });
        return;
      case 'set_notebook_metadata':
        this.emit({ kind: 'notebook-metadata' });
        return;
    }
  }

  private emit(event: DocumentEvent): void {
    for (const l of this.listeners) l(event);
  }
}
