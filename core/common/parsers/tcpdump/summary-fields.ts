/**
 * The fields that are easy to read off a tcpdump summary (the packet line after its time, with
 * -v's continuation lines joined): link layer (-e), Linux cooked prefix (`-i any`), protocol,
 * addresses and ports, TCP flags, `length N`. Whatever is not recognised is simply not set: the
 * summary itself is always kept.
 */

/** The link-layer part that `-e` prints: `aa:… > bb:…, ethertype IPv4 (0x0800), length 74: `. */
export interface LinkFields {
  /** Source MAC (the only MAC on a Linux cooked capture). */
  src: string;
  dst?: string;
  /** As printed: `IPv4`, `IPv6`, `ARP`, `802.1Q`, `802.3` … */
  type: string;
  /** The ethertype number when printed (`(0x0800)`). */
  ethertype?: number;
  /** Frame length on the wire (`length 74`). */
  frameLength: number;
}

export interface SummaryFields {
  /** Network protocol as tcpdump names it: `IP`, `IP6`, `ARP`, `STP` … (from `-e`'s ethertype too). */
  protocol?: string;
  /** `TCP`, `UDP`, `ICMP`, `ICMP6`, when the summary says so. */
  transport?: string;
  src?: string;
  dst?: string;
  /** Port numbers; a service name (without -n: `http`) stays a string. */
  srcPort?: number | string;
  dstPort?: number | string;
  /** TCP flags as printed inside `Flags [...]`: `S`, `S.`, `P.`, `F.`, `R` … */
  tcpFlags?: string;
  /** The protocol's `length N` (TCP/UDP payload, ICMP, ARP). */
  length?: number;
  link?: LinkFields;
  /** 802.1Q tags, outermost first (`vlan 5, p 0, `). */
  vlans?: number[];
  /** Linux cooked v2 (`-i any`): the interface and direction (`In`, `Out`, `B`, `M`, `P`). */
  interface?: string;
  direction?: string;
}

const MAC = '[0-9a-f]{2}(?::[0-9a-f]{2}){5}';
const COOKED = /^(\S+) +(In|Out|B|M|P) +(?:ifindex \d+ )?/;
const LINK = new RegExp(`^(${MAC})(?: > (${MAC}),)? (?:ethertype )?([^\\s,()]+)(?: \\((0x[0-9a-f]{4})\\))?, length (\\d+): `);
const VLAN = /^vlan (\d+), p \d+, (?:ethertype )?([^\s,()]+)(?: \(0x[0-9a-f]{4}\))?, /;
/** A leading upper-case protocol word: `IP `, `IP6 `, `ARP, `, `STP 802.1d, `, `LLDP, `. */
const PROTOCOL_WORD = /^([A-Z][A-Z0-9]*(?:v\d)?),? /;
/** A parenthesised group with one level of nesting: -v's `(tos 0x0, …, proto TCP (6), length 60)`. */
const PAREN_GROUP = /^\((?:[^()]|\([^()]*\))*\) ?/;
const ADDRESSES = /^(\S+) > (\S+?):(?: |$)/;
/** Leading checksum notes of -vv (`[bad udp cksum 0xfe33 -> 0x31d7!] `, `[icmp6 sum ok] `). */
const NOTES = '(?:\\[[^\\]]*\\] )*';
const TCP_FLAGS = new RegExp(`^${NOTES}Flags \\[([^\\]]*)\\]`);
const TRANSPORT_WORD = new RegExp(`^${NOTES}(UDP|udp|tcp|ICMP6|ICMP)\\b`);
const VERBOSE_PROTO = /\b(?:proto|next-header) (\w+) \(\d+\)/;
const LENGTH = /\blength (\d+)/;
/** Protocols with no ports: a host name in their lines keeps its dots. */
const PORTLESS = /^(?:\[[^\]]*\] )*(?:ICMP6?|igmp|IGMP|GRE|ESP|AH|VRRP|OSPF|PIM|ip-proto)/;

const ETHERTYPE_PROTOCOL: Record<string, string> = { IPv4: 'IP', IPv6: 'IP6' };

/** Reads the easy fields of a summary (the text after the time). */
export function readSummaryFields(summary: string): SummaryFields {
  const fields: SummaryFields = {};
  let rest = summary;
  const cooked = COOKED.exec(rest);
  if (cooked) {
    fields.interface = cooked[1];
    fields.direction = cooked[2];
    rest = rest.slice(cooked[0].length);
  }
  const link = LINK.exec(rest);
  if (link) {
    fields.link = { src: link[1]!, type: link[3]!, frameLength: Number(link[5]) };
    if (link[2]) fields.link.dst = link[2];
    if (link[4]) fields.link.ethertype = Number.parseInt(link[4], 16);
    let type = link[3]!;
    rest = rest.slice(link[0].length);
    for (let vlan = VLAN.exec(rest); vlan; vlan = VLAN.exec(rest)) {
      (fields.vlans ??= []).push(Number(vlan[1]));
      type = vlan[2]!;
      rest = rest.slice(vlan[0].length);
    }
    fields.protocol = ETHERTYPE_PROTOCOL[type] ?? type;
  } else {
    const word = PROTOCOL_WORD.exec(rest);
    if (word) {
      fields.protocol = word[1];
      rest = rest.slice(word[0].length);
    }
  }
  const verbose = PAREN_GROUP.exec(rest);
  const verboseText = verbose?.[0] ?? '';
  if (verbose) rest = rest.slice(verbose[0].length);
  const addresses = ADDRESSES.exec(rest);
  const info = addresses ? rest.slice(addresses[0].length) : rest;
  if (addresses) {
    const portless = PORTLESS.test(info);
    Object.assign(fields, endpoint('src', addresses[1]!, portless), endpoint('dst', addresses[2]!, portless));
  }
  const flags = TCP_FLAGS.exec(info);
  if (flags) {
    fields.tcpFlags = flags[1];
    fields.transport = 'TCP';
  } else {
    const word = TRANSPORT_WORD.exec(info)?.[1] ?? VERBOSE_PROTO.exec(verboseText)?.[1];
    if (word) fields.transport = word === 'ICMPv6' ? 'ICMP6' : word.toUpperCase();
  }
  const length = LENGTH.exec(info);
  if (length) fields.length = Number(length[1]);
  return fields;
}

/**
 * Splits `127.0.0.1.53308`, `::1.37931`, `localhost.http` into address and port. IP literals say
 * for themselves whether a port follows (five dotted parts for IPv4; one dot after the last colon
 * for IPv6, or five dotted parts for an embedded IPv4); a host name is split at its last dot
 * unless the protocol has no ports.
 */
function endpoint(side: 'src' | 'dst', text: string, portless: boolean): SummaryFields {
  const port = side === 'src' ? 'srcPort' : 'dstPort';
  const split = (at: number): SummaryFields => {
    const name = text.slice(at + 1);
    return { [side]: text.slice(0, at), [port]: /^\d+$/.test(name) ? Number(name) : name };
  };
  const lastDot = text.lastIndexOf('.');
  if (lastDot < 0) return { [side]: text };
  if (/^\d{1,3}(?:\.\d{1,3}){3,4}$/.test(text)) return text.split('.').length === 5 ? split(lastDot) : { [side]: text };
  if (text.includes(':')) {
    const dotted = text.slice(text.lastIndexOf(':') + 1).split('.').length;
    return dotted === 2 || dotted === 5 ? split(lastDot) : { [side]: text };
  }
  return portless ? { [side]: text } : split(lastDot);
}
