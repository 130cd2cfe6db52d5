import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CleanupLedger } from './cleanup-ledger.ts';
import { isAlive, processStartTime } from '../process/process-identity.ts';

function tempLedger(t: { after(fn: () => void): void }): CleanupLedger {
  const dir = mkdtempSync(join(tmpdir(), 'probebook-ledger-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return new CleanupLedger(join(dir, 'runs'));
}

test('a run that ended cleanly leaves nothing pending', (t) => {
  const ledger = tempLedger(t);
  const id = ledger.beginRun('/labs/a.ipynb', ['undo']);
  ledger.endRun(id);
  assert.deepEqual(ledger.pendingCleanups(), []);
});

test('a run of a live process is not pending; one of a dead process is', (t) => {
  const ledger = tempLedger(t);
  ledger.beginRun('/labs/a.ipynb', ['undo']);
  assert.deepEqual(ledger.pendingCleanups(), [], 'this process is alive');
  const id = ledger.beginRun('/labs/b.ipynb', ['c1', 'c2']);
  // Pretend the run belonged to a process that started at another time (a reused pid).
  const file = join(ledger.dir, `${id}.json`);
  writeFileSync(
    file,
    JSON.stringify({ runId: id, notebookPath: '/labs/b.ipynb', cleanupCellIds: ['c1', 'c2'], startedAt: 1, pid: process.pid, pidStartTime: '1' }),
  );
  const pending = ledger.pendingCleanups();
  assert.equal(pending.length, 1);
  assert.deepEqual(pending[0]!.cleanupCellIds, ['c1', 'c2']);
  assert.deepEqual(ledger.pendingCleanups('/labs/a.ipynb'), []);
  assert.equal(ledger.pendingCleanups('/labs/b.ipynb').length, 1);
});

test('entries are private to the user', (t) => {
  const ledger = tempLedger(t);
  const id = ledger.beginRun('/labs/a.ipynb', ['undo']);
  assert.equal(statSync(join(ledger.dir, `${id}.json`)).mode & 0o777, 0o600);
  assert.equal(statSync(ledger.dir).mode & 0o777, 0o700);
});

test('a torn entry is dropped instead of failing every open', (t) => {
  const ledger = tempLedger(t);
  writeFileSync(join(ledger.dir, '00000000-0000-0000-0000-000000000000.json'), '{"runId":');
  assert.deepEqual(ledger.pendingCleanups(), []);
});

test('endRun refuses something that is not a run id', (t) => {
  const ledger = tempLedger(t);
  assert.throws(() => ledger.endRun('../../etc/passwd'), /not a run id/);
});

test('process start time tells a live process from a gone one', () => {
  const mine = processStartTime(process.pid);
  assert.ok(mine);
  assert.equal(isAlive(process.pid, mine), true);
  assert.equal(isAlive(process.pid, '0'), false);
  assert.equal(isAlive(2 ** 22 + 1, null), false);
});

test('an abandoned run of a live process is pending at once, and ending it clears it', (t) => {
  const ledger = tempLedger(t);
  const id = ledger.beginRun('/labs/a.ipynb', ['undo']);
  assert.deepEqual(ledger.pendingCleanups(), [], 'running: not pending');
  ledger.abandonRun(id);
  const pending = ledger.pendingCleanups('/labs/a.ipynb');
  assert.equal(pending.length, 1, 'abandoned by a live process: pending');
  assert.deepEqual(pending[0]!.cleanupCellIds, ['undo']);
  ledger.endRun(id);
  assert.deepEqual(ledger.pendingCleanups(), []);
  ledger.abandonRun(id); // ended meanwhile: nothing comes back
  assert.deepEqual(ledger.pendingCleanups(), []);
});
