/**
 * The state one packet's decoding walks through its layers with (the row it fills, the details tree
 * when one is wanted, the facts for the display filter), and the small readers and formatters the
 * layers share. A layer decoder reads values first; only when `full` is set does it build labels.
 */
import type { FieldNode, PacketFacts } from './types.ts';

/** The protocols of a packet, interned: packets with the same stack share one array (do not mutate it). */
class ProtocolStack {
  private readonly next = new Map<string, ProtocolStack>();
  constructor(readonly list: string[]) {}
  with(name: string): ProtocolStack {
    let child = this.next.get(name);
    if (!child) this.next.set(name, (child = new ProtocolStack([...this.list, name])));
    return child;
  }
}
const NO_PROTOCOLS = new ProtocolStack([]);

/** Per-stream state that makes one packet's display depend on earlier ones (Wireshark's relative sequence numbers, window scaling). */
export interface TcpDirection {
  /** The sequence number that shows as 0 (the SYN's), once known. */
  base?: number;
  /** Whether this direction's SYN was seen, and the window scale shift it offered (-1: none). */
  synShift?: number;
}

/**
 * State carried from packet to packet, as Wireshark keeps it: TCP sequence numbers relative to each
 * direction's first one, and windows scaled by the shift the handshake agreed. Decode a capture's
 * packets in order with one context (the list does, as they arrive); a packet decoded again later
 * with the same context (the details of a selected row) then reads the same. Without a context,
 * sequence numbers and windows are shown as they are on the wire.
 */
export class DecodeContext {
  /** Keyed by `src|sport|dst|dport`. */
  readonly tcp = new Map<string, TcpDirection>();
}

/** Shared by every packet without problems (most of them): one array less to allocate per packet. Frozen. */
const NO_PROBLEMS: string[] = Object.freeze([]) as unknown as string[];

export class Walk {
  readonly tree: FieldNode[] = [];
  problems: string[] = NO_PROBLEMS;
  source = '';
  destination = '';
  protocol = '';
  info = '';
  networkOffset = 0;
  private stack = NO_PROTOCOLS;
  readonly addresses: PacketFacts['addresses'] = {};
  readonly ports: PacketFacts['ports'] = {};
  /** IPv4 TTL or IPv6 hop limit of the innermost IP header, for ICMP's Info. */
  ttl = 0;
  constructor(
    readonly d: Uint8Array,
    readonly full: boolean,
    readonly ctx: DecodeContext | undefined,
  ) {}

  get protocols(): string[] {
    return this.stack.list;
  }

  /** Marks `name` present (facts.protocols) and makes it the row's protocol column when `column` is given. */
  enter(name: string, column?: string): void {
    this.stack = this.stack.with(name);
    if (column !== undefined) this.protocol = column;
  }

  /** A top-level node of the details tree (null when only the summary is wanted). */
  layer(label: string, start: number, end: number): FieldNode | null {
    if (!this.full) return null;
    const node: FieldNode = { label, start, end: Math.min(end, this.d.length), children: [] };
    this.tree.push(node);
    return node;
  }

  /** Records a problem, on `node` too when there is one. */
  problem(node: FieldNode | null, message: string): void {
    if (this.problems === NO_PROBLEMS) this.problems = [];
    this.problems.push(message);
    if (node) node.problem = node.problem ? `${node.problem}; ${message}` : message;
  }

  /**
   * Whether `length` bytes from `start` were captured; if not, a problem naming `what` ("TCP header")
   * on `node`. Packets cut by the snap length and malformed ones read the same way: what is there shows.
   */
  has(node: FieldNode | null, start: number, length: number, what: string): boolean {
    if (start + length <= this.d.length) return true;
    const got = Math.max(0, this.d.length - start);
    this.problem(node, `${what} truncated: ${length} bytes needed at offset ${start}, ${got} captured`);
    return false;
  }
}

/** Adds a child to `parent` (a no-op without one); `start`/`end` are clamped to the captured bytes. */
export function add(w: Walk, parent: FieldNode | null, label: string, start?: number, end?: number, field?: string, value?: string): FieldNode | null {
  if (!parent) return null;
  const node: FieldNode = { label };
  if (start !== undefined && end !== undefined) {
    node.start = Math.min(start, w.d.length);
    node.end = Math.min(end, w.d.length);
  }
  if (field !== undefined) {
    node.field = field;
    node.value = value;
  }
  (parent.children ??= []).push(node);
  return node;
}

export function u16(d: Uint8Array, o: number): number {
  return (d[o]! << 8) | d[o + 1]!;
}
export function u32(d: Uint8Array, o: number): number {
  return ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
}

/** `0x0800`-style hex with `digits` digits, as tshark writes hex fields. */
export function hexValue(v: number, digits: number): string {
  return `0x${v.toString(16).padStart(digits, '0')}`;
}

const ipv4Cache = new Map<number, string>();
/** Dotted-quad text of the IPv4 address at `o` (cached: a capture repeats few addresses). */
export function ipv4(d: Uint8Array, o: number): string {
  const key = u32(d, o);
  let text = ipv4Cache.get(key);
  if (text === undefined) {
    if (ipv4Cache.size > 65_536) ipv4Cache.clear();
    text = `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
    ipv4Cache.set(key, text);
  }
  return text;
}

/** RFC 5952 text of the IPv6 address at `o`: lower case, the longest run of two or more zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`. */
export function ipv6(d: Uint8Array, o: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(u16(d, o + i * 2));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${ipv4(d, o + 12)}`;
  let bestAt = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestAt, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLength).join(':')}`;
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const macCache = new Map<number, string>();
/** `aa:bb:cc:dd:ee:ff` of the 6 bytes at `o` (cached by value: a capture repeats few MACs). */
export function mac(d: Uint8Array, o: number): string {
  // 48 bits fit a double exactly.
  const key = u16(d, o) * 4294967296 + u32(d, o + 2);
  let text = macCache.get(key);
  if (text === undefined) {
    if (macCache.size > 65_536) macCache.clear();
    text = `${HEX2[d[o]!]}:${HEX2[d[o + 1]!]}:${HEX2[d[o + 2]!]}:${HEX2[d[o + 3]!]}:${HEX2[d[o + 4]!]}:${HEX2[d[o + 5]!]}`;
    macCache.set(key, text);
  }
  return text;
}

/** Bytes as tshark writes a bytes field: `01:02:0a`. */
export function colonHex(d: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end && i < d.length; i++) s += i === start ? HEX2[d[i]!] : `:${HEX2[d[i]!]}`;
  return s;
}

/** `Name (value)` for a number with a known name, `Unknown (value)` otherwise. */
export function named(names: Record<number, string>, v: number): string {
  return `${names[v] ?? 'Unknown'} (${v})`;
}

/** IP protocol numbers (IANA) by name, as Wireshark names them. */
export const IP_PROTOCOLS: Record<number, string> = {
  0: 'IPv6 Hop-by-Hop Option',
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  43: 'Routing',
  44: 'Fragment',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  59: 'No Next Header',
  60: 'Destination Options',
  89: 'OSPF',
  103: 'PIM',
  112: 'VRRP',
  132: 'SCTP',
};
