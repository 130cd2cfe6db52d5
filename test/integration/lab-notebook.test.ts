/**
 * The shipped Lab 06 notebook end to end with `probebook run`, checked for its effect: a coarser sweep
 * (500 rules a step up to 3,000, 2 s iperf3 runs) must show the per-packet netfilter cost rising with
 * the rule count and throughput falling, its two-panel figure, the timeline with rules injected into a
 * running transfer, and nothing left behind: no namespace, veth, rule or process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { needs } from '../support/needs.ts';
import { repoRoot } from '../support/root.ts';

const cli = join(repoRoot, 'bin/probebook.mjs');
const notebook = join(repoRoot, 'notebooks/lab06-rule-chain.ipynb');
const sweepParams = { STEP: 500, MAX: 3000, DURATION: 2, OMIT: 1, PROBES: 2000, TIMELINE: 12 };

interface SavedOutput {
  output_type: string;
  name?: string;
  data?: Record<string, unknown>;
  text?: string | string[];
}
interface Row {
  rules: number;
  mbps: number;
  cost_ns: number;
  probes: number;
}
interface Trace {
  name: string;
  x: number[];
  y: (number | null)[];
  xaxis?: string;
  yaxis?: string;
}
interface Figure {
  data: Trace[];
  layout: {
    grid?: { rows: number };
    yaxis?: { domain?: number[] };
    yaxis3?: { domain?: number[] };
    shapes?: { type: string; x0: number; x1: number }[];
  };
}

const text = (value: unknown) => (Array.isArray(value) ? value.join('') : String(value ?? ''));
const namespaces = () =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0]);
const linkExists = (name: string) => {
  try {
    execFileSync('ip', ['link', 'show', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  return xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
}
/**
 * Spearman's rank correlation of y with x (distinct values): 1 when y rises with x step for step.
 * Ranks, not a line: a step measured while the machine was busy moves one rank, not the verdict.
 */
function rankCorrelation(xs: number[], ys: number[]): number {
  const ranks = (v: number[]) => {
    const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    order.forEach(([, i], k) => {
      r[i] = k + 1;
    });
    return r;
  };
  const rx = ranks(xs);
  const ry = ranks(ys);
  const n = xs.length;
  return 1 - (6 * rx.reduce((s, r, i) => s + (r - ry[i]!) ** 2, 0)) / (n * (n * n - 1));
}

/** Live processes whose command line contains `needle`, or whose name is `comm` (read from /proc). */
function processesWith(needle: RegExp, comm: string): string[] {
  const found: string[] = [];
  for (const pid of execFileSync('ls', ['/proc'], { encoding: 'utf8' }).split('\n')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z' && (needle.test(args) || name === comm)) found.push(`${pid} ${name}: ${args}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

test('Lab 06 rule chain: per-packet cost rises with the rules, throughput falls, two-panel figures, nothing left behind', async (t) => {
  if (!needs(t, { root: true, tools: ['ip', 'iptables', 'iptables-restore', 'iperf3', 'bpftrace', 'ss'] })) return;
  const ns = `pbt${process.pid % 100000}`;
  const dir = mkdtempSync(join(tmpdir(), 'pb-lab-'));
  t.after(() => {
    // Whatever happened, no namespace or veth of ours stays behind.
    if (namespaces().includes(ns)) execFileSync('ip', ['netns', 'del', ns]);
    if (linkExists(`${ns}-h`)) execFileSync('ip', ['link', 'del', `${ns}-h`]);
    rmSync(dir, { recursive: true, force: true });
  });
  const out = join(dir, 'lab06.ipynb');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  const params = Object.entries({ NS: ns, ...sweepParams }).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
  const started = Date.now();
  const run = await execa(process.execPath, [cli, 'run', notebook, '--out', out, ...params], {
    env: { ...env, XDG_STATE_HOME: join(dir, 'state') }, // its own cleanup ledger, trust and backups
    extendEnv: false,
    reject: false,
    timeout: 240_000,
  });
  t.diagnostic(`probebook run took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.match(run.stderr, /cleanup ok/);
  // Run All went on once the server listened and the tracer's probes were attached (no wait loops in the notebook).
  assert.match(run.stderr, /server ready after/);
  assert.match(run.stderr, /tracer ready after/);

  // Nothing left: the namespace (and with it every rule), the host's veth end, the processes.
  assert.ok(!namespaces().includes(ns), 'the cleanup cell removed the namespace');
  assert.ok(!linkExists(`${ns}-h`), "the host's veth end went with the namespace");
  assert.doesNotMatch(execFileSync('iptables-save', { encoding: 'utf8' }), /BLOAT|198\.1[89]\./, 'no filler rule in the host');
  assert.deepEqual(processesWith(new RegExp(`\\b${ns}\\b|iperf3 -s -B 10\\.206\\.0\\.2`), ns), [], 'server, tracer and probes are gone');

  execFileSync('/usr/bin/python3', ['-c', 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', out]);
  assert.ok(existsSync(out));
  const nb = JSON.parse(readFileSync(out, 'utf8')) as { cells: { metadata: { probebook?: { name?: string } }; outputs?: SavedOutput[] }[] };
  const outputsOf = (name: string) => nb.cells.find((c) => c.metadata.probebook?.name === name)?.outputs ?? [];
  const dataOf = (name: string, mime: string) => outputsOf(name).flatMap((o) => (o.data?.[mime] ? [o.data[mime]] : []));

  // The sweep: one row per step, every probe seen by the tracer.
  const [sweepTable] = dataOf('sweep', 'application/vnd.probebook.table+json') as { rows: Row[] }[];
  assert.ok(sweepTable, text(outputsOf('sweep').map((o) => o.text ?? '')));
  const rows = sweepTable.rows;
  t.diagnostic(rows.map((r) => `${r.rules} rules: ${r.mbps} Mbit/s, ${r.cost_ns} ns`).join('; '));
  assert.deepEqual(
    rows.map((r) => r.rules),
    [0, 500, 1000, 1500, 2000, 2500, 3000],
  );
  assert.ok(
    rows.every((r) => r.probes === sweepParams.PROBES),
    'the tracer timed every probe datagram to its NETFILTER_DROP',
  );

  // The effect: the per-packet cost rises with the rules, in order (rank correlation), by far more than noise…
  const rules = rows.map((r) => r.rules);
  const cost = rows.map((r) => r.cost_ns);
  assert.ok(cost.at(-1)! > 3 * cost[0]!, `3,000 rules cost ${cost.at(-1)} ns per packet, an empty chain ${cost[0]} ns: expected more than ×3`);
  assert.ok(slope(rules, cost) > 1, `cost rises by ${slope(rules, cost).toFixed(2)} ns per rule`);
  // Rank correlation 0.6 lets two neighbouring steps swap (a run under two CPU burners swapped 2,000 and 2,500 rules: 0.71).
  assert.ok(rankCorrelation(rules, cost) >= 0.6, `cost does not rise with the rules: rank correlation ${rankCorrelation(rules, cost).toFixed(2)} (${cost})`);
  assert.ok(
    mean(cost.slice(-3)) > 1.5 * mean(cost.slice(0, 3)),
    `the three longest chains cost ${mean(cost.slice(-3)).toFixed(0)} ns a packet, the three shortest ${mean(cost.slice(0, 3)).toFixed(0)} ns`,
  );
  // …and throughput falls: a negative trend, the three longest chains slower than the three shortest
  // (three runs a side: one iperf3 run on a busy machine can be off by a fifth either way).
  const mbps = rows.map((r) => r.mbps);
  assert.ok(slope(rules, mbps) < 0, `throughput trend ${slope(rules, mbps).toFixed(3)} Mbit/s per rule`);
  assert.ok(
    mean(mbps.slice(-3)) < mean(mbps.slice(0, 3)),
    `throughput with 2,000–3,000 rules (${mbps.slice(-3)}) is not below 0–1,000 rules' (${mbps.slice(0, 3)})`,
  );

  // The seed's figure: throughput and cost against the rules, one figure, two panels.
  const [sweepFigure] = dataOf('sweep', 'application/vnd.plotly.v1+json') as Figure[];
  assert.ok(sweepFigure, 'the sweep leaves a plotly figure');
  assert.equal(sweepFigure.layout.grid?.rows, 2);
  assert.deepEqual(sweepFigure.data[0]!.y, mbps, 'top panel: throughput');
  assert.deepEqual(sweepFigure.data[1]!.y, cost, 'bottom panel: cost');
  assert.equal(sweepFigure.data[1]!.yaxis, 'y2');

  // The timeline: one long run, the cost stepping up inside the shaded injection window.
  const [timeline] = dataOf('timeline', 'application/vnd.plotly.v1+json') as Figure[];
  assert.ok(timeline, text(outputsOf('timeline').map((o) => o.text ?? '')));
  const [top, bottom] = [timeline.layout.yaxis!.domain!, timeline.layout.yaxis3!.domain!];
  assert.ok(bottom[1]! <= top[0]!, 'two panels, one above the other');
  const shade = timeline.layout.shapes?.find((s) => s.type === 'rect');
  assert.ok(shade && shade.x0 < shade.x1, 'the injection window is shaded');
  const throughput = timeline.data.find((d) => d.name.startsWith('throughput'))!;
  assert.ok(throughput.x.length >= sweepParams.TIMELINE - 1, `one long run: ${throughput.x.length} one-second intervals`);
  const costs = timeline.data.find((d) => d.yaxis === 'y3')!;
  const at = (keep: (x: number) => boolean) => mean(costs.y.filter((_, i) => keep(costs.x[i]!)) as number[]);
  const before = at((x) => x < shade.x0);
  const after = at((x) => x > shade.x1);
  assert.ok(after > 3 * before, `cost per packet ${before.toFixed(0)} ns before the injection, ${after.toFixed(0)} ns after`);

  assert.match(text(outputsOf('cleanup')[0]?.text), new RegExp(`removed ${ns}`));
});
