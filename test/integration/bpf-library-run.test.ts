/**
 * Every program of the script library (bpf/*.bt) on this machine's bpftrace (0.17 on Debian 12):
 * - compiles: `bpftrace -d FILE ARGS` (0.17's dry run: parse, semantic analysis against the kernel's
 *   tracepoint formats and BTF types, LLVM code generation; no BPF verifier, nothing attached). That is
 *   all a kprobe program gets where the kernel has no kprobes;
 * - a tracepoints-only program also runs: it attaches (bpftrace's attached_probes event), real traffic
 *   in a namespace of the test's own triggers its events, and stopped with SIGINT it exits 0 having
 *   printed what that traffic should make it print.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBtHeader } from '../../core/node/bpf/bpf-library.ts';
import { needs } from '../support/needs.ts';
import { repoRoot } from '../support/root.ts';

const bpf = join(repoRoot, 'bpf');
const scripts = readdirSync(bpf)
  .filter((f) => f.endsWith('.bt'))
  .sort();
const ns = `pbbt${process.pid % 100000}`;
const port = 30000 + (process.pid % 20000);

/** The example arguments of a header's Usage line: `bpftrace bpf/x.bt 0 (…)` → ['0']. */
function usageArgs(usage: string): string[] {
  const words = usage.replace(/\(.*$/, '').trim().split(/\s+/).slice(2);
  return words.map((w) => (w === '""' ? '' : w));
}

/** The last print of a map in bpftrace's JSON output: its entries by key. */
function mapOf(out: string, name: string): Record<string, unknown> {
  let found: Record<string, unknown> = {};
  for (const line of out.split('\n')) {
    if (!line.startsWith('{"type": "map"') && !line.startsWith('{"type": "hist"') && !line.startsWith('{"type": "stats"')) continue;
    const data = (JSON.parse(line) as { data: Record<string, Record<string, unknown>> }).data;
    if (data[name]) found = data[name]!;
  }
  return found;
}

/** What the test's traffic must make each library program print (other programs: attach and stop cleanly). */
const RUN: Record<string, { args: string[]; saw: (out: string) => boolean }> = {
  'flows.bt': { args: [String(port)], saw: (o) => /"close +\d+ +\d+ +iperf3 /.test(o) },
  'conn-track.bt': { args: [String(port)], saw: (o) => /"open +\d+ +iperf3 +connect /.test(o) },
  // NO_SOCKET (3 on 6.x kernels): the refused connection's SYN.
  'drops.bt': { args: [], saw: (o) => Object.keys(mapOf(o, '@drops')).some((k) => /^3,tcp_v4_rcv,/.test(k)) },
  'dev-queue.bt': { args: ['lo'], saw: (o) => Number(mapOf(o, '@packets').lo) > 0 && Array.isArray(mapOf(o, '@queue_to_xmit_ns').lo) },
  'send-latency.bt': { args: ['iperf3'], saw: (o) => Array.isArray(mapOf(o, '@send_ns')['iperf3,tcp']) },
  'chain-cost.bt': { args: ['lo'], saw: (o) => Number((mapOf(o, '@drop_ns')['3'] as { count?: number } | undefined)?.count) > 0 },
  'skb-journey.bt': { args: ['127.0.0.1', String(port)], saw: (o) => / match proto=6 saddr=127\.0\.0\.1/.test(o) },
};

const sh = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('every library program compiles on this bpftrace (dry run: parse, types, code generation)', async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace'] })) return;
  for (const script of scripts) {
    const header = parseBtHeader(readFileSync(join(bpf, script), 'utf8'));
    const args = usageArgs(header.fields.Usage ?? '');
    const child = spawn('bpftrace', ['-d', join(bpf, script), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    const errors = stderr.split('\n').filter((l) => /ERROR/.test(l) && !/RLIMIT_MEMLOCK/.test(l));
    assert.equal(code, 0, `${script} ${args.join(' ')}: ${stderr}`);
    assert.deepEqual(errors, [], script);
  }
});

test('every tracepoints-only library program attaches, sees the traffic the test makes, and stops with its maps', async (t) => {
  if (!needs(t, { root: true, tools: ['bpftrace', 'ip', 'iperf3'] })) return;
  const tracepointOnly = scripts.filter((s) => /tracepoints only/.test(parseBtHeader(readFileSync(join(bpf, s), 'utf8')).fields.Requires ?? ''));
  assert.ok(tracepointOnly.length >= 6, tracepointOnly.join(', '));
  const running: { script: string; child: ChildProcess; out: string; probes: number; exit: Promise<[number | null]> }[] = [];
  t.after(() => {
    for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    try {
      sh('ip', 'netns', 'del', ns);
    } catch {}
  });
  sh('ip', 'netns', 'add', ns);
  sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');

  for (const script of tracepointOnly) {
    const header = parseBtHeader(readFileSync(join(bpf, script), 'utf8'));
    const args = RUN[script]?.args ?? usageArgs(header.fields.Usage ?? '');
    const child = spawn('bpftrace', ['-f', 'json', '-B', 'none', join(bpf, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const r = { script, child, out: '', probes: 0, exit: once(child, 'exit') as Promise<[number | null]> };
    child.stdout!.on('data', (d) => {
      r.out += d;
      const attached = /"attached_probes", "data": \{"probes": (\d+)\}/.exec(r.out);
      if (attached) r.probes = Number(attached[1]);
    });
    child.stderr!.on('data', (d) => (r.out += d));
    running.push(r);
  }
  const until = async (what: string, ok: () => boolean, ms: number) => {
    for (const end = Date.now() + ms; !ok(); await new Promise((resolve) => setTimeout(resolve, 50))) {
      if (Date.now() > end) assert.fail(`${what} within ${ms / 1000} s:\n${running.map((r) => `${r.script}: ${r.out.slice(0, 2000)}`).join('\n')}`);
    }
  };
  await until('every program attached', () => running.every((r) => r.probes > 0 || r.child.exitCode !== null), 60_000);
  for (const r of running) {
    // bpftrace's "Attaching N probes": at least one per probe the header lists (BEGIN and END count too).
    const listed = (parseBtHeader(readFileSync(join(bpf, r.script), 'utf8')).fields.Probes ?? '').split(/,\s*/).length;
    assert.ok(r.probes >= listed, `${r.script} attached ${r.probes} probes, its header lists ${listed}: ${r.out}`);
  }

  // The traffic: a TCP transfer with iperf3, a refused connection, and datagrams from a process named
  // lo (chain-cost.bt's probe is named after the device it traces, here lo) to a port nothing listens on;
  // all on the namespace's loopback.
  const server = spawn('ip', ['netns', 'exec', ns, 'iperf3', '-s', '-1', '-p', String(port)], { stdio: 'ignore' });
  running.push({ script: 'iperf3 server', child: server, out: '', probes: 1, exit: once(server, 'exit') as Promise<[number | null]> });
  await until('iperf3 listening', () => sh('ip', 'netns', 'exec', ns, 'ss', '-Hltn', `sport = :${port}`).trim() !== '', 10_000);
  sh('ip', 'netns', 'exec', ns, 'iperf3', '-c', '127.0.0.1', '-p', String(port), '-n', '256K');
  sh('ip', 'netns', 'exec', ns, 'bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/1 || true');
  sh('ip', 'netns', 'exec', ns, 'bash', '-c', 'printf lo >/proc/self/comm; exec 3>/dev/udp/127.0.0.1/9; for i in 1 2 3 4 5; do printf . >&3; done');

  // Printf output shows while they run; maps once they stop: stop them all, then look.
  await until(
    'the flows of the transfer closed (flows.bt printed them)',
    () => !running.some((r) => r.script === 'flows.bt') || RUN['flows.bt']!.saw(running.find((r) => r.script === 'flows.bt')!.out),
    10_000,
  );
  for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGINT');
  for (const r of running.filter((r) => r.script.endsWith('.bt'))) {
    const [code] = await r.exit;
    assert.equal(code, 0, `${r.script} exited ${code}: ${r.out.slice(-2000)}`);
    const expected = RUN[r.script];
    if (expected) assert.ok(expected.saw(r.out), `${r.script} did not print what the traffic should make it print:\n${r.out.slice(0, 4000)}`);
  }
});
