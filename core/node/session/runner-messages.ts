/**
 * A notebook runner's events as the protocol's messages to every page viewing the notebook, each
 * tagged with the request that queued its cell; the cells' run states are kept as they go.
 */
import type { JsonObject } from '../../common/notebook/model.ts';
import type { CellReadiness, CellRunState, HostMessage, OutputEdit, RunAs } from '../../common/protocol.ts';
import { executionStatus } from '../run/execution-status.ts';
import type { CellOutcome, RunnerEvents } from '../run/notebook-runner.ts';
import type { OpenNotebook } from './open-notebooks.ts';

export class RunnerMessages {
  readonly #currentRequest = new Map<string, string>();
  /** Each queued cell's state before it was queued (`notebookId/cellId`), restored if it never starts. */
  readonly #beforeQueue = new Map<string, CellRunState>();
  readonly #cellRequests = new Map<string, string>();

  /** The request `requestId` runs `cellIds` of `nb`: their messages carry its id. */
  track(nb: OpenNotebook, requestId: string, cellIds: string[]): void {
    this.#currentRequest.set(nb.id, requestId);
    for (const id of cellIds) this.#cellRequests.set(`${nb.id}/${id}`, requestId);
  }

  #requestOf(nb: OpenNotebook, cellId: string): string {
    return this.#cellRequests.get(`${nb.id}/${cellId}`) ?? this.#currentRequest.get(nb.id) ?? '';
  }

  /** The events of `nb`'s runner; `touch` marks the notebook changed (its outputs, states or timing). */
  eventsFor(nb: OpenNotebook, touch: () => void): RunnerEvents {
    const send = (message: HostMessage) => {
      for (const viewer of nb.viewers) viewer.send(message);
    };
    /** The cell's running state as kept: when it started, and (once it says) whether it is ready. */
    const sendRunning = (cellId: string) => {
      const state = nb.cellStates[cellId]!;
      send({
        type: 'execution_state',
        requestId: this.#requestOf(nb, cellId),
        notebookId: nb.id,
        cellId,
        state: 'running',
        executionCount: state.executionCount ?? undefined,
        startedAt: state.startedAt,
        runAs: state.runAs,
        ...(state.readiness ? { readiness: state.readiness } : {}),
      });
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
        touch();
        sendRunning(cellId);
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
        touch();
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
        touch();
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
      readiness: (cellId: string, readiness: CellReadiness) => {
        const state = nb.cellStates[cellId];
        if (state?.status !== 'running') return;
        nb.cellStates[cellId] = { ...state, readiness };
        sendRunning(cellId);
      },
    };
  }
}
