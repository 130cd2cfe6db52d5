import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, hostname, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTool } from '../../../test/support/needs.ts';
import type { JsonObject, Notebook } from '../../common/notebook/model.ts';
import { TrustStore } from '../session/trust.ts';
import { ENVIRONMENT_TOOLS, prettyName, runEnvironment, toolVersion, withEnvironment } from './environment.ts';

const notebook = (metadata: Notebook['metadata'] = {}): Notebook => ({
  nbformat: 4,
  nbformatMinor: 5,
  metadata,
  cells: [{ id: 'a', cellType: 'code', source: 'echo hi', metadata: {}, outputs: [], executionCount: null }],
});

/** The first line a tool prints for --version, stdout first (tshark warns on stderr). */
function firstLine(tool: string): string {
  let text: string;
  try {
    text = execFileSync(tool, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (error) {
    text = String((error as { stdout?: string }).stdout ?? '');
  }
  return text.split('\n').find((l) => l.trim()) ?? '';
}

test("the recorded environment has exactly the documented shape, with this machine's real tool versions", async () => {
  const started = Date.parse('2026-12-07T20:00:00.000Z');
  const env = await runEnvironment(notebook(), { startedAt: started });
  assert.deepEqual(Object.keys(env).sort(), ['cpus', 'distribution', 'features', 'kernel', 'recordedAt', 'tools']);
  assert.equal(env.recordedAt, '2026-12-07T20:00:00.000Z');
  assert.ok(env.kernel.startsWith(`${release()} `), env.kernel);
  assert.equal(env.cpus, cpus().length);
  assert.equal(env.distribution, prettyName(readFileSync('/etc/os-release', 'utf8')));
  assert.deepEqual(Object.keys(env.features).sort(), ['btf', 'kprobes', 'tracefs']);
  assert.ok(Object.values(env.features).every((v) => typeof v === 'boolean'));
  for (const tool of ENVIRONMENT_TOOLS) {
    if (!hasTool(tool)) {
      assert.equal(env.tools[tool], undefined, `${tool} is not installed: no version`);
      continue;
    }
    const version = env.tools[tool];
    assert.ok(version, `${tool} is installed: a version`);
    // The number recorded is the one the tool prints.
    assert.ok(firstLine(tool).includes(version.replace(/ \((nf_tables|legacy)\)$/, '')), `${tool}: ${version} in ${firstLine(tool)}`);
  }
  if (hasTool('bpftrace')) assert.match(env.tools.bpftrace!, /^\d+\.\d+\.\d+/);
  if (hasTool('iptables')) assert.match(env.tools.iptables!, /^\d+\.\d+\.\d+ \((nf_tables|legacy)\)$/);
});

test('the hostname is recorded only when asked for, by the notebook or the caller', async () => {
  assert.equal((await runEnvironment(notebook(), { startedAt: 0 })).hostname, undefined);
  assert.equal((await runEnvironment(notebook({ probebook: { recordHostname: true } }), { startedAt: 0 })).hostname, hostname());
  assert.equal((await runEnvironment(notebook({ probebook: { recordHostname: 'yes' } }), { startedAt: 0 })).hostname, undefined, 'only true asks');
  assert.equal((await runEnvironment(notebook(), { startedAt: 0, hostname: true })).hostname, hostname());
});

test('tool versions are read defensively from what tools print', () => {
  const cases: [string, string, string | undefined][] = [
    ['bpftrace', 'bpftrace v0.17.0', '0.17.0'],
    ['bpftrace', 'bpftrace v0.21.2-12-gabcdef0', '0.21.2-12-gabcdef0'],
    ['tcpdump', 'tcpdump version 4.99.3', '4.99.3'],
    ['tshark', 'TShark (Wireshark) 4.0.17 (Git v4.0.17 packaged as 4.0.17-0+deb12u3).', '4.0.17'],
    ['iperf3', 'iperf 3.12 (cJSON 1.7.15)', '3.12'],
    ['iptables', 'iptables v1.8.9 (nf_tables)', '1.8.9 (nf_tables)'],
    ['iptables', 'iptables v1.8.7 (legacy)', '1.8.7 (legacy)'],
    ['nft', 'nftables v1.0.6 (Lester Gooch #5)', '1.0.6'],
    ['pwru', 'pwru v1.0.7', '1.0.7'],
    ['bpftrace', '\x1b[31mbpftrace\x1b[0m v0.20.1\x07', '0.20.1'],
    ['bpftrace', 'command not found', undefined],
    ['bpftrace', `x ${'9.'.repeat(5000)}`, undefined],
    ['bpftrace', '<script>alert(1)</script> 1.2.3<b>', undefined],
    ['bpftrace', '', undefined],
  ];
  for (const [tool, line, expected] of cases) assert.equal(toolVersion(tool, line), expected, JSON.stringify(line));
  assert.ok((toolVersion('x', `v1.2.3-${'a'.repeat(500)}`) ?? '').length <= 60, 'bounded');
});

test('PRETTY_NAME is read from os-release as the shell would, bounded and printable', () => {
  assert.equal(prettyName('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(prettyName("PRETTY_NAME='Arch Linux'"), 'Arch Linux');
  assert.equal(prettyName('PRETTY_NAME=Alpine'), 'Alpine');
  assert.equal(prettyName('PRETTY_NAME="Say \\"hi\\""'), 'Say "hi"');
  assert.equal(prettyName('NAME=x'), undefined);
  assert.equal(prettyName(`PRETTY_NAME="${'A'.repeat(1000)}\x1b[2J"`)?.length, 120);
});

test("recording the environment keeps a trusted notebook trusted (it is not signed), and keeps the notebook's options", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-env-trust-'));
  try {
    const store = new TrustStore(dir);
    const env = {
      recordedAt: '2026-12-07T20:00:00.000Z',
      kernel: 'k',
      distribution: 'd',
      cpus: 2,
      tools: {},
      features: { kprobes: false, btf: true, tracefs: true },
    };
    for (const metadata of [{}, { probebook: { parameters: { N: 1 } } }, { kernelspec: { name: 'bash' } }] as JsonObject[]) {
      const nb = notebook(metadata);
      store.trust(nb);
      nb.metadata = withEnvironment(nb.metadata, env);
      assert.ok(store.isTrusted(nb), JSON.stringify(metadata));
      assert.deepEqual((nb.metadata.probebook as { environment: unknown }).environment, env);
      nb.metadata = withEnvironment(nb.metadata, { ...env, recordedAt: '2026-12-08T00:00:00.000Z', hostname: 'lab1' });
      assert.ok(store.isTrusted(nb), 'a later run records its own');
    }
    const withParams = withEnvironment({ probebook: { parameters: { N: 1 } } }, env);
    assert.deepEqual((withParams.probebook as { parameters: unknown }).parameters, { N: 1 });
    // What decides what runs is still signed.
    const nb = notebook({ probebook: { parameters: { N: 1 } } });
    store.trust(nb);
    nb.metadata = { probebook: { parameters: { N: 2 } } };
    assert.equal(store.isTrusted(nb), false);
    assert.deepEqual(withEnvironment({ probebook: 'broken' }, env), { probebook: 'broken' }, "a malformed metadata.probebook is the user's to fix");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
