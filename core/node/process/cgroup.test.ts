import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { needs } from '../../../test/support/needs.ts';
import { Cgroup } from './cgroup.ts';
import { detectContainment } from './detect-containment.ts';

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
