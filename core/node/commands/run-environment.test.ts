import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { hasTool, isRoot, needs } from '../../../test/support/needs.ts';
import { createLocalExecutor } from '../run/local-executor.ts';
import { CleanupLedger } from '../session/cleanup-ledger.ts';
import { runCommand } from './run.ts';

type Written = { metadata: { probebook: { environment: Record<string, unknown> & { recordedAt: string; hostname?: string }; parameters?: unknown } } };

/** Runs the notebook `text` through `probebook run --inplace` with real local kernels; the file it wrote. */
async function runFile(
  t: { after(fn: () => void): void },
  text: string,
  extra: string[] = [],
): Promise<{ code: number; nb: Written; text: string; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pb-run-env-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  process.env.XDG_STATE_HOME = join(dir, 'state'); // the run's trust signature goes here, not into the user's store
  const path = join(dir, 'lab.ipynb');
  writeFileSync(path, text);
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d) => (err += d));
  const code = await runCommand([path, '--inplace', ...extra], {
    executor: createLocalExecutor(),
    ledger: new CleanupLedger(join(dir, 'runs')),
    stderr,
    stdout: new PassThrough(),
  });
  const written = readFileSync(path, 'utf8');
  return { code, nb: JSON.parse(written), text: written, err };
}

function run(t: { after(fn: () => void): void }, metadata: object, extra: string[] = []) {
  const cells = [{ id: 'a', cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: 'echo measured' }];
  return runFile(t, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata, cells }), extra);
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

test("a VS Code Polyglot notebook runs where its cells' languages are ours, refuses the others by name, and keeps every tool's metadata", async (t) => {
  if (!needs(t, { tools: ['bash'] })) return;
  const fixture = readFileSync(join(import.meta.dirname, '../../../test/fixtures/notebooks/vscode-polyglot.ipynb'), 'utf8');
  const withBpftrace = isRoot && hasTool('bpftrace');
  const source = JSON.parse(fixture) as { cells: { id: string }[] };
  if (!withBpftrace) source.cells = source.cells.filter((c) => c.id !== 'vsbt');
  const { nb, err } = await runFile(t, JSON.stringify(source), ['--allow-errors']);
  type Cell = { id: string; metadata: Record<string, unknown>; outputs: { text?: string[]; ename?: string; evalue?: string }[] };
  const cells = (nb as unknown as { cells: Cell[] }).cells;
  const text = (id: string) =>
    cells
      .find((c) => c.id === id)!
      .outputs.map((o) => (o.text ?? []).join('') || `${o.ename}: ${o.evalue}`)
      .join('');
  assert.equal(text('vsshell'), 'from-vscode-shell\n', err);
  assert.equal(text('vsts'), 'ts 42\n');
  assert.equal(text('pgsh'), 'polyglot-bash\n');
  assert.match(text('cs'), /csharp \(metadata\.polyglot_notebook\.kernelName, written by Polyglot Notebooks\), which Probebook does not run/);
  if (withBpftrace) assert.ok(cells.find((c) => c.id === 'vsbt')!.outputs.length > 0, 'the bpftrace cell ran');
  const original = JSON.parse(fixture) as { metadata: Record<string, unknown>; cells: Cell[] };
  for (const cell of original.cells.filter((c) => cells.some((w) => w.id === c.id))) {
    const written = cells.find((c) => c.id === cell.id)!;
    for (const [key, value] of Object.entries(cell.metadata)) assert.deepEqual(written.metadata[key], value, `${cell.id}: metadata.${key} kept`);
  }
  const metadata = (nb as unknown as { metadata: Record<string, unknown> }).metadata;
  for (const key of ['kernelspec', 'language_info', 'polyglot_notebook']) assert.deepEqual(metadata[key], original.metadata[key], `metadata.${key} kept`);
});
