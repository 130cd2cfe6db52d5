import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MenuCommandId } from '../../core/common/bridge.ts';
import { CommandQueue, MAX_QUEUED_COMMANDS } from './command-queue.ts';

test('holds commands until the page connects, then delivers them in order', () => {
  const queue = new CommandQueue();
  const delivered: MenuCommandId[] = [];
  queue.push('notebook.open');
  queue.push('cell.run');
  assert.equal(queue.size, 2);
  queue.connect((c) => delivered.push(c));
  assert.deepEqual(delivered, ['notebook.open', 'cell.run']);
  assert.equal(queue.size, 0);
  queue.push('notebook.save');
  assert.deepEqual(delivered, ['notebook.open', 'cell.run', 'notebook.save']);
});

test('queues again while the page reloads, and a new connection gets what waited', () => {
  const queue = new CommandQueue();
  const first: MenuCommandId[] = [];
  const second: MenuCommandId[] = [];
  queue.connect((c) => first.push(c));
  queue.disconnect();
  queue.push('notebook.runAll');
  assert.deepEqual(first, []);
  queue.connect((c) => second.push(c));
  assert.deepEqual(second, ['notebook.runAll']);
});

test('keeps only the newest commands when a page never connects', () => {
  const queue = new CommandQueue();
  for (let i = 0; i < MAX_QUEUED_COMMANDS + 5; i++) queue.push(i === MAX_QUEUED_COMMANDS + 4 ? 'notebook.save' : 'cell.run');
  assert.equal(queue.size, MAX_QUEUED_COMMANDS);
  const delivered: MenuCommandId[] = [];
  queue.connect((c) => delivered.push(c));
  assert.equal(delivered.at(-1), 'notebook.save');
});
