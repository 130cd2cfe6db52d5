import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { detectRulesFormat, listedTables, parseRuleListings, readRuleOutput } from './rule-output.ts';

const rulesPayload = (text: string, source?: string) => readRuleOutput(text, source)?.payload;
import type { Chain, RulesPayload } from './rules-model.ts';

const SAMPLES = join(import.meta.dirname, '../../../../../shared/reference/samples');
const FIXTURES = join(import.meta.dirname, '../../../../test/fixtures/netfilter');
const sample = (name: string) => readFileSync(join(SAMPLES, name), 'utf8');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

function chain(payload: RulesPayload | undefined, table: string, name: string): Chain {
  const found = payload?.tables.find((t) => t.name === table)?.chains.find((c) => c.name === name);
  assert.ok(found, `chain ${table}/${name}`);
  return found;
}

test('iptables -L -n -v -x: chains with policies and references, rules with exact counts, NUL stripped', () => {
  const p = rulesPayload(sample('iptables-L-n-v-x.txt'), 'iptables -L -n -v --line-numbers -x');
  assert.equal(p?.format, 'iptables-list');
  assert.deepEqual(p.problems, []);
  assert.deepEqual(
    p.tables[0]!.chains.map((c) => [c.name, c.policy, c.references, c.rules.length]),
    [
      ['INPUT', 'ACCEPT', undefined, 2],
      ['FORWARD', 'DROP', undefined, 0],
      ['OUTPUT', 'ACCEPT', undefined, 1],
      ['LAB_BLOAT', undefined, 1, 6],
    ],
  );
  const input = chain(p, 'filter', 'INPUT');
  assert.deepEqual(input.policyCounters, { packets: 0, bytes: 0 });
  assert.deepEqual(input.rules[0], { position: 1, target: 'LAB_BLOAT', match: '', counters: { packets: 36, bytes: 2754 } });
  assert.match(input.rules[1]!.match, /^match bpf 48 0 0 0,.*6 0 0 0 \/\* xt_bpf tcp dport 8080 \*\/$/);
  assert.ok(!input.rules[1]!.match.includes('\0'));
  assert.equal(chain(p, 'filter', 'OUTPUT').rules[0]!.match, 'proto tcp  tcp spt:8080');
  assert.deepEqual(chain(p, 'filter', 'LAB_BLOAT').rules[5], {
    position: 6,
    target: 'DROP',
    match: 'src 10.9.9.0/24  /* bloat rule */',
    counters: { packets: 0, bytes: 0 },
  });
  assert.equal(p.rounded, undefined);
});

test('iptables -L without -x: K counts read as thousands and the listing marked rounded; a rule without target keeps its columns', () => {
  const p = rulesPayload(fixture('iptables-L-n-v-rounded.txt'));
  assert.equal(p?.rounded, true);
  assert.deepEqual(chain(p, 'filter', 'INPUT').rules[0]!.counters, { packets: 3000, bytes: 384_000 });
  assert.deepEqual(chain(p, 'filter', 'OUTPUT').rules[0], { position: 1, target: '', match: 'proto udp  udp dpt:53', counters: { packets: 0, bytes: 0 } });
  const exact = rulesPayload(fixture('iptables-L-n-v-x-no-target.txt'));
  assert.equal(exact?.rounded, undefined);
  assert.deepEqual(chain(exact, 'filter', 'OUTPUT').rules[0], { position: 1, target: '', match: 'proto udp  udp dpt:53', counters: { packets: 0, bytes: 0 } });
  const named = rulesPayload(fixture('iptables-L-v-names.txt'));
  assert.equal(chain(named, 'filter', 'LAB').rules[0]!.match, 'src localhost');
  assert.equal(chain(named, 'filter', 'INPUT').rules[1]!.match, 'proto tcp  tcp dpt:http-alt /* lab accept */');
});

test('iptables-save -c: tables, policies with counters, user chains, rules with [p:b] and quoted arguments', () => {
  const text = sample('iptables-save.txt');
  const { listings, otherLines } = parseRuleListings(text, 'iptables-save');
  assert.equal(otherLines, 3 + 13, 'the $ lines and the 13 of iptables -S');
  assert.equal(listings.length, 2, 'the sample holds iptables-save -c, then iptables-save');
  const [withCounters, without] = listings;
  const input = withCounters!.tables[0]!.chains[0]!;
  assert.equal(withCounters!.tables[0]!.name, 'filter');
  assert.deepEqual([input.name, input.policy, input.policyCounters], ['INPUT', 'ACCEPT', { packets: 0, bytes: 0 }]);
  assert.deepEqual(input.rules[1]!.counters, { packets: 21, bytes: 1380 });
  assert.equal(input.rules[1]!.target, 'ACCEPT');
  assert.match(input.rules[1]!.match, /^-m bpf --bytecode "19,48 0 0 0,.*" -m comment --comment "xt_bpf tcp dport 8080"$/);
  const bloat = withCounters!.tables[0]!.chains.find((c) => c.name === 'LAB_BLOAT')!;
  assert.equal(bloat.policy, undefined);
  assert.equal(bloat.policyCounters, undefined);
  assert.equal(without!.tables[0]!.chains[0]!.rules[0]!.counters, undefined);
});

test('nft -j list ruleset: tables by family, base chains with hook and policy, rules as match text and verdict, counters', () => {
  const p = rulesPayload(sample('nft-j-list-ruleset.json'));
  assert.equal(p?.format, 'nft-json');
  assert.deepEqual(
    p.tables.map((t) => `${t.family} ${t.name}`),
    ['ip filter', 'inet lab'],
  );
  const input = chain(p, 'filter', 'INPUT');
  assert.deepEqual([input.hook, input.policy], ['input', 'accept']);
  assert.deepEqual(input.rules[0], { position: 1, handle: 9, target: 'jump LAB_BLOAT', match: '', counters: { packets: 48, bytes: 3672 } });
  assert.equal(input.rules[1]!.match, 'xt match bpf xt match comment');
  const lab = chain(p, 'lab', 'input');
  assert.deepEqual(
    lab.rules.map((r) => [r.handle, r.match, r.target, r.counters?.packets]),
    [
      [2, 'tcp dport 8080 comment "lab accept"', 'accept', 6],
      [3, 'ip saddr 10.9.9.0/24', 'drop', 0],
      [5, 'ip saddr @blocked', 'drop', 0],
    ],
  );
  const ours = rulesPayload(fixture('nft-j-list-ruleset-lab.json'));
  assert.deepEqual(
    chain(ours, 'lab', 'input').rules.map((r) => `${r.match} → ${r.target}`),
    [
      'ct state { established, related } → accept',
      'iifname lo icmp type echo-request comment "ping" → accept',
      'ip saddr @blocked → drop',
      'tcp dport { 22, 8080 } limit rate 10/second → accept',
      'meta nfproto ipv4 udp dport 5000-5010 → reject with icmp port-unreachable',
    ],
  );
  assert.deepEqual(chain(ours, 'lab', 'output').rules[0], {
    position: 1,
    handle: 12,
    target: '',
    match: 'ip daddr 127.0.0.2 log prefix "out: "',
    counters: { packets: 0, bytes: 0 },
  });
});

test('two listings in one output: the last one gets per-rule and policy deltas', () => {
  const before = sample('iptables-L-n-v-x.txt').replace(/^\$.*\n/, '');
  const after = before
    .replace('1          36     2754 LAB_BLOAT', '1          40     3090 LAB_BLOAT')
    .replace('policy DROP 0 packets, 0 bytes', 'policy DROP 2 packets, 168 bytes');
  const p = rulesPayload(
    `${before}\nPING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n\n${after}`,
    'iptables -L -n -v -x; ping -c 4 127.0.0.1; iptables -L -n -v -x',
  );
  assert.equal(p?.listings, 2);
  assert.equal(p.unmatched, 0);
  assert.deepEqual(chain(p, 'filter', 'INPUT').rules[0]!.delta, { packets: 4, bytes: 336 });
  assert.deepEqual(chain(p, 'filter', 'INPUT').rules[1]!.delta, { packets: 0, bytes: 0 });
  assert.deepEqual(chain(p, 'filter', 'FORWARD').policyDelta, { packets: 2, bytes: 168 });
});

test('deltas follow a rule moved by an insert (iptables: by match text), and nft rules by handle', () => {
  const list = (rules: string[]) =>
    `Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n pkts bytes target     prot opt in     out     source               destination\n${rules.join('\n')}\n`;
  const a = list(['   10   840 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0']);
  const b = list([
    '    0     0 DROP       17   --  *      *       0.0.0.0/0            0.0.0.0/0            udp dpt:53',
    '   13  1092 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0',
  ]);
  const p = rulesPayload(a + b);
  const rules = chain(p, 'filter', 'INPUT').rules;
  assert.equal(rules[0]!.delta, undefined, 'the inserted rule has nothing to compare with');
  assert.deepEqual(rules[1]!.delta, { packets: 3, bytes: 252 });
  assert.equal(p?.unmatched, 1);

  const doc = JSON.parse(sample('nft-j-list-ruleset.json')) as { nftables: Record<string, { handle?: number; expr?: { counter?: { packets: number } }[] }>[] };
  const later = structuredClone(doc);
  const rule2 = later.nftables.find((i) => i['rule']?.handle === 2 && JSON.stringify(i).includes('lab accept'))!['rule']!;
  rule2.expr!.find((e) => e.counter)!.counter!.packets += 5;
  // The earlier listing's rules in another order: handles, not places, pair them.
  doc.nftables.reverse();
  const q = rulesPayload(`${JSON.stringify(doc)}\n${JSON.stringify(later)}\n`);
  assert.deepEqual(chain(q, 'lab', 'input').rules[0]!.delta?.packets, 5);
  assert.equal(q?.unmatched, 0);
});

test('iptables -L names no table: the cell source gives it, one per listing command', () => {
  assert.deepEqual(listedTables('iptables -L -n -v -x\nsudo iptables -t nat -nvL\nip6tables --table=mangle --list\niptables -A INPUT -j DROP'), [
    'filter',
    'nat',
    'mangle',
  ]);
  assert.deepEqual(listedTables('for i in 1 2; do iptables -vnxL -t raw; done'), ['raw']);
  const text = fixture('iptables-L-n-v-x-no-target.txt');
  assert.equal(rulesPayload(text + text, 'iptables -t raw -L -v -n -x')?.tables[0]?.name, 'raw');
});

test('malformed listings give problems and never throw', () => {
  const cases: [string, RegExp][] = [
    [
      'Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n pkts bytes target prot opt in out source destination\n\nChain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\nsomething else\n',
      /line 5: expected the column header/,
    ],
    [
      'Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n pkts bytes target prot opt in out source destination\n  12x  34 ACCEPT 0 -- * * 0.0.0.0/0 0.0.0.0/0\n',
      /line 3: the packet and byte counts are not numbers/,
    ],
    [
      'Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n pkts bytes target prot opt in out source destination\n 1 2 ACCEPT\n',
      /line 3: 9 columns expected, 3 found/,
    ],
    ['*filter\n:INPUT ACCEPT [0:0]\n[1:2] -A INPUT -m comment --comment "open -j ACCEPT\nCOMMIT\n', /line 3: a quote opened at column 37 is not closed/],
    ['*filter\n:INPUT ACCEPT [0:0]\n-A OUTPUT -j DROP\nCOMMIT\n', /line 3: rule for chain OUTPUT, which the table did not declare/],
    ['*filter\n:INPUT ACCEPT [0:0]\nbogus line\n', /line 3: not a chain, a rule or COMMIT/],
    ['{"nftables": [{"table": {"family": "ip", "name": "t"}}, {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": []}}]}', /item 2: rule of chain c/],
    [
      '{"nftables": [{"table": {"family": "ip", "name": "t"}}, {"chain": {"family": "ip", "table": "t", "name": "c"}} ,]}',
      /line 1: the nft JSON does not parse/,
    ],
    ['{"nftables": [{"table": {"family": "ip", "name": "t", "chains": [', /line 1: the nft JSON document does not end/],
  ];
  for (const [text, problem] of cases) {
    const format = detectRulesFormat(text);
    assert.ok(format, text);
    const problems = parseRuleListings(text, format).listings.flatMap((l) => l.problems);
    assert.ok(
      problems.some((p) => problem.test(p)),
      `${JSON.stringify(text)} → ${JSON.stringify(problems)}`,
    );
  }
  assert.equal(rulesPayload('{"nftables": 3}')?.problems.join(), undefined, 'nothing to show: no payload');
  assert.equal(rulesPayload('{"nftables": [{"metainfo": {}}, 7]}'), undefined);
});

test('other shell output is not taken for a rule listing', () => {
  const others = readdirSync(SAMPLES).filter((f) => !/^(iptables|nft-j-list)/.test(f) && !/\.(pcap|pcapng)$/.test(f));
  assert.ok(others.length > 20);
  for (const name of others) assert.equal(detectRulesFormat(sample(name)), undefined, name);
  const shell = [
    'UID          PID    PPID  C STIME TTY          TIME CMD\nroot           1       0  0 17:55 ?        00:00:01 /sbin/init\n',
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n',
    'Chain INPUT is where packets for this host go\n',
    '*bold* markdown\n- item\n',
    '{"nftables_version": "1.0.6"}\n',
    '-A INPUT -j ACCEPT\n',
  ];
  for (const text of shell) assert.equal(detectRulesFormat(text), undefined, text);
});

test('onlyRules tells a listing printed alone from one among other output', () => {
  const alone = fixture('iptables-L-n-v-x-no-target.txt');
  assert.equal(readRuleOutput(alone)?.onlyRules, true);
  assert.equal(readRuleOutput(`PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n${alone}`)?.onlyRules, false);
  assert.equal(readRuleOutput(fixture('nft-j-list-ruleset-lab.json'))?.onlyRules, true);
  assert.equal(readRuleOutput(`done\n${fixture('nft-j-list-ruleset-lab.json')}`)?.onlyRules, false);
  assert.equal(readRuleOutput(sample('iptables-save.txt'))?.onlyRules, false);
  assert.equal(
    readRuleOutput(
      sample('iptables-save.txt')
        .split('\n$ iptables-save\n')[0]!
        .replace(/^\$.*\n/, ''),
    )?.onlyRules,
    true,
  );
});

test('other output right after a chain (no blank line between) ends the listing without a problem', () => {
  const read = readRuleOutput(
    fixture('iptables-L-before-after-ping.txt'),
    'iptables -L -n -v -x --line-numbers; ping -c 4 127.0.0.1; iptables -L -n -v -x --line-numbers',
  );
  assert.deepEqual(read?.payload.problems, []);
  assert.equal(read?.onlyRules, false);
  assert.equal(read?.payload.listings, 2);
  assert.deepEqual(
    read?.payload.tables[0]?.chains.map((c) => [c.name, c.rules.map((r) => r.delta?.packets)]),
    [
      ['INPUT', [8, 0]],
      ['FORWARD', []],
      ['OUTPUT', [4]],
      ['LAB', [8]],
    ],
  );
});
