/**
 * Cleanup cells and the ledger, end to end through the kernel host: cleanup runs after success
 * and after a failed cell; a run killed by SIGKILL leaves its cleanup pending in the ledger, the
 * next start reports it, and running it clears it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../support/needs.ts';
import { CleanupLedger } from '../../core/node/session/cleanup-ledger.ts';
import { KernelHostClient } from '../../core/node/kernel-host/kernel-host-client.ts';
import { kernelHostUnderTest, startApp, waitGone } from '../support/root.ts';

function workspace(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'probebook-ledger-it-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, 'state');
  return {
    dir,
    notebook: join(dir, 'lab.ipynb'),
    marker: join(dir, 'cleaned-up'),
    env: { ...process.env, XDG_STATE_HOME: state },
    ledger: () => new CleanupLedger(join(state, 'probebook', 'runs')),
  };
}

test('cleanup cells run after the run succeeded, and after a cell failed; nothing stays pending', async (t) => {
  if (!needs(t, { root: true })) return;
  for (const first of ['true', 'exit 3']) {
    const w = workspace(t);
    const app = startApp(
      [
        { cellId: 'setup', language: 'shell', code: first },
        { cellId: 'undo', language: 'shell', code: `touch ${w.marker}`, cleanup: true },
      ],
      { env: { ...w.env, PROBEBOOK_TEST_NOTEBOOK: w.notebook } },
    );
    t.after(() => app.child.kill('SIGKILL'));
    await app.waitFor((l) => !!l.done);
    const setup = app.lines.find((l) => l.cellId === 'setup' && l.ended)!;
    assert.equal(setup.ended!.status, first === 'true' ? 'ok' : 'failed');
    assert.ok(existsSync(w.marker), `the cleanup cell ran after "${first}"`);
    assert.deepEqual(w.ledger().pendingCleanups(), []);
  }
});

test('a run killed by SIGKILL leaves its cleanup pending; the next start reports it and runs it', async (t) => {
  if (!needs(t, { root: true })) return;
  const w = workspace(t);
  const app = startApp(
    [
      { cellId: 'setup', language: 'shell', code: 'echo started; sleep 60' },
      { cellId: 'undo-iptables', language: 'shell', code: `touch ${w.marker}`, cleanup: true },
    ],
    { env: { ...w.env, PROBEBOOK_TEST_NOTEBOOK: w.notebook } },
  );
  t.after(() => app.child.kill('SIGKILL'));
  const welcome = (await app.waitFor((l) => !!l.welcome)).welcome!;
  await app.waitFor((l) => l.cellId === 'setup' && l.text === 'started\n');
  app.child.kill('SIGKILL');
  await app.exited;
  await waitGone([welcome.pid], 3000);
  assert.equal(existsSync(w.marker), false, 'the crash skipped the cleanup');

  // Next start: the ledger offers the cleanup of that notebook's unfinished run.
  const ledger = w.ledger();
  const pending = ledger.pendingCleanups(w.notebook);
  assert.equal(pending.length, 1);
  assert.equal(pending[0]!.notebookPath, w.notebook);
  assert.deepEqual(pending[0]!.cleanupCellIds, ['undo-iptables']);
  assert.equal(pending[0]!.pid, app.child.pid);

  // The user accepts: the cleanup cell runs, and the run is cleared.
  const client = await KernelHostClient.start({ ...kernelHostUnderTest(), forwardStderr: null, onAudit: () => undefined });
  t.after(() => client.dispose());
  const result = await client.execute({
    notebookKey: 'lab',
    notebookPath: w.notebook,
    cellId: 'undo-iptables',
    language: 'shell',
    code: `touch ${w.marker}`,
    cwd: w.dir,
    env: {},
    args: [],
    signal: new AbortController().signal,
    sink: { stream: () => undefined, display: () => undefined, update: () => undefined, clear: () => undefined, error: () => undefined },
  });
  assert.equal(result.status, 'ok');
  assert.ok(existsSync(w.marker));
  ledger.endRun(pending[0]!.runId);
  assert.deepEqual(ledger.pendingCleanups(), []);
});
