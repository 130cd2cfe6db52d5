/**
 * tcpdump's hex dump lines (-x/-xx: hex only; -X/-XX: hex and ASCII), tcpdump 4.99
 * `hex_print_with_offset` / `hex_and_ascii_print_with_offset`:
 *   `\t0x0000:  4500 008c d029 4000 4006 6c40 7f00 0001  E....)@.@.l@....`
 *   `\t0x0080:  6570 743a 202a 2f2a 0d0a 0d0a            ept:.*\/*....`
 * One tab, `0x` and at least four hex digits of offset, a colon, then up to eight groups of
 * ` xxxx` (a last odd byte is ` xx`); with ASCII, padding and two spaces, then one character per
 * byte (no spaces: non-graphic bytes print as `.`). Deeper-indented hex (`\t    0x0000:` of -vv
 * option dumps) is not packet bytes and does not match.
 */
import { LINKTYPE } from '../../packets/types.ts';

const HEX_LINE = /^\t0x([0-9a-f]{4,}): ((?: [0-9a-f]{4}){0,8})( [0-9a-f]{2})?(?: {2,}(\S+))? *$/;

/** The bytes of one hex line and the offset it claims, or undefined when the line is not one. */
export function readHexLine(line: string): { offset: number; bytes: number[] } | undefined {
  const m = HEX_LINE.exec(line);
  if (!m) return undefined;
  const groups = m[2] ? m[2].trim().split(' ') : [];
  if (groups.length === 0 && !m[3]) return undefined;
  if (m[3] && groups.length === 8) return undefined;
  const bytes: number[] = [];
  for (const group of groups) bytes.push(Number.parseInt(group.slice(0, 2), 16), Number.parseInt(group.slice(2), 16));
  if (m[3]) bytes.push(Number.parseInt(m[3].trim(), 16));
  // The ASCII column has exactly one character per byte; anything else is not tcpdump's dump.
  if (m[4] !== undefined && m[4].length !== bytes.length) return undefined;
  return { offset: Number.parseInt(m[1]!, 16), bytes };
}

/** Where a packet's printed bytes start: the link-layer header (-xx/-XX) or the network header (-x/-X). */
export type BytesFrom = 'link' | 'network';

/** What is known besides the bytes: the capture's link type (banner) and `-e`'s ethertype. */
export interface BytesContext {
  linkType?: number;
  ethertype?: number;
}

const ETHERTYPES_SEEN_FIRST = new Set([0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8]);

/** An ethertype at `at`, and (where it says IP) a header of that IP version at `payloadAt`. */
function ethertypeAt(b: Uint8Array, at: number, payloadAt: number, expected?: number): boolean {
  if (b.length <= payloadAt) return false;
  const type = (b[at]! << 8) | b[at + 1]!;
  if (expected !== undefined && type !== expected) return false;
  if (type === 0x0800) return b[payloadAt]! >> 4 === 4;
  if (type === 0x86dd) return b[payloadAt]! >> 4 === 6;
  return ETHERTYPES_SEEN_FIRST.has(type);
}

function looksLikeNetworkHeader(b: Uint8Array): boolean {
  if (b.length >= 20 && b[0]! >> 4 === 4 && (b[0]! & 0xf) >= 5 && ((b[2]! << 8) | b[3]!) >= 20) return true;
  if (b.length >= 40 && b[0]! >> 4 === 6) return true;
  // ARP for IPv4 over Ethernet: hardware type 1, protocol 0x0800, lengths 6 and 4.
  return b.length >= 8 && b[0] === 0 && b[1] === 1 && b[2] === 8 && b[3] === 0 && b[4] === 6 && b[5] === 4;
}

/**
 * Decides from the bytes themselves where they start, or undefined when they do not tell. The
 * link header of the capture's link type wins when its ethertype field fits (Ethernet at 12–13,
 * Linux cooked v2 at 0–1, v1 at 14–15); then an IPv4/IPv6/ARP header at offset 0; then an
 * Ethernet header when the link type is not known.
 */
export function detectBytesFrom(bytes: Uint8Array, context: BytesContext): BytesFrom | undefined {
  const { linkType, ethertype } = context;
  if (linkType === LINKTYPE.RAW || linkType === LINKTYPE.IPV4 || linkType === LINKTYPE.IPV6) return 'network';
  if (linkType === LINKTYPE.LINUX_SLL2 && ethertypeAt(bytes, 0, 20, ethertype)) return 'link';
  if (linkType === LINKTYPE.LINUX_SLL && ethertypeAt(bytes, 14, 16, ethertype)) return 'link';
  const ethernet = (linkType === undefined || linkType === LINKTYPE.ETHERNET) && ethertypeAt(bytes, 12, 14, ethertype);
  if (ethernet && (ethertype !== undefined || linkType === LINKTYPE.ETHERNET)) return 'link';
  if (looksLikeNetworkHeader(bytes)) return 'network';
  return ethernet ? 'link' : undefined;
}
