// The shipped Lab 06 notebook end to end with `probebook run`: a real namespace and veth pair, an
// iperf3 server as a background cell, a background bpftrace tracer, iptables rules added by a
// TypeScript sweep through run(), a plot, and the cleanup cell removing everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { needs } from '../support/needs.ts';

const root = resolve(import.meta.dirname, '../..');
const notebook = join(root, 'notebooks/lab06-rule-chain.ipynb');

const namespaces = () => execFileSync('ip', ['netns', 'list']).toString();

test('Lab 06 runs headless: sweep table and plot, live latency prints, cleanup removes the namespace', async (t) => {
  if (!needs(t, { root: true, tools: ['ip', 'iptables', 'iperf3', 'bpftrace'] })) return;
  const ns = `pbt${process.pid % 100000}`;
  const dir = mkdtempSync(join(tmpdir(), 'pb-lab-'));
  t.after(() => {
    // Whatever happened, no namespace or veth of ours stays behind.
    if (namespaces().includes(ns)) execFileSync('ip', ['netns', 'del', ns]);
    try {
      execFileSync('ip', ['link', 'del', `${ns}-h`], { stdio: 'ignore' });
    } catch {
      /* gone with the namespace */
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const out = join(dir, 'lab06.ipynb');
  const env = { ...process.env, XDG_STATE_HOME: join(dir, 'state') }; // its own cleanup ledger, trust and backups
  const run = await new Promise<{ code: number; stderr: string }>((done) =>
    execFile(
      process.execPath,
      [join(root, 'bin/probebook.mjs'), 'run', notebook, '--out', out, '--param', `NS=${ns}`, '--param', 'STEPS=2', '--param', 'PER_STEP=200'],
      { timeout: 120_000, env },
      (error, _o, stderr) => done({ code: error ? Number(error.code) || 1 : 0, stderr }),
    ),
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /cleanup ok/);
  assert.doesNotMatch(namespaces(), new RegExp(`\\b${ns}\\b`), 'the cleanup cell removed the namespace');
  const leftovers = execFileSync('ps', ['-eo', 'stat=,args='])
    .toString()
    .split('\n')
    .filter((l) => !l.startsWith('Z') && /iperf3 -s -B 10\.206\.0\.2|probebook-bt-/.test(l));
  assert.deepEqual(leftovers, [], 'the background server and tracer are gone');

  execFileSync('/usr/bin/python3', ['-c', 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', out]);
  const nb = JSON.parse(readFileSync(out, 'utf8'));
  const byName = (name: string) => nb.cells.find((c: { metadata: { probebook?: { name?: string } } }) => c.metadata.probebook?.name === name);
  const sweep = byName('sweep').outputs;
  const table = sweep.find((o: { data?: Record<string, unknown> }) => o.data?.['application/vnd.probebook.table+json']).data[
    'application/vnd.probebook.table+json'
  ];
  assert.deepEqual(
    table.rows.map((r: { rules: number }) => r.rules),
    [1, 201, 401],
  );
  assert.ok(table.rows.every((r: { mbps: number }) => r.mbps > 0));
  assert.ok(
    sweep.some((o: { data?: Record<string, unknown> }) => o.data?.['application/vnd.plotly.v1+json']),
    'the sweep leaves a plotly figure',
  );
  const measured = byName('measure').outputs.find((o: { data?: Record<string, unknown> }) => o.data?.['application/vnd.plotly.v1+json']);
  assert.ok(measured, 'iperf3 -J in a shell cell gets its throughput/cwnd chart without TypeScript');
  assert.match(measured.data['text/plain'].join(''), /^iperf3: [\d.]+ Mbit\/s/);
  const prints = byName('latency').outputs.filter(
    (o: { data?: Record<string, { name: string }> }) => o.data?.['application/vnd.probebook.bpftrace+json']?.name === '@lat_ns',
  );
  assert.ok(prints.length >= 2, `${prints.length} interval prints of @lat_ns`);
  assert.match(byName('cleanup').outputs[0].text.join(''), new RegExp(`removed ${ns}`));
});
