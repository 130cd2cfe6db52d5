import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { needs } from '../../../test/support/needs.ts';
import { createLocalExecutor } from '../run/local-executor.ts';
import { CleanupLedger } from '../session/cleanup-ledger.ts';
import { runCommand } from './run.ts';

async function run(
  t: { after(fn: () => void): void },
  metadata: object,
  extra: string[] = [],
): Promise<{
  code: number;
  nb: { metadata: { probebook: { environment: Record<string, unknown> & { recordedAt: string; hostname?: string }; parameters?: unknown } } };
  err: string;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'pb-run-env-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'lab.ipynb');
  writeFileSync(
    path,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata,
      cells: [{ id: 'a', cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: 'echo measured' }],
    }),
  );
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d) => (err += d));
  const code = await runCommand([path, '--inplace', ...extra], {
    executor: createLocalExecutor(),
    ledger: new CleanupLedger(join(dir, 'runs')),
    stderr,
    stdout: new PassThrough(),
  });
  return { code, nb: JSON.parse(readFileSync(path, 'utf8')), err };
}

test('probebook run records the environment behind the outputs in the file it writes, hostname only on request', async (t) => {
  if (!needs(t, { tools: ['bash'] })) return;
  const before = Date.now();
  const plain = await run(t, { probebook: { parameters: { N: 1 } } });
  assert.equal(plain.code, 0, plain.err);
  const env = plain.nb.metadata.probebook.environment;
  assert.deepEqual(plain.nb.metadata.probebook.parameters, { N: 1 }, 'the options stay');
  assert.deepEqual(Object.keys(env).sort(), ['cpus', 'distribution', 'features', 'kernel', 'recordedAt', 'tools']);
  assert.ok(Date.parse(env.recordedAt) >= before - 1000 && Date.parse(env.recordedAt) <= Date.now());
  assert.equal(typeof env.cpus, 'number');

  const asked = await run(t, {}, ['--record-hostname']);
  assert.equal(asked.nb.metadata.probebook.environment.hostname, hostname());
  const byNotebook = await run(t, { probebook: { recordHostname: true } });
  assert.equal(byNotebook.nb.metadata.probebook.environment.hostname, hostname());
});
