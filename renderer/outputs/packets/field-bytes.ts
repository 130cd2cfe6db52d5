/**
 * How a packet's bytes and its details tree meet: the hex + ASCII layout (16 bytes a row, offsets),
 * the field a byte belongs to (the innermost one covering it, as a click in Wireshark's bytes
 * pane selects), and which top-level layers the link-layer toggle hides.
 */
import type { FieldNode } from '../../../core/common/packets/types.ts';

export const BYTES_PER_ROW = 16;
/** Bytes drawn at the most (a 64 KiB loopback packet would be 4096 rows of spans). */
export const MAX_BYTES_SHOWN = 16_384;
/** Tree nodes a byte lookup visits at the most (a hostile tree may have millions). */
const MAX_NODES_VISITED = 200_000;

/** A field's position in the tree: child indices from the top level down. */
export type FieldPath = number[];

/** The bytes a hex view shows: `[from, to)` of the packet, at most {@link MAX_BYTES_SHOWN}. */
export function shownBytes(length: number, networkOffset: number, showLink: boolean): { from: number; to: number; hidden: number } {
  const from = showLink ? 0 : Math.min(networkOffset, length);
  const to = Math.min(length, from + MAX_BYTES_SHOWN);
  return { from, to, hidden: length - to };
}

/** Hex offset column, four digits as Wireshark and tcpdump print it (more when needed). */
export function offsetLabel(offset: number): string {
  return offset.toString(16).padStart(4, '0');
}

export function hexByte(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** The ASCII column: printable ASCII as is, anything else as `.`. */
export function asciiByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

/** Top-level layers shown: without the link layer, the layers that end at or before `networkOffset` go. */
export function shownLayers(tree: readonly FieldNode[], networkOffset: number, showLink: boolean): number[] {
  const out: number[] = [];
  tree.forEach((node, i) => {
    const linkLayer = networkOffset > 0 && node.start !== undefined && node.end !== undefined && node.end <= networkOffset;
    if (showLink || !linkLayer) out.push(i);
  });
  return out;
}

export function fieldAt(tree: readonly FieldNode[], path: FieldPath): FieldNode | undefined {
  let nodes: readonly FieldNode[] | undefined = tree;
  let node: FieldNode | undefined;
  for (const i of path) {
    node = nodes?.[i];
    nodes = node?.children;
  }
  return node;
}

const covers = (n: FieldNode, offset: number) => n.start !== undefined && n.end !== undefined && n.start <= offset && offset < n.end;

/**
 * The innermost field covering byte `offset` (among siblings the narrowest, then the first), within
 * the top-level layers `layers`; undefined when none covers it.
 */
export function fieldOfByte(tree: readonly FieldNode[], offset: number, layers: readonly number[] = tree.map((_, i) => i)): FieldPath | undefined {
  let visited = 0;
  let best: { path: FieldPath; width: number } | undefined;
  const pick = (nodes: readonly FieldNode[], indices: Iterable<number>, path: FieldPath): void => {
    let chosen = -1;
    let width = Infinity;
    for (const i of indices) {
      if (++visited > MAX_NODES_VISITED) break;
      const n = nodes[i]!;
      if (covers(n, offset) && n.end! - n.start! < width) {
        chosen = i;
        width = n.end! - n.start!;
      }
    }
    if (chosen < 0) return;
    best = { path: [...path, chosen], width };
    const children = nodes[chosen]!.children;
    if (children?.length) pick(children, children.keys(), best.path);
  };
  pick(tree, layers, []);
  return best?.path;
}
