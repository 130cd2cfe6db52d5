/**
 * `application/vnd.probebook.bpf-program+json` (`tcpdump -d/-dd/-ddd`) as a program: the filter
 * expression above, numbered instructions (index, mnemonic, operand, jumps) in a monospace table,
 * jump arrows in a gutter (true solid, false dashed, each in its colour), `ret` verdicts marked
 * accept/reject, and the parser's problems. Hovering an instruction highlights where it jumps.
 */
import { MIME } from '../../../core/common/mime.ts';
import type { BpfProgramPayload } from '../../../core/common/packets/payload.ts';
import { type BpfInstruction, parseBpfProgram } from '../../../core/common/parsers/tcpdump/bpf-program.ts';
import { copyButton, h } from '../dom.ts';
import { inPlaceRenderer } from '../in-place-renderer.ts';
import { type JumpEdge, layoutJumps } from './bpf-jumps.ts';
import { asBpfProgramPayload } from './payload-shape.ts';

/** Row height in px; outputs.css gives `.pb-bpf-row` the same. */
const ROW_PX = 20;
const LANE_PX = 9;
const SVG_NS = 'http://www.w3.org/2000/svg';
const FORMAT_NAMES: Record<string, string> = { d: 'tcpdump -d', dd: 'tcpdump -dd', ddd: 'tcpdump -ddd' };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function verdictOf(ins: BpfInstruction): HTMLElement | null {
  if (ins.verdict === 'accept') return h('span', 'pb-bpf-verdict pb-bpf-accept', 'accept');
  if (ins.verdict === 'reject') return h('span', 'pb-bpf-verdict pb-bpf-reject', 'reject');
  if (ins.verdict === 'accumulator') return h('span', 'pb-bpf-verdict', 'A decides');
  return null;
}

function jumpsText(ins: BpfInstruction): string {
  if (ins.jumpTrue !== undefined && ins.jumpFalse !== undefined) return `jt ${ins.jumpTrue}  jf ${ins.jumpFalse}`;
  return ins.jumpTo === undefined ? '' : `→ ${ins.jumpTo}`;
}

/** The gutter: one path per edge, from the jump's row to its target's, through the edge's lane. */
function drawGutter(edges: readonly JumpEdge[], lanes: number, rows: number): { gutter: SVGSVGElement; paths: Map<number, SVGPathElement[]> } {
  const width = 12 + lanes * LANE_PX;
  const gutter = svg('svg', { class: 'pb-bpf-gutter', width, height: rows * ROW_PX, 'aria-hidden': 'true' });
  const paths = new Map<number, SVGPathElement[]>();
  for (const e of edges) {
    // True leaves above the row's middle, false below, so both show on a conditional jump.
    const y0 = e.from * ROW_PX + ROW_PX / 2 + (e.kind === 'true' ? -3 : e.kind === 'false' ? 3 : 0);
    const y1 = e.to * ROW_PX + ROW_PX / 2;
    const x = width - 8 - e.lane * LANE_PX;
    const path = svg('path', {
      d: `M ${width} ${y0} H ${x} V ${y1} H ${width - 1}`,
      class: `pb-bpf-edge pb-bpf-${e.kind}`,
      'marker-end': `url(#pb-bpf-arrow-${e.kind})`,
    });
    gutter.append(path);
    const list = paths.get(e.from) ?? [];
    list.push(path);
    paths.set(e.from, list);
  }
  const defs = svg('defs', {});
  for (const kind of ['true', 'false', 'always']) {
    const marker = svg('marker', {
      id: `pb-bpf-arrow-${kind}`,
      viewBox: '0 0 6 6',
      refX: 5,
      refY: 3,
      markerWidth: 6,
      markerHeight: 6,
      markerUnits: 'userSpaceOnUse',
      orient: 'auto',
    });
    marker.append(svg('path', { d: 'M 0 0 L 6 3 L 0 6 z', class: `pb-bpf-head pb-bpf-${kind}` }));
    defs.append(marker);
  }
  gutter.prepend(defs);
  return { gutter, paths };
}

function drawProgram(box: HTMLElement, payload: BpfProgramPayload): void {
  const program = parseBpfProgram(payload.text);
  const { edges, lanes } = layoutJumps(program.instructions);
  const { gutter, paths } = drawGutter(edges, lanes, program.instructions.length);
  const rows = program.instructions.map((ins) => {
    const row = h(
      'div',
      'pb-bpf-row',
      h('span', 'pb-bpf-index', `(${String(ins.index).padStart(3, '0')})`),
      h('span', 'pb-bpf-mnemonic', ins.mnemonic),
      h('span', 'pb-bpf-operand', ins.operand),
      h('span', 'pb-bpf-jumps', jumpsText(ins)),
      verdictOf(ins),
    );
    row.dataset['index'] = String(ins.index);
    row.classList.add(`pb-bpf-class-${ins.opClass}`);
    if (ins.verdict === 'accept' && ins.operand.startsWith('#')) row.title = `accepts the packet (up to ${ins.operand.slice(1)} bytes of it)`;
    if (ins.verdict === 'reject') row.title = 'drops the packet';
    return row;
  });
  const targets = (ins: BpfInstruction) => [ins.jumpTrue, ins.jumpFalse, ins.jumpTo].filter((t): t is number => t !== undefined && t < rows.length);
  const mark = (ins: BpfInstruction, on: boolean) => {
    rows[ins.index]?.classList.toggle('pb-bpf-hover', on);
    for (const t of targets(ins)) rows[t]!.classList.toggle('pb-bpf-target', on);
    for (const p of paths.get(ins.index) ?? []) p.classList.toggle('pb-bpf-hot', on);
  };
  program.instructions.forEach((ins, i) => {
    rows[i]!.addEventListener('mouseenter', () => mark(ins, true));
    rows[i]!.addEventListener('mouseleave', () => mark(ins, false));
  });
  const head = h(
    'div',
    'pb-bpf-head-line',
    payload.expression ? h('span', 'pb-bpf-expression', 'Filter: ', h('code', '', payload.expression)) : h('span', 'pb-bpf-expression', 'BPF program'),
    h(
      'span',
      'pb-bpf-meta',
      `${FORMAT_NAMES[program.format ?? payload.format] ?? 'BPF dump'} · ${program.instructions.length} instructions`,
      h('span', 'pb-bpf-key pb-bpf-true', ' ── true'),
      h('span', 'pb-bpf-key pb-bpf-false', ' ╌╌ false'),
    ),
    h('span', 'pb-spacer'),
    copyButton('Copy', 'Copy the dump as tcpdump printed it', () => payload.text),
  );
  const problems = program.problems.slice(0, 20).map((p) => h('div', 'pb-pk-warn', `⚠ ${p.line ? `line ${p.line}: ` : ''}${p.message}`));
  const code = h('div', 'pb-bpf-code', ...rows);
  box.replaceChildren(head, ...problems, rows.length ? h('div', 'pb-bpf-body', gutter, code) : h('div', 'pb-empty', 'No instructions.'));
}

export const bpfProgramRenderer = inPlaceRenderer({ id: 'bpf-program', mimeTypes: [MIME.bpfProgram], rank: 15, safe: true }, (element, item) => {
  const box = h('div', 'pb-bpf');
  element.append(box);
  drawProgram(box, asBpfProgramPayload(item.data));
  return { show: (next) => drawProgram(box, asBpfProgramPayload(next.data)), dispose: () => box.remove() };
});
