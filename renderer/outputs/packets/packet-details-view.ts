/**
 * The selected packet: its details tree (collapsible, problems marked, expanded layers stay
 * expanded from packet to packet as in Wireshark) and its bytes as hex + ASCII. Selecting a field
 * highlights its bytes in both columns; clicking a byte selects the innermost field covering it.
 * The link-layer toggle hides the link layer in both.
 */
import type { FieldNode } from '../../../core/common/packets/types.ts';
import { h } from '../dom.ts';
import { asciiByte, BYTES_PER_ROW, type FieldPath, fieldAt, fieldOfByte, hexByte, offsetLabel, shownBytes, shownLayers } from './field-bytes.ts';
import type { PacketDetails } from './packet-source.ts';

/** Children drawn when a node is expanded, at the most. */
const MAX_CHILDREN_SHOWN = 500;
/** Characters of a label shown. */
const MAX_LABEL = 1000;

/** A node's name for remembering that it was expanded: its field name, or its label up to the first value. */
function nodeKey(n: FieldNode): string {
  return n.field ?? n.label.replace(/[:,(].*$/s, '').slice(0, 80);
}

export class PacketDetailsView {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly tree: HTMLElement;
  private readonly bytes: HTMLElement;
  private details: PacketDetails | null = null;
  private showLink = true;
  private layers: number[] = [];
  /** Keys (joined by `/`) of the nodes the user expanded. */
  private readonly expanded = new Set<string>();
  private selectedPath: FieldPath | null = null;
  private readonly lines = new Map<string, HTMLElement>();
  private byteFrom = 0;
  private hexCells: HTMLElement[] = [];
  private asciiCells: HTMLElement[] = [];
  private lit: [number, number] = [0, 0];

  constructor() {
    this.header = h('div', 'pb-pk-detail-head');
    this.tree = h('div', 'pb-pk-tree');
    this.tree.setAttribute('role', 'tree');
    this.tree.setAttribute('aria-label', 'Packet details');
    this.bytes = h('div', 'pb-pk-bytes');
    this.bytes.setAttribute('aria-label', 'Packet bytes: click a byte to select its field');
    this.element = h('div', 'pb-pk-details', this.header, h('div', 'pb-pk-panes', this.tree, this.bytes));
    this.element.hidden = true;
    this.bytes.addEventListener('click', (ev) => {
      const i = (ev.target as HTMLElement).dataset['byte'];
      if (i !== undefined) this.selectByte(Number(i));
    });
  }

  /** Shows a packet (null: nothing selected); `title` names it. */
  show(details: PacketDetails | null, title = ''): void {
    this.details = details;
    this.selectedPath = null;
    this.element.hidden = details === null;
    if (!details) return;
    const problems = details.problems.length ? h('div', 'pb-pk-bad-note', `⚠ ${details.problems.slice(0, 5).join('; ')}`) : null;
    this.header.replaceChildren(h('div', '', h('span', 'pb-pk-detail-title', title), details.note ? h('div', 'pb-note', details.note) : null, problems));
    this.draw();
  }

  setShowLink(show: boolean): void {
    this.showLink = show;
    if (!this.details) return;
    if (this.selectedPath && !this.layers.includes(this.selectedPath[0]!)) this.selectedPath = null;
    this.draw();
  }

  /** Selects the field at `path` (expanding its parents), highlighting its bytes. */
  selectField(path: FieldPath | null): void {
    this.selectedPath = path;
    const keys = this.keysOf(path ?? []);
    for (let i = 1; i < keys.length; i++) this.expanded.add(keys.slice(0, i).join('/'));
    this.drawTree();
    this.highlight();
    const line = path && this.lines.get(path.join('.'));
    line?.scrollIntoView({ block: 'nearest' });
  }

  private selectByte(i: number): void {
    if (!this.details) return;
    this.selectField(fieldOfByte(this.details.tree, i, this.layers) ?? null);
  }

  private draw(): void {
    const d = this.details!;
    this.layers = shownLayers(d.tree, d.networkOffset, this.showLink);
    this.drawTree();
    this.drawBytes();
    this.highlight();
  }

  private keysOf(path: FieldPath): string[] {
    const keys: string[] = [];
    let nodes: readonly FieldNode[] | undefined = this.details?.tree;
    for (const i of path) {
      const n = nodes?.[i];
      if (!n) break;
      keys.push(nodeKey(n));
      nodes = n.children;
    }
    return keys;
  }

  private drawTree(): void {
    this.lines.clear();
    const d = this.details!;
    const holder = h('div', 'pb-pk-nodes');
    this.addNodes(holder, d.tree, this.layers, [], '');
    this.tree.replaceChildren(holder);
  }

  private addNodes(parent: HTMLElement, nodes: readonly FieldNode[], indices: readonly number[], path: FieldPath, key: string): void {
    for (const i of indices.slice(0, MAX_CHILDREN_SHOWN)) {
      const n = nodes[i]!;
      const p = [...path, i];
      const k = key ? `${key}/${nodeKey(n)}` : nodeKey(n);
      const open = this.expanded.has(k);
      const hasChildren = (n.children?.length ?? 0) > 0;
      const label = n.label.length > MAX_LABEL ? `${n.label.slice(0, MAX_LABEL)}…` : n.label;
      const caret = h('span', 'pb-pk-caret', hasChildren ? (open ? '▾' : '▸') : '');
      const line = h('div', 'pb-pk-line', caret, h('span', 'pb-pk-label', label), n.problem ? h('span', 'pb-pk-problem', `⚠ ${n.problem}`) : null);
      line.dataset['path'] = p.join('.');
      if (n.start !== undefined && n.end !== undefined) line.dataset['range'] = `${n.start}-${n.end}`;
      if (n.field) line.title = n.value === undefined ? n.field : `${n.field} == ${n.value}`.slice(0, 500);
      line.classList.toggle('pb-pk-line-bad', Boolean(n.problem));
      line.classList.toggle('pb-pk-line-sel', this.selectedPath?.join('.') === p.join('.'));
      const item = h('div', 'pb-pk-node', line);
      item.setAttribute('role', 'treeitem');
      if (hasChildren) item.setAttribute('aria-expanded', String(open));
      line.addEventListener('click', (ev) => {
        if (hasChildren && (ev.target === caret || ev.detail === 2)) {
          if (open) this.expanded.delete(k);
          else this.expanded.add(k);
        }
        this.selectField(p);
      });
      this.lines.set(p.join('.'), line);
      if (hasChildren && open) {
        const kids = h('div', 'pb-pk-kids');
        this.addNodes(kids, n.children!, [...n.children!.keys()], p, k);
        item.append(kids);
      }
      parent.append(item);
    }
    if (indices.length > MAX_CHILDREN_SHOWN) parent.append(h('div', 'pb-empty', `… ${indices.length - MAX_CHILDREN_SHOWN} more fields not shown`));
  }

  private drawBytes(): void {
    const d = this.details!;
    this.hexCells = [];
    this.asciiCells = [];
    this.lit = [0, 0];
    if (!d.data) {
      this.bytes.replaceChildren();
      this.bytes.hidden = true;
      return;
    }
    this.bytes.hidden = false;
    const { from, to, hidden } = shownBytes(d.data.length, d.networkOffset, this.showLink);
    this.byteFrom = from;
    const rows: HTMLElement[] = [];
    for (let at = from; at < to; at += BYTES_PER_ROW) {
      const hex = h('span', 'pb-pk-hex');
      const ascii = h('span', 'pb-pk-ascii');
      for (let i = at; i < Math.min(to, at + BYTES_PER_ROW); i++) {
        const b = d.data[i]!;
        const x = h('span', 'pb-pk-b', hexByte(b));
        const a = h('span', 'pb-pk-b', asciiByte(b));
        x.dataset['byte'] = a.dataset['byte'] = String(i);
        if (i - at === 8) hex.append(' ');
        hex.append(x, i + 1 < Math.min(to, at + BYTES_PER_ROW) ? ' ' : '');
        ascii.append(a);
        this.hexCells.push(x);
        this.asciiCells.push(a);
      }
      // Offsets count from the first byte shown, as tcpdump -x counts from the network header.
      rows.push(h('div', 'pb-pk-hexrow', h('span', 'pb-pk-off', offsetLabel(at - from)), hex, ascii));
    }
    if (hidden > 0) rows.push(h('div', 'pb-empty', `… ${hidden} more bytes not shown (the capture file has them)`));
    this.bytes.replaceChildren(...rows);
  }

  private highlight(): void {
    const [a, b] = this.lit;
    for (let i = a; i < b; i++) {
      this.hexCells[i]?.classList.remove('pb-pk-lit');
      this.asciiCells[i]?.classList.remove('pb-pk-lit');
    }
    const f = this.selectedPath && this.details ? fieldAt(this.details.tree, this.selectedPath) : undefined;
    if (f?.start === undefined || f.end === undefined) {
      this.lit = [0, 0];
      return;
    }
    const start = Math.max(0, f.start - this.byteFrom);
    const end = Math.min(this.hexCells.length, f.end - this.byteFrom);
    for (let i = start; i < end; i++) {
      this.hexCells[i]!.classList.add('pb-pk-lit');
      this.asciiCells[i]!.classList.add('pb-pk-lit');
    }
    this.lit = [start, Math.max(start, end)];
  }
}
