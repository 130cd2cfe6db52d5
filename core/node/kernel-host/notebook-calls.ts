/**
 * `cell()` and `run()` of the TypeScript cells the kernel host runs: the notebook lives in the
 * session host, so each call goes there as a `kernel_notebook_call` and waits for its
 * `kernel_notebook_result`.
 */
import { randomUUID } from 'node:crypto';
import type { KernelMessage, KernelRequest } from '../../common/protocol.ts';
import type { CellSnapshot, NotebookAccess } from '../kernels/kernel.ts';

/** A call of a running TypeScript cell, waiting for the session host's answer. */
interface NotebookCall {
  requestId: string;
  resolve(value: CellSnapshot): void;
  reject(error: Error): void;
}

export class NotebookCalls {
  readonly #send: (message: KernelMessage) => void;
  readonly #calls = new Map<string, NotebookCall>();

  constructor(send: (message: KernelMessage) => void) {
    this.#send = send;
  }

  /** The notebook as the cells of execution `requestId` see it. */
  accessFor(requestId: string): NotebookAccess {
    const call = (method: 'cell' | 'run', name: string, params?: Record<string, string>) =>
      new Promise<CellSnapshot>((resolve, reject) => {
        const callId = randomUUID();
        this.#calls.set(callId, { requestId, resolve, reject });
        this.#send({ type: 'kernel_notebook_call', requestId, callId, method, name, ...(params ? { params } : {}) });
      });
    return { cellOutputs: (name) => call('cell', name), runCell: (name, params) => call('run', name, params) };
  }

  /** The session host answered a call. */
  answer(result: Extract<KernelRequest, { type: 'kernel_notebook_result' }>): void {
    const call = this.#calls.get(result.callId);
    if (!call) return; // the cell ended meanwhile: its calls were rejected then
    this.#calls.delete(result.callId);
    if (result.error !== undefined) call.reject(new Error(result.error));
    else call.resolve(result.value as unknown as CellSnapshot);
  }

  /** A cell that ended gets no answers any more: its open calls fail. */
  endFor(requestId: string): void {
    for (const [callId, call] of this.#calls) {
      if (call.requestId !== requestId) continue;
      this.#calls.delete(callId);
      call.reject(new Error('the cell ended before the notebook answered'));
    }
  }
}
