/**
 * Rule tables end to end with `probebook run`: real iptables-nft and nft rules in namespaces this
 * test makes, real pings on their loopback between two listings in one cell, and the saved
 * notebook's rules+json outputs whose deltas equal the packets sent. The namespaces (and so their
 * rules) are removed whatever happens.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { MIME } from '../../core/common/mime.ts';
import type { Chain, RulesPayload } from '../../core/common/parsers/netfilter/rules-model.ts';
import { needs } from '../support/needs.ts';
import { readNotebookJson, writeNotebook } from '../support/notebooks.ts';
import { repoRoot } from '../support/root.ts';

type Saved = { output_type: string; name?: string; data?: Record<string, unknown>; text?: string | string[] };

/** A namespace with its loopback up, removed (with every rule in it) after the test. */
function namespace(t: TestContext, tag: string): string {
  const ns = `pbr${tag}${process.pid % 100000}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.after(() => {
    if (
      execFileSync('ip', ['netns', 'list'])
        .toString()
        .split('\n')
        .some((l) => l.split(' ')[0] === ns)
    )
      execFileSync('ip', ['netns', 'del', ns]);
  });
  execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  return ns;
}

/** Runs the cells with `probebook run` and returns each cell's saved outputs. */
async function runCells(t: TestContext, cells: string[]): Promise<Saved[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'pb-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeNotebook(
    dir,
    'rules.ipynb',
    cells.map((source) => ({ source })),
  );
  return runAgain(dir);
}

/** Runs the notebook in `dir` again, in place (its outputs from before are the cells' previous ones). */
async function runAgain(dir: string): Promise<Saved[][]> {
  // The node:test context variable would make the CLI's node report to this runner.
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const env = { ...inherited, XDG_STATE_HOME: join(dir, 'state') };
  const stderr = await new Promise<string>((done) =>
    execFile(
      process.execPath,
      [join(repoRoot, 'bin/probebook.mjs'), 'run', 'rules.ipynb', '--inplace', '-q'],
      { cwd: dir, env, timeout: 60_000 },
      (error, _o, err) => done(error ? `exit ${error.code}: ${err}` : ''),
    ),
  );
  assert.equal(stderr, '');
  return readNotebookJson(join(dir, 'rules.ipynb')).cells.map((c) => (c.outputs ?? []) as Saved[]);
}

const text = (v: unknown) => (Array.isArray(v) ? v.join('') : String(v ?? ''));

function rulesOf(outputs: Saved[]): { payload: RulesPayload; plain: string } {
  const view = outputs.find((o) => o.data?.[MIME.rules]);
  assert.ok(view, JSON.stringify(outputs).slice(0, 600));
  return { payload: view.data![MIME.rules] as RulesPayload, plain: text(view.data![MIME.plain]) };
}

function chainOf(payload: RulesPayload, name: string, table?: string): Chain {
  const chain = payload.tables.filter((t) => !table || t.name === table).flatMap((t) => t.chains.find((c) => c.name === name) ?? [])[0];
  assert.ok(chain, `chain ${name} in ${JSON.stringify(payload.tables.map((t) => t.name))}`);
  return chain;
}

test('iptables -L and iptables-save -c before and after real pings: deltas equal the packets sent', async (t) => {
  if (!needs(t, { root: true, tools: ['ip', 'iptables', 'iptables-save', 'ping'] })) return;
  const ns = namespace(t, 'i');
  const ipt = (...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, 'iptables', ...args]);
  ipt('-N', 'LAB');
  ipt('-A', 'INPUT', '-p', 'icmp', '-j', 'LAB');
  ipt('-A', 'LAB', '-s', '127.0.0.1', '-j', 'ACCEPT');
  ipt('-A', 'INPUT', '-p', 'udp', '--dport', '53', '-m', 'comment', '--comment', 'never hit', '-j', 'DROP');
  ipt('-A', 'OUTPUT', '-p', 'icmp', '--icmp-type', 'echo-request', '-j', 'ACCEPT');
  const inNs = `ip netns exec ${ns}`;
  const outputs = await runCells(t, [
    `${inNs} iptables -L -n -v -x --line-numbers`,
    `${inNs} iptables -L -n -v -x --line-numbers\n${inNs} ping -c 5 -i 0.1 127.0.0.1\n${inNs} iptables -L -n -v -x --line-numbers`,
    `${inNs} iptables-save -c -t filter\n${inNs} ping -q -c 3 -i 0.1 127.0.0.1 > /dev/null\n${inNs} iptables-save -c -t filter`,
  ]);

  // A listing alone: the view in the stdout's place, its text/plain exactly as iptables printed it.
  const alone = outputs[0]!;
  assert.equal(alone.filter((o) => o.output_type === 'stream' && o.name === 'stdout').length, 0);
  const first = rulesOf(alone);
  assert.match(first.plain, /^Chain INPUT \(policy ACCEPT/);
  assert.equal(first.payload.listings, 1);
  assert.deepEqual(
    chainOf(first.payload, 'INPUT').rules.map((r) => [r.position, r.target, r.match]),
    [
      [1, 'LAB', 'proto icmp'],
      [2, 'DROP', 'proto udp  udp dpt:53 /* never hit */'],
    ],
  );

  // Listed around five pings: the stdout (with ping's lines) stays, the view comes after it.
  const around = outputs[1]!;
  assert.match(text(around.find((o) => o.name === 'stdout')?.text), /5 packets transmitted, 5 received/);
  const { payload } = rulesOf(around);
  assert.equal(payload.listings, 2);
  assert.equal(payload.unmatched, 0);
  assert.deepEqual(payload.problems, []);
  // On loopback the five requests and five replies all come in through INPUT; the requests leave by OUTPUT.
  assert.deepEqual(chainOf(payload, 'INPUT').rules[0]!.delta, { packets: 10, bytes: 840 });
  assert.deepEqual(chainOf(payload, 'INPUT').rules[1]!.delta, { packets: 0, bytes: 0 });
  assert.deepEqual(chainOf(payload, 'LAB').rules[0]!.delta, { packets: 10, bytes: 840 });
  assert.deepEqual(chainOf(payload, 'OUTPUT').rules[0]!.delta, { packets: 5, bytes: 420 });
  // The replies meet the OUTPUT policy, but iptables-nft counts no policies (nft base chains have no counter).
  assert.deepEqual(chainOf(payload, 'OUTPUT').policyDelta, { packets: 0, bytes: 0 });

  // iptables-save -c twice with only the pings (quiet) between: nothing but listings, so the view replaces the stdout.
  const saved = outputs[2]!;
  assert.equal(saved.filter((o) => o.name === 'stdout').length, 0);
  const s = rulesOf(saved).payload;
  assert.equal(s.format, 'iptables-save');
  assert.equal(s.tables[0]!.name, 'filter');
  assert.deepEqual(chainOf(s, 'INPUT').rules[0]!.delta, { packets: 6, bytes: 504 });
  assert.equal(chainOf(s, 'INPUT').rules[1]!.match, '-p udp -m udp --dport 53 -m comment --comment "never hit"');
  assert.equal(chainOf(s, 'LAB').policy, undefined);
});

test('a listing cell run twice: the second run shows what matched since the first (real pings between)', async (t) => {
  if (!needs(t, { root: true, tools: ['ip', 'iptables', 'ping'] })) return;
  const ns = namespace(t, 'r');
  execFileSync('ip', ['netns', 'exec', ns, 'iptables', '-A', 'INPUT', '-p', 'icmp', '-j', 'ACCEPT']);
  const dir = mkdtempSync(join(tmpdir(), 'pb-rules-twice-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeNotebook(dir, 'rules.ipynb', [{ source: `ip netns exec ${ns} iptables -L INPUT -n -v -x` }]);
  const before = rulesOf((await runAgain(dir))[0]!).payload;
  assert.equal(before.since, undefined, 'nothing to compare with yet');
  execFileSync('ip', ['netns', 'exec', ns, 'ping', '-q', '-c', '4', '-i', '0.1', '127.0.0.1']);
  const after = rulesOf((await runAgain(dir))[0]!).payload;
  assert.equal(after.since, 'previous-run');
  assert.equal(after.listings, 1);
  assert.equal(after.unmatched, 0);
  // Four requests and four replies, all through INPUT on loopback.
  assert.deepEqual(chainOf(after, 'INPUT').rules[0]!.delta, { packets: 8, bytes: 672 });
});

test('nft -j list ruleset before and after real pings: deltas by handle equal the packets sent', async (t) => {
  if (!needs(t, { root: true, tools: ['ip', 'nft', 'ping'] })) return;
  const ns = namespace(t, 'n');
  const ruleset = [
    'table inet lab {',
    '  chain input {',
    '    type filter hook input priority 0; policy accept;',
    '    icmp type echo-request counter accept comment "requests"',
    '    icmp type echo-reply counter accept',
    '    tcp dport 8080 counter drop',
    '  }',
    '  chain output {',
    '    type filter hook output priority 0; policy accept;',
    '    counter',
    '  }',
    '}',
  ].join('\n');
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: ruleset });
  const inNs = `ip netns exec ${ns}`;
  const outputs = await runCells(t, [`${inNs} nft -j list ruleset\n${inNs} ping -q -c 4 -i 0.1 127.0.0.1 > /dev/null\n${inNs} nft -j list ruleset`]);
  assert.equal(outputs[0]!.filter((o) => o.name === 'stdout').length, 0, 'only listings: the view takes the stdout place');
  const { payload, plain } = rulesOf(outputs[0]!);
  assert.equal(plain.split('\n').filter((l) => l.startsWith('{"nftables"')).length, 2, 'text/plain holds both listings as printed');
  assert.equal(payload.format, 'nft-json');
  assert.deepEqual(
    payload.tables.map((t) => `${t.family} ${t.name}`),
    ['inet lab'],
  );
  const input = chainOf(payload, 'input', 'lab');
  assert.deepEqual([input.hook, input.policy], ['input', 'accept']);
  assert.deepEqual(
    input.rules.map((r) => [r.match, r.target, r.delta?.packets]),
    [
      ['icmp type echo-request comment "requests"', 'accept', 4],
      ['icmp type echo-reply', 'accept', 4],
      ['tcp dport 8080', 'drop', 0],
    ],
  );
  assert.ok(input.rules.every((r) => typeof r.handle === 'number'));
  assert.deepEqual(chainOf(payload, 'output', 'lab').rules[0]!.delta, { packets: 8, bytes: 672 });
});
