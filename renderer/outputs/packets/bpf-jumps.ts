/**
 * The jump arrows of a BPF program view: one edge per jump (true, false, or `ja`), each in a lane
 * of the gutter so that no two crossing edges share a vertical line. Short edges take the lanes
 * nearest the code, as in disassemblers; edges of one kind into one target may share a lane.
 */
import type { BpfInstruction } from '../../../core/common/parsers/tcpdump/bpf-program.ts';

export type JumpKind = 'true' | 'false' | 'always';

export interface JumpEdge {
  from: number;
  to: number;
  kind: JumpKind;
  /** 0 is nearest the code. */
  lane: number;
}

/** The edges of `instructions` with their lanes; jumps past the program's end are left out (the parser reports them). */
export function layoutJumps(instructions: readonly BpfInstruction[]): { edges: JumpEdge[]; lanes: number } {
  const n = instructions.length;
  const edges: JumpEdge[] = [];
  for (const ins of instructions) {
    const add = (to: number | undefined, kind: JumpKind) => {
      if (to !== undefined && to >= 0 && to < n) edges.push({ from: ins.index, to, kind, lane: 0 });
    };
    add(ins.jumpTrue, 'true');
    add(ins.jumpFalse, 'false');
    add(ins.jumpTo, 'always');
  }
  const span = (e: JumpEdge) => Math.abs(e.to - e.from);
  const order = [...edges].sort((a, b) => span(a) - span(b) || a.from - b.from);
  const lanes: JumpEdge[][] = [];
  for (const e of order) {
    const lo = Math.min(e.from, e.to);
    const hi = Math.max(e.from, e.to);
    let lane = lanes.findIndex((taken) =>
      taken.every((o) => (o.to === e.to && o.kind === e.kind) || hi < Math.min(o.from, o.to) || lo > Math.max(o.from, o.to)),
    );
    if (lane < 0) lane = lanes.push([]) - 1;
    lanes[lane]!.push(e);
    e.lane = lane;
  }
  return { edges, lanes: lanes.length };
}
