import { test } from 'node:test';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseBpfProgram } from '../../../core/common/parsers/tcpdump/bpf-program.ts';
import { layoutJumps } from './bpf-jumps.ts';

/** `tcpdump -i lo -d 'tcp dst port 8080'` as tcpdump 4.99 printed it. */
function realProgram() {
  const text = readFileSync(join(import.meta.dirname, '../../../../shared/reference/samples/tcpdump-bpf-dumps.txt'), 'utf8');
  const d = text.split('\n\n')[0]!.split('\n').slice(1).join('\n');
  return parseBpfProgram(d);
}

test('every jump of a real tcpdump -d program is an edge to its absolute target', () => {
  const program = realProgram();
  assert.equal(program.instructions.length, 16);
  const { edges } = layoutJumps(program.instructions);
  const from1 = edges.filter((e) => e.from === 1).map((e) => [e.kind, e.to]);
  assert.deepEqual(from1, [
    ['true', 2],
    ['false', 6],
  ]);
  assert.equal(edges.length, 2 * program.instructions.filter((i) => i.jumpTrue !== undefined).length);
});

test('crossing edges never share a lane; edges of one kind into one target may', () => {
  const { edges, lanes } = layoutJumps(realProgram().instructions);
  for (const a of edges) {
    for (const b of edges) {
      if (a === b || a.lane !== b.lane || (a.to === b.to && a.kind === b.kind)) continue;
      const apart = Math.max(a.from, a.to) < Math.min(b.from, b.to) || Math.max(b.from, b.to) < Math.min(a.from, a.to);
      assert.ok(apart, `${a.from}→${a.to} and ${b.from}→${b.to} overlap in lane ${a.lane}`);
    }
  }
  assert.ok(lanes >= 2 && lanes <= edges.length);
  const short = edges.find((e) => e.from === 1 && e.to === 2)!;
  assert.equal(short.lane, 0, 'a jump to the next instruction sits nearest the code');
});

test('jumps past the end are left out', () => {
  const { edges } = layoutJumps([
    { index: 0, opClass: 'jmp', mnemonic: 'jeq', operand: '#1', jumpTrue: 1, jumpFalse: 9 },
    { index: 1, opClass: 'ret', mnemonic: 'ret', operand: '#0' },
  ]);
  assert.deepEqual(
    edges.map((e) => [e.from, e.to, e.kind]),
    [[0, 1, 'true']],
  );
});
