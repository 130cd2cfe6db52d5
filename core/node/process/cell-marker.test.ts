import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { needs } from '../../../test/support/needs.ts';
import { CELL_MARKER_ENV, pidsWithMarker } from './cell-marker.ts';

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
