/**
 * The packet model shared by the capture readers (pcap, pcapng, tcpdump's text), the decoder, the
 * display filter, the text summary and the packet view. Everything here is plain JSON-able data
 * except `Uint8Array` bytes; times are kept as whole seconds + nanoseconds, never as a float.
 *
 * Untrusted input: every reader and the decoder take bytes from a capture someone else may have
 * made. They never throw on bad data: a bad file is a {@link CaptureProblem}, a bad packet is a
 * {@link DecodedPacket} with `problems`, and every size is bounded before it is allocated.
 */

/** A point in time: `sec` since the Unix epoch and `nsec` (0–999,999,999). */
export interface Timestamp {
  sec: number;
  nsec: number;
}

/** The link types we decode (LINKTYPE_* numbers of https://www.tcpdump.org/linktypes.html). */
export const LINKTYPE = {
  NULL: 0, // BSD loopback: 4-byte address family in host byte order
  ETHERNET: 1,
  RAW: 101, // raw IPv4/IPv6
  LOOP: 108, // OpenBSD loopback: address family in network byte order
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** One interface of a capture (pcap has one; pcapng one per IDB). */
export interface CaptureInterface {
  linkType: number;
  snapLen: number;
  /** Timestamp units per second: 1e6 (µs) or 1e9 (ns), or what if_tsresol says. */
  tsUnitsPerSecond: number;
  name?: string;
  filter?: string;
  os?: string;
}

/** One captured packet as the capture holds it (before decoding). */
export interface PacketRecord {
  /** 1-based, in capture order. */
  no: number;
  time: Timestamp;
  /** Index into the capture's interfaces. */
  iface: number;
  /** Length on the wire. */
  origLen: number;
  /** The captured bytes (`length <= origLen`; shorter when the snap length cut it). */
  data: Uint8Array;
}

/** Something wrong with a capture file or stream as a whole (not with one packet). */
export interface CaptureProblem {
  /** Byte offset in the stream where it was found. */
  offset: number;
  message: string;
  /** Whether reading stopped there (true) or went on past it (false). */
  fatal: boolean;
}

/** A field of the details tree; byte ranges are offsets into the packet's `data`. */
export interface FieldNode {
  /** What the user reads, e.g. `Source Port: 53308` or `Flags: 0x018 (PSH, ACK)`. */
  label: string;
  /** Offset of the field's first byte in the packet's data (omitted for fields with no bytes). */
  start?: number;
  /** Offset just past its last byte. */
  end?: number;
  children?: FieldNode[];
  /** Marks a malformed, truncated or suspicious field (shown in the tree and the packet list). */
  problem?: string;
  /**
   * The Wireshark display-filter name of the field (`ip.ttl`, `tcp.srcport`, `dns.qry.name`), when
   * there is one: the tests compare `value` with what `tshark -T json` prints for that name, and
   * the view can offer it as a filter.
   */
  field?: string;
  /** The field's value written as tshark writes it (`64`, `0x0018`, `example.com`). */
  value?: string;
}

/** What the packet list shows of one packet: a decoded packet without its details tree. */
export interface PacketSummary {
  /** Network source: IP address (or MAC / ARP sender when there is no IP). */
  source: string;
  destination: string;
  /** Highest decoded protocol, as the list shows it: `TCP`, `DNS`, `ICMPv6`, `ARP`, `HTTP`, … */
  protocol: string;
  /** The Info column, Wireshark-like: `53308 → 8080 [PSH, ACK] Seq=1 Ack=1 Win=64 Len=88`. */
  info: string;
  /** Offset where the link layer ends (0 for RAW/IPv4/IPv6), to hide the link layer in the bytes. */
  networkOffset: number;
  /** Filterable facts (for the display filter): protocols present, addresses and ports. */
  facts: PacketFacts;
  /** Problems found while decoding (truncated, bad length, unknown link type …); empty when none. */
  problems: string[];
}

/** One decoded packet: a list row and the details tree. */
export interface DecodedPacket extends PacketSummary {
  /** Headers outermost first: the link layer (or the network layer for RAW captures), then inward. */
  tree: FieldNode[];
}

/** What the display filter tests; filled by the decoder. */
export interface PacketFacts {
  /** Lower-case protocol names present, outermost first: `eth`, `vlan`, `sll`, `ip`, `ipv6`, `arp`, `icmp`, `icmpv6`, `tcp`, `udp`, `dns`, `ntp`, `http`. */
  protocols: string[];
  /** Every address the packet carries (IP addresses as text, MACs as `aa:bb:…`). */
  addresses: { src?: string; dst?: string; srcMac?: string; dstMac?: string };
  ports: { src?: number; dst?: number };
}
