import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executionStatus } from './execution-status.ts';

test('a cell the run counts as done is ok even when its timeout stopped it; otherwise it is what it ended as', () => {
  assert.equal(executionStatus({ success: true, status: 'ok' }), 'ok');
  assert.equal(executionStatus({ success: true, status: 'interrupted' }), 'ok');
  assert.equal(executionStatus({ success: false, status: 'interrupted' }), 'interrupted');
  assert.equal(executionStatus({ success: false, status: 'failed' }), 'failed');
  assert.equal(executionStatus({ success: false, status: 'ok' }), 'failed', 'what the run does not count as done is never ok');
});
