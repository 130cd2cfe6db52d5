import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KernelMessage } from '../../common/protocol.ts';
import type { CellSnapshot } from '../kernels/kernel.ts';
import { NotebookCalls } from './notebook-calls.ts';

type Call = Extract<KernelMessage, { type: 'kernel_notebook_call' }>;

test('a cell() call goes out as kernel_notebook_call and resolves with its answer', async () => {
  const sent: Call[] = [];
  const calls = new NotebookCalls((m) => sent.push(m as Call));
  const pending = calls.accessFor('r1').cellOutputs('measure');
  assert.equal(sent.length, 1);
  assert.deepEqual({ ...sent[0], callId: undefined }, { type: 'kernel_notebook_call', requestId: 'r1', callId: undefined, method: 'cell', name: 'measure' });
  const value = { name: 'measure', status: 'ok' } as unknown as CellSnapshot;
  calls.answer({ type: 'kernel_notebook_result', callId: sent[0]!.callId, value: value as never });
  assert.deepEqual(await pending, value);
});

test('a run() call fails with the error the notebook answered, and with the cell that made it', async () => {
  const sent: Call[] = [];
  const calls = new NotebookCalls((m) => sent.push(m as Call));
  const failed = calls.accessFor('r1').runCell('setup', { N: '2' });
  assert.deepEqual(sent[0]?.params, { N: '2' });
  calls.answer({ type: 'kernel_notebook_result', callId: sent[0]!.callId, error: 'no cell is named "setup"' });
  await assert.rejects(failed, /no cell is named "setup"/);

  const other = calls.accessFor('r2').cellOutputs('a');
  const mine = calls.accessFor('r1').cellOutputs('b');
  calls.endFor('r1');
  await assert.rejects(mine, /the cell ended before the notebook answered/);
  calls.answer({ type: 'kernel_notebook_result', callId: sent[1]!.callId, value: { name: 'a' } as never });
  assert.deepEqual(await other, { name: 'a' });
});
