import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { needs } from '../../../test/support/needs.ts';
import { CELL_MARKER_ENV, Cgroup, detectContainment, findCgroup2Mount, pidsWithMarker } from './cgroup.ts';

test('finds the cgroup v2 mount on hybrid and pure v2 systems', () => {
  const hybrid = 'tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n';
  assert.equal(findCgroup2Mount(hybrid), '/sys/fs/cgroup/unified');
  assert.equal(findCgroup2Mount('cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0\n'), '/sys/fs/cgroup');
  assert.equal(findCgroup2Mount('cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n'), null);
});

test('finds every process of an execution by its marker, a setsid child included', async (t) => {
  if (!needs(t, { tools: ['setsid'] })) return;
  const token = `test.${randomUUID()}`;
  const child = execa('sh', ['-c', 'setsid sleep 30 & echo $!; wait'], { env: { [CELL_MARKER_ENV]: token }, reject: false, buffer: false });
  t.after(() => child.kill('SIGKILL'));
  const escaped = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  t.after(() => {
    try {
      process.kill(escaped, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  const found = pidsWithMarker(token);
  assert.ok(found.includes(child.pid!), 'the shell');
  assert.ok(found.includes(escaped), 'the setsid child');
  assert.deepEqual(pidsWithMarker(`${token}x`), []);
  assert.ok(pidsWithMarker(token.slice(0, -3), undefined, true).includes(escaped), 'prefix match');
});

test('killing a cgroup stops everything in it, a setsid child included, and it can be removed', async (t) => {
  const info = detectContainment();
  if (!needs(t, { root: true, tools: ['setsid'], check: () => (info.mode === 'cgroup2' ? null : `a writable cgroup v2 (${info.reason})`) })) return;
  const cgroup = new Cgroup(join(info.v2Mount!, 'probebook', `unit-${randomUUID()}`));
  mkdirSync(cgroup.path, { recursive: true });
  t.after(() => cgroup.remove());
  // The shell waits for a line before forking, so the adoption happens first (as onSpawn does).
  const child = execa('sh', ['-c', 'read go; setsid sleep 30 & echo $!; wait'], { reject: false, buffer: false, stdin: 'pipe' });
  cgroup.adopt(child.pid!);
  child.stdin!.write('go\n');
  const escaped = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  assert.deepEqual(cgroup.pids().sort(), [child.pid!, escaped].sort());
  assert.equal(cgroup.populated(), true);
  cgroup.kill();
  assert.equal(await cgroup.waitEmpty(3000), true);
  assert.equal((await child).signal, 'SIGKILL');
  assert.equal(cgroup.remove(), true);
});
