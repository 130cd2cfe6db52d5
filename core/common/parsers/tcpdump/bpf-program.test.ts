import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { needs } from '../../../../test/support/needs.ts';
import { formatBpfInstruction, looksLikeBpfProgram, parseBpfProgram } from './bpf-program.ts';

/** formats.md's REAL `tcpdump -i lo -d/-dd/-ddd 'tcp dst port 8080'`, split at its `$ ` command lines. */
const dumps = readFileSync(join(import.meta.dirname, '../../../../test/fixtures/tcpdump', 'tcpdump-bpf-dumps.txt'), 'utf8')
  .split(/^\$ .*\n/m)
  .slice(1);
const [d, dd, ddd] = dumps as [string, string, string];

const squash = (line: string) => line.replace(/\s+/g, ' ').trim();
const lines = (text: string) => text.split('\n').map(squash).filter(Boolean);

test('-d: instructions, absolute jump targets and verdicts', () => {
  const program = parseBpfProgram(d);
  assert.deepEqual(program.problems, []);
  assert.equal(program.format, 'd');
  assert.equal(program.instructions.length, 16);
  assert.deepEqual(program.instructions[1], { index: 1, opClass: 'jmp', mnemonic: 'jeq', operand: '#0x86dd', jumpTrue: 2, jumpFalse: 6 });
  assert.deepEqual(program.instructions[11], { index: 11, opClass: 'ldx', mnemonic: 'ldxb', operand: '4*([14]&0xf)' });
  assert.equal(program.instructions[14]!.verdict, 'accept');
  assert.equal(program.instructions[15]!.verdict, 'reject');
});

test('-dd and -ddd disassemble to exactly what -d printed, with the numbers kept', () => {
  for (const [format, text] of [
    ['dd', dd],
    ['ddd', ddd],
  ] as const) {
    const program = parseBpfProgram(text);
    assert.deepEqual(program.problems, [], format);
    assert.equal(program.format, format);
    assert.deepEqual(program.instructions.map(formatBpfInstruction).map(squash), lines(d), format);
    assert.deepEqual(program.instructions[5], {
      index: 5,
      opClass: 'jmp',
      mnemonic: 'jeq',
      operand: '#0x1f90',
      code: 0x15,
      jt: 8,
      jf: 9,
      k: 0x1f90,
      jumpTrue: 14,
      jumpFalse: 15,
    });
  }
});

test("iptables' --bytecode form (the -ddd lines joined with commas) reads as -ddd", () => {
  const program = parseBpfProgram('4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0');
  assert.deepEqual(program.problems, []);
  assert.deepEqual(program.instructions.map(formatBpfInstruction).map(squash), ['(000) ldb [9]', '(001) jeq #0x6 jt 2 jf 3', '(002) ret #1', '(003) ret #0']);
});

test('opcodes tcpdump rarely prints: ja, txa, stx, ret a, ldx #k, negative offsets, Linux ancillary loads, unimp', () => {
  const program = parseBpfProgram(
    ['8', '5 0 0 1', '135 0 0 0', '3 0 0 2', '1 0 0 255', '32 0 0 4294963200', '48 0 0 4294963248', '255 0 0 0', '22 0 0 0'].join('\n'),
  );
  assert.deepEqual(program.instructions.map(formatBpfInstruction), [
    '(000) ja       2',
    '(001) txa',
    '(002) stx      M[2]',
    '(003) ldx      #0xff',
    '(004) ld       [proto]',
    '(005) ldb      [vlanp]',
    '(006) unimp    0xff',
    '(007) ret',
  ]);
  assert.equal(program.instructions[0]!.jumpTo, 2);
  assert.equal(program.instructions[7]!.verdict, 'accumulator');
  assert.deepEqual(program.problems, []);
  assert.equal(formatBpfInstruction(parseBpfProgram('2\n32 0 0 4294967292\n6 0 0 4294967295').instructions[0]!), '(000) ld       [-4]');
  assert.equal(parseBpfProgram('1\n6 0 0 4294967295').instructions[0]!.verdict, 'accept');
});

test('bad forms give problems that name the line, never a throw', () => {
  const problems = (text: string) => parseBpfProgram(text).problems.map((p) => `${p.line}: ${p.message}`);
  assert.deepEqual(problems(''), ['0: no BPF program: the text is empty']);
  assert.deepEqual(problems('hello world'), [
    '1: not a BPF dump: expected "(000) ldh [12]" (-d), "{ 0x28, 0, 0, 0x0000000c }," (-dd) or an instruction count (-ddd), got "hello world"',
  ]);
  assert.deepEqual(problems('16\n40 0 0 12\n21 0 4 34525\n48 0 0 20'), [
    '1: the count line says 16 instructions but 3 lines follow: the dump is truncated',
    '3: instruction 1 (jeq) jumps when false to 6, outside the program (2–2)',
    '4: the last instruction is not a ret: the kernel refuses a program that can run off its end',
  ]);
  assert.deepEqual(problems('2\n6 0 0 0\n6 0 0 0\n6 0 0 0'), ['1: the count line says 2 instructions but 3 lines follow']);
  assert.deepEqual(problems('2\n40 0 0 twelve\n6 0 0 0'), ['2: not a tcpdump -ddd instruction ("code jt jf k" in decimal): "40 0 0 twelve"']);
  assert.deepEqual(problems('2\n70000 0 0 1\n6 0 300 0'), [
    '0: the program has no instructions',
    '2: code 70000 does not fit 16 bits',
    '3: jt/jf 0/300 do not fit 8 bits',
  ]);
  assert.deepEqual(problems('{ 0x15, 0, 9, 0x00000800 },\n{ 0x6, 0, 0, 0x00040000 },\nint x;'), [
    '1: instruction 0 (jeq) jumps when false to 10, outside the program (1–1)',
    '3: not a tcpdump -dd instruction: "int x;"',
  ]);
  assert.deepEqual(problems('(000) ldh      [12]\n(002) frob     #1\n(001) jeq      #0x800\n(002) ret      #0'), [
    '2: not a tcpdump -d instruction: "(002) frob     #1"',
    '3: jeq without "jt N jf M": "(001) jeq      #0x800"',
  ]);
  assert.deepEqual(problems('(000) ja       7\n(001) ret      #0'), ['1: instruction 0 (ja) jumps to 7, outside the program (1–1)']);
});

test('looksLikeBpfProgram: the three dumps, not other text', () => {
  assert.equal(looksLikeBpfProgram(d), true);
  assert.equal(looksLikeBpfProgram(dd), true);
  assert.equal(looksLikeBpfProgram(ddd), true);
  assert.equal(looksLikeBpfProgram('16\n'), false);
  assert.equal(looksLikeBpfProgram('3\nfoo\n'), false);
  assert.equal(looksLikeBpfProgram('(000) hello there\n'), false);
  assert.equal(looksLikeBpfProgram('total 8\n-rw-r--r-- 1 root root 0 a\n'), false);
});

/** Filters that between them use every addressing mode and most opcodes tcpdump's compiler emits. */
const FILTERS = [
  'tcp dst port 8080',
  'icmp',
  'host 10.0.0.1 and udp',
  'vlan and tcp',
  'ip6 and tcp and ip6[53] & 2 != 0',
  'tcp[tcpflags] & tcp-syn != 0',
  'portrange 1000-2000',
  'less 100',
  'len > 1000 and ip[8] >= 64',
  'ether[0] & 1 = 1',
  'ether broadcast',
  'tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420',
  'ip[2:2] - ((ip[0]&0xf)<<2) > 100',
  'ip[1] = -ip[2]',
  'ip[1] / 2 = 6 or ip[1] % 3 = 1',
  'ip[1] ^ 7 = 1 or ip[1] | 1 = 3',
  'ip[1] * 3 = 6 and ip[2:2] > ip[4:2]',
  'not arp',
  'net 10.0.0.0/8 and (tcp or udp)',
];
/** Filters a link type cannot compile (tcpdump says so and exits 1). */
const NOT_ON_RAW = new Set(['vlan and tcp', 'ether broadcast']);

function tcpdump(args: string[]): string {
  return execFileSync('tcpdump', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('disassembling real tcpdump -ddd and -dd gives exactly its -d text, for EN10MB and RAW, optimised or not', (t) => {
  if (!needs(t, { tools: ['tcpdump'] })) return;
  let compared = 0;
  for (const linkType of ['EN10MB', 'RAW']) {
    for (const filter of FILTERS) {
      if (linkType === 'RAW' && NOT_ON_RAW.has(filter)) continue;
      for (const optimise of [[], ['-O']]) {
        const base = ['-y', linkType, ...optimise];
        const dText = tcpdump([...base, '-d', filter]);
        const asD = parseBpfProgram(dText);
        const what = `${linkType} ${optimise.join('')} '${filter}'`;
        assert.deepEqual(asD.problems, [], what);
        for (const flag of ['-dd', '-ddd']) {
          const program = parseBpfProgram(tcpdump([...base, flag, filter]));
          assert.deepEqual(program.problems, [], `${what} ${flag}`);
          assert.deepEqual(program.instructions.map(formatBpfInstruction).map(squash), lines(dText), `${what} ${flag}`);
          const targets = (p: typeof program) => p.instructions.map((i) => [i.jumpTrue, i.jumpFalse, i.jumpTo, i.verdict]);
          assert.deepEqual(targets(program), targets(asD), `${what} ${flag}: jump targets and verdicts`);
        }
        compared++;
      }
    }
  }
  assert.equal(compared, (FILTERS.length * 2 - NOT_ON_RAW.size) * 2);
});
