import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { waitGone } from '../../../test/support/root.ts';
import { CELL_MARKER_ENV } from './cell-marker.ts';

/** A real owner: a process that starts the reaper, tells it `pgids`, prints its pid, and waits to be killed. */
function startOwner(t: { after(fn: () => unknown): void }, cgroupPath: string | null, marker: string, pgids: number[]) {
  const owner = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `
      import { startReaper } from ${JSON.stringify(join(import.meta.dirname, 'reaper.ts'))};
      const reaper = startReaper(${JSON.stringify(cgroupPath)}, ${JSON.stringify(marker)});
      for (const pgid of ${JSON.stringify(pgids)}) reaper.watch(pgid);
      process.stdout.write(reaper.pid + '\\n');
      setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.after(() => owner.kill('SIGKILL'));
  return new Promise<{ owner: ChildProcess; reaperPid: number }>((resolve) =>
    owner.stdout!.once('data', (d: Buffer) => resolve({ owner, reaperPid: Number(String(d).trim()) })),
  );
}

/** A `sleep` to be reaped, and a promise of the signal that ended it. */
function sleeper(t: { after(fn: () => unknown): void }, options: { detached?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn('sleep', ['30'], { stdio: 'ignore', ...options });
  t.after(() => child.kill('SIGKILL'));
  const ended = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  return { pid: child.pid!, ended };
}

test('when its owner dies, the reaper kills the process groups it was told about and every process with the session marker', async (t) => {
  const session = `test-${randomUUID()}`;
  const group = sleeper(t, { detached: true });
  const marked = sleeper(t, { env: { ...process.env, [CELL_MARKER_ENV]: `${session}.1` } });
  const bystander = sleeper(t);
  const { owner, reaperPid } = await startOwner(t, null, `${CELL_MARKER_ENV}=${session}.`, [group.pid]);
  owner.kill('SIGKILL');
  assert.equal(await group.ended, 'SIGKILL');
  assert.equal(await marked.ended, 'SIGKILL');
  await waitGone([reaperPid], 5000);
  assert.equal(process.kill(bystander.pid, 0), true, 'a process of no cell lives on');
});

test('without cgroup.kill (Linux < 5.14), the reaper kills every pid listed in the cgroup and below', async (t) => {
  // A folder shaped like a cgroup without cgroup.kill: the reaper's fallback reads cgroup.procs files.
  const cgroup = mkdtempSync(join(tmpdir(), 'probebook-reaper-'));
  t.after(() => rmSync(cgroup, { recursive: true, force: true }));
  const top = sleeper(t);
  const below = sleeper(t);
  writeFileSync(join(cgroup, 'cgroup.procs'), `${top.pid}\n`);
  mkdirSync(join(cgroup, 'cell-1'));
  writeFileSync(join(cgroup, 'cell-1', 'cgroup.procs'), `${below.pid}\n`);
  const { owner } = await startOwner(t, cgroup, `${CELL_MARKER_ENV}=none-${randomUUID()}.`, []);
  owner.kill('SIGKILL');
  assert.equal(await top.ended, 'SIGKILL');
  assert.equal(await below.ended, 'SIGKILL');
});
