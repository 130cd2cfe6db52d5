/**
 * A pwru cell on a kernel without kprobes (this CI's) says so plainly and points to the
 * tracepoint journey, instead of a failure that sends the student to install pwru, which could
 * not run here anyway. On a kernel with kprobes and no pwru, the cell says how to install it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { needs } from '../support/needs.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { repoRoot } from '../support/root.ts';

test('a pwru cell says plainly when the kernel has no kprobes, and points to the tracepoint journey', async (t) => {
  if (!needs(t, { root: true })) return;
  const dir = mkdtempSync(join(tmpdir(), 'pb-pwru-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeNotebook(dir, 'lab.ipynb', [{ source: "pwru --output-tuple 'dst port 53'" }]);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  const run = await execa(process.execPath, [join(repoRoot, 'bin/probebook.mjs'), 'run', 'lab.ipynb', '--out', 'out.ipynb', '-q'], {
    cwd: dir,
    env: { ...env, XDG_STATE_HOME: join(dir, '.state') },
    extendEnv: false,
    reject: false,
    timeout: 60_000,
  });
  assert.equal(run.exitCode, 1, run.stderr);
  const saved = JSON.parse(readFileSync(join(dir, 'out.ipynb'), 'utf8')) as {
    cells: { outputs: { output_type: string; ename?: string; evalue?: string }[] }[];
  };
  const error = saved.cells[0]!.outputs.find((o) => o.output_type === 'error');
  assert.ok(error, JSON.stringify(saved.cells[0]!.outputs));
  const kprobes = / register_kprobe$/m.test(readFileSync('/proc/kallsyms', 'latin1'));
  if (kprobes) {
    assert.equal(error.ename, 'MissingTool', 'with kprobes, a missing pwru is just a missing tool');
    return;
  }
  assert.equal(error.ename, 'KernelFeature');
  assert.match(error.evalue ?? '', /pwru needs kprobes, and this kernel has none/);
  assert.match(error.evalue ?? '', /bpf\/skb-journey\.bt/);
});
