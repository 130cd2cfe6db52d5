/**
 * Classic BPF programs as tcpdump dumps them (libpcap `bpf_dump`, formats.md §3.1 and §5.4):
 *   -d    `(001) jeq      #0x86dd          jt 2	jf 6`        (libpcap's bpf_image text)
 *   -dd   `{ 0x15, 0, 4, 0x000086dd },`                         (a C array)
 *   -ddd  `16` then `21 0 4 34525` per instruction             (decimal; iptables' --bytecode joins the lines with commas)
 * all read into one model. The numeric forms are disassembled into the mnemonics and operands
 * that -d prints, so the three forms of one program give the same instructions. Bad input never
 * throws: it gives a problem naming the line.
 */

export type BpfClass = 'ld' | 'ldx' | 'st' | 'stx' | 'alu' | 'jmp' | 'ret' | 'misc';

export interface BpfInstruction {
  /** Position in the program, from 0 (`(000)`). */
  index: number;
  opClass: BpfClass;
  /** As -d prints it: `ldh`, `jeq`, `ret`, `ldxb`, `unimp` … */
  mnemonic: string;
  /** As -d prints it: `[12]`, `#0x86dd`, `[x + 16]`, `4*([14]&0xf)`, `M[1]`, `#pktlen`, `x`, `` (tax) … */
  operand: string;
  /** The numeric fields, when the dump had them (-dd, -ddd). */
  code?: number;
  jt?: number;
  jf?: number;
  k?: number;
  /** Conditional jumps: the absolute index taken when true / false. */
  jumpTrue?: number;
  jumpFalse?: number;
  /** `ja`: the absolute index it jumps to. */
  jumpTo?: number;
  /** `ret`: `ret #0` drops the packet, `ret #N` accepts N bytes of it, `ret a` returns what A holds. */
  verdict?: 'accept' | 'reject' | 'accumulator';
}

export interface BpfProblem {
  /** 1-based line of the dump; 0 for the program as a whole. */
  line: number;
  message: string;
}

export interface BpfProgram {
  /** Which dump it was; absent when nothing in the text was a BPF dump. */
  format?: 'd' | 'dd' | 'ddd';
  instructions: BpfInstruction[];
  problems: BpfProblem[];
}

/** The kernel's limit (BPF_MAXINSNS). */
const MAX_INSTRUCTIONS = 4096;

const D_LINE = /^\((\d+)\) (\S+)(?: +(.*?))?\s*$/;
const D_JUMP = /^(.*?)\s+jt (\d+)\s+jf (\d+)$/;
const DD_LINE = /^\{\s*0x([0-9a-fA-F]+),\s*(\d+),\s*(\d+),\s*0x([0-9a-fA-F]+)\s*\},?$/;
const DDD_LINE = /^(\d+) (\d+) (\d+) (\d+)$/;
const COUNT_LINE = /^\d+$/;

const CLASS_BY_NUMBER: BpfClass[] = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'ret', 'misc'];

/** Linux's ancillary loads (SKF_AD_OFF + n), which libpcap ≥ 1.10 prints by name. */
const ANCILLARY: Record<number, string> = {
  0: 'proto',
  4: 'type',
  8: 'ifidx',
  12: 'nla',
  16: 'nlan',
  20: 'mark',
  24: 'queue',
  28: 'hatype',
  32: 'rxhash',
  36: 'cpu',
  40: 'xor_x',
  44: 'vlan_tci',
  48: 'vlanp',
  52: 'poff',
  56: 'random',
  60: 'vlan_tpid',
};
const SKF_AD_OFF = 0xfffff000;

const signed = (k: number) => String(k | 0);
const hex = (k: number) => `0x${(k >>> 0).toString(16)}`;
const absolute = (k: number) => {
  const name = k >= SKF_AD_OFF ? ANCILLARY[k - SKF_AD_OFF] : undefined;
  return name ? `[${name}]` : `[${signed(k)}]`;
};

type Operand = (k: number) => string;

/** [mnemonic, operand] of every opcode libpcap's bpf_image knows, the operand a function of k. */
const OPCODES = new Map<number, [string, Operand]>();
function define(operand: Operand, opcodes: [number, string][]) {
  for (const [code, mnemonic] of opcodes) OPCODES.set(code, [mnemonic, operand]);
}
define(absolute, [
  [0x20, 'ld'],
  [0x28, 'ldh'],
  [0x30, 'ldb'],
]);
define(
  (k) => `[x + ${signed(k)}]`,
  [
    [0x40, 'ld'],
    [0x48, 'ldh'],
    [0x50, 'ldb'],
  ],
);
define(
  (k) => `M[${signed(k)}]`,
  [
    [0x60, 'ld'],
    [0x61, 'ldx'],
    [0x02, 'st'],
    [0x03, 'stx'],
  ],
);
define(
  () => '#pktlen',
  [
    [0x80, 'ld'],
    [0x81, 'ldx'],
  ],
);
define((k) => `4*([${signed(k)}]&0xf)`, [[0xb1, 'ldxb']]);
define(
  (k) => `#${hex(k)}`,
  [
    [0x00, 'ld'],
    [0x01, 'ldx'],
    [0x15, 'jeq'],
    [0x25, 'jgt'],
    [0x35, 'jge'],
    [0x45, 'jset'],
    [0x44, 'or'],
    [0x54, 'and'],
    [0xa4, 'xor'],
  ],
);
define(
  (k) => `#${signed(k)}`,
  [
    [0x06, 'ret'],
    [0x04, 'add'],
    [0x14, 'sub'],
    [0x24, 'mul'],
    [0x34, 'div'],
    [0x94, 'mod'],
    [0x64, 'lsh'],
    [0x74, 'rsh'],
  ],
);
define(
  () => 'x',
  [
    [0x1d, 'jeq'],
    [0x2d, 'jgt'],
    [0x3d, 'jge'],
    [0x4d, 'jset'],
    [0x0c, 'add'],
    [0x1c, 'sub'],
    [0x2c, 'mul'],
    [0x3c, 'div'],
    [0x9c, 'mod'],
    [0x4c, 'or'],
    [0x5c, 'and'],
    [0xac, 'xor'],
    [0x6c, 'lsh'],
    [0x7c, 'rsh'],
  ],
);
// ja's operand is its target, which needs the index: disassemble() fills it in.
define(
  () => '',
  [
    [0x16, 'ret'],
    [0x84, 'neg'],
    [0x07, 'tax'],
    [0x87, 'txa'],
    [0x05, 'ja'],
  ],
);

/** The class of each mnemonic -d prints (ld/ldh/ldb are loads into A, ldx/ldxb into X …). */
const MNEMONIC_CLASS = new Map([...OPCODES].map(([code, [mnemonic]]) => [mnemonic, CLASS_BY_NUMBER[code & 7]!]));

/** One instruction from its numeric fields, named as tcpdump -d names it. */
function disassemble(index: number, code: number, jt: number, jf: number, k: number): BpfInstruction {
  const known = OPCODES.get(code);
  const mnemonic = known?.[0] ?? 'unimp';
  const ins: BpfInstruction = { index, opClass: CLASS_BY_NUMBER[code & 7]!, mnemonic, operand: known ? known[1](k) : hex(code), code, jt, jf, k };
  if (code === 0x05) {
    ins.jumpTo = index + 1 + k;
    ins.operand = String(ins.jumpTo);
  } else if (ins.opClass === 'jmp' && known) {
    ins.jumpTrue = index + 1 + jt;
    ins.jumpFalse = index + 1 + jf;
  } else if (code === 0x06) {
    ins.verdict = k === 0 ? 'reject' : 'accept';
  } else if (code === 0x16) {
    ins.verdict = 'accumulator';
  }
  return ins;
}

/** The line `tcpdump -d` prints for an instruction (libpcap's bpf_image). */
export function formatBpfInstruction(ins: BpfInstruction): string {
  const n = `(${String(ins.index).padStart(3, '0')})`;
  if (ins.jumpTrue !== undefined && ins.jumpFalse !== undefined) {
    return `${n} ${ins.mnemonic.padEnd(8)} ${ins.operand.padEnd(16)} jt ${ins.jumpTrue}\tjf ${ins.jumpFalse}`;
  }
  return ins.operand === '' ? `${n} ${ins.mnemonic}` : `${n} ${ins.mnemonic.padEnd(8)} ${ins.operand}`;
}

/** Whether text starts like one of tcpdump's BPF dumps (its first non-blank lines). */
export function looksLikeBpfProgram(text: string): boolean {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const [first, second] = lines;
  if (first === undefined) return false;
  if (D_LINE.test(first) && /^\(000\) /.test(first)) return MNEMONIC_CLASS.has(D_LINE.exec(first)![2]!);
  if (DD_LINE.test(first)) return true;
  return COUNT_LINE.test(first) && second !== undefined && DDD_LINE.test(second);
}

/** Parses a -d, -dd or -ddd dump (one program); see {@link BpfProgram}. */
export function parseBpfProgram(text: string): BpfProgram {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  // iptables' --bytecode form: the -ddd lines joined with commas on one line.
  if (lines.filter((l) => l.trim() !== '').length === 1 && /^\s*\d+,\d+ \d+ \d+ \d+(?:,\d+ \d+ \d+ \d+)*\s*$/.test(text)) {
    return readDdd(text.trim().split(','), true);
  }
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return { instructions: [], problems: [{ line: 0, message: 'no BPF program: the text is empty' }] };
  const head = lines[first]!.trim();
  if (D_LINE.test(head)) return check(readD(lines), 'd');
  if (DD_LINE.test(head)) return check(readDd(lines), 'dd');
  if (COUNT_LINE.test(head)) return readDdd(lines, false);
  return {
    instructions: [],
    problems: [
      {
        line: first + 1,
        message: `not a BPF dump: expected "(000) ldh [12]" (-d), "{ 0x28, 0, 0, 0x0000000c }," (-dd) or an instruction count (-ddd), got "${clip(head)}"`,
      },
    ],
  };
}

interface Read {
  instructions: BpfInstruction[];
  problems: BpfProblem[];
  /** 1-based line of each instruction, for messages. */
  lineOf: number[];
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** Calls `visit` with each non-blank line, trimmed, and its 1-based number. */
function eachLine(lines: string[], visit: (line: string, lineNo: number) => void) {
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line !== '') visit(line, i + 1);
  });
}

function readD(lines: string[]): Read {
  const read: Read = { instructions: [], problems: [], lineOf: [] };
  eachLine(lines, (line, lineNo) => {
    const m = D_LINE.exec(line);
    const opClass = m ? MNEMONIC_CLASS.get(m[2]!) : undefined;
    if (!m || (!opClass && m[2] !== 'unimp')) {
      read.problems.push({ line: lineNo, message: `not a tcpdump -d instruction: "${clip(line)}"` });
      return;
    }
    const index = read.instructions.length;
    if (Number(m[1]) !== index) read.problems.push({ line: lineNo, message: `instruction (${m[1]}) stands at position ${index}` });
    const mnemonic = m[2]!;
    let operand = m[3] ?? '';
    const ins: BpfInstruction = { index, opClass: opClass ?? 'misc', mnemonic, operand };
    const jump = D_JUMP.exec(operand);
    if (jump) {
      operand = jump[1]!.trim();
      Object.assign(ins, { operand, jumpTrue: Number(jump[2]), jumpFalse: Number(jump[3]) });
    } else if (opClass === 'jmp' && mnemonic !== 'ja') {
      read.problems.push({ line: lineNo, message: `${mnemonic} without "jt N jf M": "${clip(line)}"` });
    }
    if (mnemonic === 'ja') {
      if (/^\d+$/.test(operand)) ins.jumpTo = Number(operand);
      else read.problems.push({ line: lineNo, message: `ja needs a target instruction number, got "${operand}"` });
    }
    if (mnemonic === 'ret') ins.verdict = operand === '' || operand === 'a' ? 'accumulator' : /^#0*$|^#0x0+$/.test(operand) ? 'reject' : 'accept';
    read.instructions.push(ins);
    read.lineOf.push(lineNo);
  });
  return read;
}

/** Numeric fields within their widths (code u16, jt/jf u8, k u32), or a problem. */
function numeric(code: number, jt: number, jf: number, k: number): string | undefined {
  if (!(code <= 0xffff)) return `code ${code} does not fit 16 bits`;
  if (!(jt <= 0xff) || !(jf <= 0xff)) return `jt/jf ${jt}/${jf} do not fit 8 bits`;
  if (!(k <= 0xffffffff)) return `k ${k} does not fit 32 bits`;
  return undefined;
}

function readNumeric(read: Read, lineNo: number, fields: number[]) {
  const [code, jt, jf, k] = fields as [number, number, number, number];
  const bad = numeric(code, jt, jf, k);
  if (bad) {
    read.problems.push({ line: lineNo, message: bad });
    return;
  }
  read.instructions.push(disassemble(read.instructions.length, code, jt, jf, k));
  read.lineOf.push(lineNo);
}

function readDd(lines: string[]): Read {
  const read: Read = { instructions: [], problems: [], lineOf: [] };
  eachLine(lines, (line, lineNo) => {
    const m = DD_LINE.exec(line);
    if (!m) {
      read.problems.push({ line: lineNo, message: `not a tcpdump -dd instruction: "${clip(line)}"` });
      return;
    }
    readNumeric(read, lineNo, [Number.parseInt(m[1]!, 16), Number(m[2]), Number(m[3]), Number.parseInt(m[4]!, 16)]);
  });
  return read;
}

/** -ddd: the count, then one `code jt jf k` line per instruction. `joined`: iptables' comma form (one line). */
function readDdd(parts: string[], joined: boolean): BpfProgram {
  const read: Read = { instructions: [], problems: [], lineOf: [] };
  const at = (lineNo: number) => (joined ? 1 : lineNo);
  let count: { value: number; line: number } | undefined;
  let seen = 0;
  eachLine(parts, (line, lineNo) => {
    if (count === undefined) {
      count = { value: Number(line), line: at(lineNo) };
      return;
    }
    seen++;
    const m = DDD_LINE.exec(line);
    if (!m) {
      read.problems.push({ line: at(lineNo), message: `not a tcpdump -ddd instruction ("code jt jf k" in decimal): "${clip(line)}"` });
      return;
    }
    readNumeric(read, at(lineNo), m.slice(1, 5).map(Number));
  });
  if (count && count.value !== seen) {
    const truncated = seen < count.value ? ': the dump is truncated' : '';
    read.problems.push({ line: count.line, message: `the count line says ${count.value} instructions but ${seen} lines follow${truncated}` });
  }
  return check(read, 'ddd');
}

/** Checks jump targets and the program's shape; the model keeps every instruction either way. */
function check(read: Read, format: BpfProgram['format']): BpfProgram {
  const { instructions, problems, lineOf } = read;
  const n = instructions.length;
  for (const ins of instructions) {
    for (const [what, target] of [
      ['true', ins.jumpTrue],
      ['false', ins.jumpFalse],
      ['ja', ins.jumpTo],
    ] as const) {
      if (target === undefined) continue;
      if (target <= ins.index || target >= n) {
        problems.push({
          line: lineOf[ins.index]!,
          message: `instruction ${ins.index} (${ins.mnemonic}) jumps ${what === 'ja' ? '' : `when ${what} `}to ${target}, outside the program (${ins.index + 1}–${n - 1})`,
        });
      }
    }
  }
  if (n === 0) problems.push({ line: 0, message: 'the program has no instructions' });
  else if (instructions[n - 1]!.mnemonic !== 'ret')
    problems.push({ line: lineOf[n - 1]!, message: 'the last instruction is not a ret: the kernel refuses a program that can run off its end' });
  if (n > MAX_INSTRUCTIONS) problems.push({ line: 0, message: `${n} instructions: more than the kernel's ${MAX_INSTRUCTIONS}` });
  problems.sort((a, b) => a.line - b.line);
  return { format, instructions, problems };
}
