/**
 * Decodes one captured packet into a packet-list row and a details tree modelled on Wireshark's:
 * link layers (Ethernet with 802.1Q/802.1ad tags, Linux cooked SLL and SLL2, raw IP, BSD and
 * OpenBSD loopback), ARP, IPv4 (options, fragments), IPv6 (extension headers), then
 * decode-transport.ts and decode-apps.ts inward. Never throws on bad bytes: a truncated or
 * malformed header is a problem on its node and in `problems`, and what was read still shows.
 *
 * {@link summarizePacket} is the cheap form for the list (no tree, no labels); {@link decodePacket}
 * adds the tree for the selected packet. Both fill the same row.
 */
import { add, colonHex, DecodeContext, hexValue, IP_PROTOCOLS, ipv4, ipv6, mac, named, u16, u32, Walk } from './decode-walk.ts';
import { data, transport } from './decode-transport.ts';
import { type CaptureInterface, type DecodedPacket, LINKTYPE, type PacketRecord, type PacketSummary } from './types.ts';

export { DecodeContext };

/** The packet-list row of `record` (source, destination, protocol, info, facts, problems), without a details tree. */
export function summarizePacket(record: PacketRecord, iface: CaptureInterface | undefined, ctx?: DecodeContext): PacketSummary {
  const w = walk(record, iface, false, ctx);
  return row(w);
}

/** The row and the details tree of `record`; every node with bytes has offsets into `record.data`. */
export function decodePacket(record: PacketRecord, iface: CaptureInterface | undefined, ctx?: DecodeContext): DecodedPacket {
  const w = walk(record, iface, true, ctx);
  return { ...row(w), tree: w.tree };
}

function row(w: Walk): PacketSummary {
  return {
    source: w.source,
    destination: w.destination,
    protocol: w.protocol,
    info: flat(w.info),
    networkOffset: w.networkOffset,
    facts: { protocols: w.protocols, addresses: w.addresses, ports: w.ports },
    problems: w.problems,
  };
}

function walk(record: PacketRecord, iface: CaptureInterface | undefined, full: boolean, ctx: DecodeContext | undefined): Walk {
  const w = new Walk(record.data, full, ctx);
  const linkType = iface?.linkType ?? -1;
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      ethernet(w);
      break;
    case LINKTYPE.LINUX_SLL:
      sll(w);
      break;
    case LINKTYPE.LINUX_SLL2:
      sll2(w);
      break;
    case LINKTYPE.RAW:
      rawIp(w, 0);
      break;
    case LINKTYPE.IPV4:
      ipv4Layer(w, 0);
      break;
    case LINKTYPE.IPV6:
      ipv6Layer(w, 0);
      break;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP:
      loopback(w, linkType === LINKTYPE.LOOP);
      break;
    default: {
      const reason = iface
        ? `link type ${linkType} is not decoded (see tcpdump.org/linktypes.html)`
        : `the packet names interface ${record.iface}, which the capture does not describe`;
      w.problem(null, reason);
      w.protocol = 'Unknown';
      data(w, 0, w.d.length, reason);
    }
  }
  if (record.data.length < record.origLen && w.full) {
    w.tree.unshift({ label: `Frame ${record.no}: ${record.origLen} bytes on wire, ${record.data.length} captured (cut by the snap length)` });
  }
  if (w.protocol === '') w.protocol = 'Unknown';
  // A packet whose decoding stopped at a problem says so in the list.
  if (w.info === '' && w.problems.length > 0) w.info = w.problems[0]!;
  return w;
}

const ETHERTYPES = new Map<number, string>([
  [0x0800, 'IPv4'],
  [0x86dd, 'IPv6'],
  [0x0806, 'ARP'],
  [0x8100, '802.1Q Virtual LAN'],
  [0x88a8, '802.1ad'],
  [0x9100, '802.1Q (QinQ)'],
  [0x88cc, 'LLDP'],
  [0x8035, 'RARP'],
  [0x8847, 'MPLS'],
]);
const etherTypeLabel = (t: number) => `${ETHERTYPES.get(t) ?? 'Unknown'} (${hexValue(t, 4)})`;

function ethernet(w: Walk): void {
  const d = w.d;
  w.enter('eth', 'Ethernet');
  if (d.length < 14) {
    const node = w.layer('Ethernet II', 0, d.length);
    w.has(node, 0, 14, 'Ethernet header');
    return;
  }
  const dst = mac(d, 0);
  const src = mac(d, 6);
  const type = u16(d, 12);
  w.addresses.srcMac = src;
  w.addresses.dstMac = dst;
  w.source = src;
  w.destination = dst;
  const node = w.full ? w.layer(`Ethernet II, Src: ${src}, Dst: ${dst}`, 0, 14) : null;
  if (node) {
    add(w, node, `Destination: ${dst}`, 0, 6, 'eth.dst', dst);
    add(w, node, `Source: ${src}`, 6, 12, 'eth.src', src);
    add(
      w,
      node,
      type <= 1500 ? `Length: ${type}` : `Type: ${etherTypeLabel(type)}`,
      12,
      14,
      type <= 1500 ? 'eth.len' : 'eth.type',
      type <= 1500 ? String(type) : hexValue(type, 4),
    );
  }
  if (type <= 1500) {
    data(w, 14, d.length, 'an IEEE 802.3 frame with an LLC header: not decoded');
    return;
  }
  etherPayload(w, type, 14);
}

/** Decodes what an EtherType announces at offset `o`. */
function etherPayload(w: Walk, type: number, o: number): void {
  switch (type) {
    case 0x0800:
      ipv4Layer(w, o);
      return;
    case 0x86dd:
      ipv6Layer(w, o);
      return;
    case 0x0806:
      arp(w, o);
      return;
    case 0x8100:
    case 0x88a8:
    case 0x9100:
      vlanTag(w, type, o);
      return;
    default:
      data(w, o, w.d.length, `EtherType ${etherTypeLabel(type)} is not decoded`);
  }
}

function vlanTag(w: Walk, tpid: number, o: number): void {
  const d = w.d;
  const ad = tpid === 0x88a8;
  w.enter('vlan', ad ? '802.1ad' : '802.1Q');
  const title = ad ? 'IEEE 802.1ad' : '802.1Q Virtual LAN';
  if (d.length < o + 4) {
    w.has(w.full ? w.layer(title, o, d.length) : null, o, 4, 'VLAN tag');
    return;
  }
  const tci = u16(d, o);
  const id = tci & 0xfff;
  const type = u16(d, o + 2);
  const node = w.full ? w.layer(`${title}, PRI: ${tci >> 13}, DEI: ${(tci >> 12) & 1}, ID: ${id}`, o, o + 4) : null;
  if (node) {
    const prefix = ad ? 'ieee8021ad' : 'vlan';
    add(w, node, `Priority: ${tci >> 13}`, o, o + 2, `${prefix}.priority`, String(tci >> 13));
    add(w, node, `DEI: ${(tci >> 12) & 1}`, o, o + 2, `${prefix}.dei`, String((tci >> 12) & 1));
    add(w, node, `ID: ${id}`, o, o + 2, `${prefix}.id`, String(id));
    add(w, node, `Type: ${etherTypeLabel(type)}`, o + 2, o + 4, ad ? undefined : 'vlan.etype', hexValue(type, 4));
  }
  etherPayload(w, type, o + 4);
}

const SLL_PACKET_TYPES: Record<number, string> = { 0: 'Unicast to us', 1: 'Broadcast', 2: 'Multicast', 3: 'Unicast to another host', 4: 'Sent by us' };

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 16 bytes): what `tcpdump -i any` wrote before libpcap 1.10. */
function sll(w: Walk): void {
  const d = w.d;
  w.enter('sll', 'SLL');
  if (d.length < 16) {
    w.has(w.layer('Linux cooked capture v1', 0, d.length), 0, 16, 'Linux cooked header');
    return;
  }
  const packetType = u16(d, 0);
  const hatype = u16(d, 2);
  const halen = u16(d, 4);
  const protocol = u16(d, 14);
  const address = sllAddress(w, 6, halen);
  const node = w.full ? w.layer('Linux cooked capture v1', 0, 16) : null;
  if (node) {
    add(w, node, `Packet type: ${SLL_PACKET_TYPES[packetType] ?? 'Unknown'} (${packetType})`, 0, 2, 'sll.pkttype', String(packetType));
    add(w, node, `Link-layer address type: ${hatype}`, 2, 4, 'sll.hatype', String(hatype));
    add(w, node, `Link-layer address length: ${halen}`, 4, 6, 'sll.halen', String(halen));
    if (address) add(w, node, `Source: ${address}`, 6, 6 + Math.min(halen, 8), halen === 6 ? 'sll.src.eth' : undefined, address);
    add(w, node, `Protocol: ${etherTypeLabel(protocol)}`, 14, 16, 'sll.etype', hexValue(protocol, 4));
  }
  cookedPayload(w, hatype, protocol, 16);
}

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 20 bytes): what `tcpdump -i any` writes with libpcap 1.10 and later. */
function sll2(w: Walk): void {
  const d = w.d;
  w.enter('sll', 'SLL2');
  if (d.length < 20) {
    w.has(w.layer('Linux cooked capture v2', 0, d.length), 0, 20, 'Linux cooked v2 header');
    return;
  }
  const protocol = u16(d, 0);
  const ifindex = u32(d, 4);
  const hatype = u16(d, 8);
  const packetType = d[10]!;
  const halen = d[11]!;
  const address = sllAddress(w, 12, halen);
  const node = w.full ? w.layer(`Linux cooked capture v2, interface ${ifindex}`, 0, 20) : null;
  if (node) {
    add(w, node, `Protocol: ${etherTypeLabel(protocol)}`, 0, 2, 'sll.etype', hexValue(protocol, 4));
    add(w, node, `Interface index: ${ifindex}`, 4, 8, 'sll.ifindex', String(ifindex));
    add(w, node, `Link-layer address type: ${hatype}`, 8, 10, 'sll.hatype', String(hatype));
    add(w, node, `Packet type: ${SLL_PACKET_TYPES[packetType] ?? 'Unknown'} (${packetType})`, 10, 11, 'sll.pkttype', String(packetType));
    add(w, node, `Link-layer address length: ${halen}`, 11, 12, 'sll.halen', String(halen));
    if (address) add(w, node, `Source: ${address}`, 12, 12 + Math.min(halen, 8), halen === 6 ? 'sll.src.eth' : undefined, address);
  }
  cookedPayload(w, hatype, protocol, 20);
}

function sllAddress(w: Walk, o: number, halen: number): string {
  if (halen === 6) {
    const address = mac(w.d, o);
    w.addresses.srcMac = address;
    w.source = address;
    return address;
  }
  if (halen > 8) w.problem(null, `Linux cooked header: address length ${halen} is more than the 8 bytes it has room for`);
  return halen === 0 ? '' : Array.from(w.d.subarray(o, o + Math.min(halen, 8)), (b) => b.toString(16).padStart(2, '0')).join(':');
}

function cookedPayload(w: Walk, hatype: number, protocol: number, o: number): void {
  // ARPHRD_NETLINK (824) carries netlink messages; protocols 1 and 4 are 802.3 and 802.2 frames (if_ether.h).
  if (hatype === 824) data(w, o, w.d.length, 'a netlink message: not decoded');
  else if (protocol === 0x0001 || protocol === 0x0004) data(w, o, w.d.length, `an ${protocol === 1 ? '802.3' : '802.2 LLC'} frame: not decoded`);
  else etherPayload(w, protocol, o);
}

function rawIp(w: Walk, o: number): void {
  const version = w.d.length > o ? w.d[o]! >> 4 : -1;
  if (version === 4) ipv4Layer(w, o);
  else if (version === 6) ipv6Layer(w, o);
  else {
    const reason = version < 0 ? 'an empty raw IP packet' : `a raw IP packet of version ${version}: neither IPv4 nor IPv6`;
    w.problem(null, reason);
    data(w, o, w.d.length, reason);
  }
}

/** BSD loopback (LINKTYPE_NULL: address family in the capturing host's byte order) and OpenBSD's (LINKTYPE_LOOP: network order). */
function loopback(w: Walk, networkOrder: boolean): void {
  const d = w.d;
  w.enter('null', 'NULL');
  if (d.length < 4) {
    w.has(w.full ? w.layer('Null/Loopback', 0, d.length) : null, 0, 4, 'loopback header');
    return;
  }
  // The capturing host's byte order is unknown: a family is small, so its zero bytes tell.
  const family = networkOrder || (d[0] === 0 && d[1] === 0) ? u32(d, 0) : (d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0;
  const isV6 = family === 10 || family === 24 || family === 28 || family === 30;
  const node = w.full ? w.layer('Null/Loopback', 0, 4) : null;
  add(w, node, `Family: ${family === 2 ? 'IP' : isV6 ? 'IPv6' : 'Unknown'} (${family})`, 0, 4, networkOrder ? undefined : 'null.family', String(family));
  if (family === 2) ipv4Layer(w, 4);
  else if (isV6) ipv6Layer(w, 4);
  else data(w, 4, d.length, `address family ${family} is not decoded`);
}

const ARP_OPCODES: Record<number, string> = { 1: 'request', 2: 'reply', 3: 'reverse request', 4: 'reverse reply' };

function arp(w: Walk, o: number): void {
  const d = w.d;
  w.networkOffset ||= o;
  w.enter('arp', 'ARP');
  const node = w.full ? w.layer('Address Resolution Protocol', o, d.length) : null;
  if (!w.has(node, o, 8, 'ARP header')) return;
  const htype = u16(d, o);
  const ptype = u16(d, o + 2);
  const hlen = d[o + 4]!;
  const plen = d[o + 5]!;
  const op = u16(d, o + 6);
  const end = o + 8 + 2 * (hlen + plen);
  if (node) {
    node.label = `Address Resolution Protocol (${ARP_OPCODES[op] ?? `opcode ${op}`})`;
    node.end = Math.min(end, d.length);
    add(w, node, `Hardware type: ${htype === 1 ? 'Ethernet' : 'Unknown'} (${htype})`, o, o + 2, 'arp.hw.type', String(htype));
    add(w, node, `Protocol type: ${etherTypeLabel(ptype)}`, o + 2, o + 4, 'arp.proto.type', hexValue(ptype, 4));
    add(w, node, `Hardware size: ${hlen}`, o + 4, o + 5, 'arp.hw.size', String(hlen));
    add(w, node, `Protocol size: ${plen}`, o + 5, o + 6, 'arp.proto.size', String(plen));
    add(w, node, `Opcode: ${ARP_OPCODES[op] ?? 'Unknown'} (${op})`, o + 6, o + 8, 'arp.opcode', String(op));
  }
  if (!w.has(node, o + 8, 2 * (hlen + plen), 'ARP addresses')) {
    w.info = `ARP ${ARP_OPCODES[op] ?? `opcode ${op}`} (truncated)`;
    return;
  }
  if (ptype !== 0x0800 || plen !== 4) {
    w.info = `ARP ${ARP_OPCODES[op] ?? `opcode ${op}`} for protocol ${hexValue(ptype, 4)} (size ${plen}): addresses not decoded`;
    return;
  }
  // Hardware addresses of another size than Ethernet's are shown as hex, as tshark does.
  const hw = (at: number) => (hlen === 6 ? mac(d, at) : colonHex(d, at, at + hlen));
  const sha = hw(o + 8);
  const spa = ipv4(d, o + 8 + hlen);
  const tha = hw(o + 12 + hlen);
  const tpa = ipv4(d, o + 12 + 2 * hlen);
  w.addresses.src = spa;
  w.addresses.dst = tpa;
  if (op === 1) w.info = spa === tpa ? `Gratuitous ARP for ${spa} (Request)` : `Who has ${tpa}? Tell ${spa}`;
  else if (op === 2) w.info = `${spa} is at ${sha}`;
  else w.info = `ARP ${ARP_OPCODES[op] ?? `opcode ${op}`}`;
  if (node) {
    const macField = (name: string) => (hlen === 6 ? name : undefined);
    add(w, node, `Sender MAC address: ${sha}`, o + 8, o + 8 + hlen, macField('arp.src.hw_mac'), sha);
    add(w, node, `Sender IP address: ${spa}`, o + 8 + hlen, o + 12 + hlen, 'arp.src.proto_ipv4', spa);
    add(w, node, `Target MAC address: ${tha}`, o + 12 + hlen, o + 12 + 2 * hlen, macField('arp.dst.hw_mac'), tha);
    add(w, node, `Target IP address: ${tpa}`, o + 12 + 2 * hlen, o + 16 + 2 * hlen, 'arp.dst.proto_ipv4', tpa);
  }
}

const IP_OPTIONS: Record<number, string> = {
  0: 'End of Options List (EOL)',
  1: 'No-Operation (NOP)',
  7: 'Record Route',
  68: 'Time Stamp',
  130: 'Security',
  131: 'Loose Source Route',
  136: 'Stream ID',
  137: 'Strict Source Route',
  148: 'Router Alert',
};

function ipv4Layer(w: Walk, o: number): void {
  const d = w.d;
  w.networkOffset ||= o;
  w.enter('ip', 'IPv4');
  if (d.length < o + 20) {
    w.has(w.layer('Internet Protocol Version 4', o, d.length), o, 20, 'IPv4 header');
    return;
  }
  const version = d[o]! >> 4;
  const hlen = (d[o]! & 15) * 4;
  const tos = d[o + 1]!;
  const wireLength = u16(d, o + 2);
  // A total length of 0 is what a capture of TCP segmentation offload shows: tshark then takes the frame's length.
  const totalLength = wireLength === 0 ? d.length - o : wireLength;
  const id = u16(d, o + 4);
  const flags = d[o + 6]! >> 5;
  const fragOffset = (u16(d, o + 6) & 0x1fff) * 8;
  const ttl = d[o + 8]!;
  const proto = d[o + 9]!;
  const src = ipv4(d, o + 12);
  const dst = ipv4(d, o + 16);
  w.addresses.src = src;
  w.addresses.dst = dst;
  w.source = src;
  w.destination = dst;
  w.ttl = ttl;
  const node = w.full ? w.layer(`Internet Protocol Version 4, Src: ${src}, Dst: ${dst}`, o, o + Math.max(hlen, 20)) : null;
  if (node) {
    add(w, node, `Version: ${version}`, o, o + 1, 'ip.version', String(version));
    add(w, node, `Header Length: ${hlen} bytes (${hlen / 4})`, o, o + 1, 'ip.hdr_len', String(hlen));
    add(w, node, `Differentiated Services Field: ${hexValue(tos, 2)} (DSCP: ${tos >> 2}, ECN: ${tos & 3})`, o + 1, o + 2, 'ip.dsfield', hexValue(tos, 2));
    add(
      w,
      node,
      `Total Length: ${wireLength}${wireLength === 0 ? ` (segmentation offload: ${totalLength} from the frame)` : ''}`,
      o + 2,
      o + 4,
      'ip.len',
      String(totalLength),
    );
    add(w, node, `Identification: ${hexValue(id, 4)} (${id})`, o + 4, o + 6, 'ip.id', hexValue(id, 4));
    const names = [flags & 4 ? 'Reserved bit' : '', flags & 2 ? "Don't fragment" : '', flags & 1 ? 'More fragments' : ''].filter(Boolean);
    const f = add(w, node, `Flags: ${hexValue(flags, 2)}${names.length ? `, ${names.join(', ')}` : ''}`, o + 6, o + 7, 'ip.flags', hexValue(flags, 2));
    add(w, f, `${flags & 4 ? 1 : 0}... .... = Reserved bit: ${flags & 4 ? 'Set' : 'Not set'}`, o + 6, o + 7, 'ip.flags.rb', String(flags & 4 ? 1 : 0));
    add(w, f, `.${flags & 2 ? 1 : 0}.. .... = Don't fragment: ${flags & 2 ? 'Set' : 'Not set'}`, o + 6, o + 7, 'ip.flags.df', String(flags & 2 ? 1 : 0));
    add(w, f, `..${flags & 1 ? 1 : 0}. .... = More fragments: ${flags & 1 ? 'Set' : 'Not set'}`, o + 6, o + 7, 'ip.flags.mf', String(flags & 1));
    add(w, node, `Fragment Offset: ${fragOffset}`, o + 6, o + 8, 'ip.frag_offset', String(fragOffset / 8)); // tshark's value is in 8-byte units
    add(w, node, `Time to Live: ${ttl}`, o + 8, o + 9, 'ip.ttl', String(ttl));
    add(w, node, `Protocol: ${named(IP_PROTOCOLS, proto)}`, o + 9, o + 10, 'ip.proto', String(proto));
    add(w, node, `Header Checksum: ${hexValue(u16(d, o + 10), 4)} [not verified]`, o + 10, o + 12, 'ip.checksum', hexValue(u16(d, o + 10), 4));
    add(w, node, `Source Address: ${src}`, o + 12, o + 16, 'ip.src', src);
    add(w, node, `Destination Address: ${dst}`, o + 16, o + 20, 'ip.dst', dst);
  }
  if (version !== 4) w.problem(node, `IPv4 header with version ${version}`);
  if (hlen < 20) {
    w.problem(node, `IPv4 header length ${hlen} is less than 20: malformed`);
    return;
  }
  if (totalLength < hlen) {
    w.problem(node, `IPv4 total length ${totalLength} is less than its header length ${hlen}: malformed`);
    return;
  }
  if (hlen > 20 && w.has(node, o + 20, hlen - 20, 'IPv4 options')) ipv4Options(w, node, o + 20, o + hlen);
  const end = Math.min(o + totalLength, d.length);
  if (fragOffset > 0) {
    w.info = `Fragmented IP protocol (proto=${IP_PROTOCOLS[proto] ?? 'Unknown'} ${proto}, off=${fragOffset}, ID=${id.toString(16).padStart(4, '0')})`;
    data(w, o + hlen, end, 'a fragment after the first: its payload is not decoded (no reassembly)');
    return;
  }
  // A first fragment (more fragments, offset 0) decodes as far as its bytes go, as tshark does without reassembly.
  transport(w, proto, o + hlen, end, 4);
}

function ipv4Options(w: Walk, node: ReturnType<Walk['layer']>, start: number, end: number): void {
  const d = w.d;
  const options = add(w, node, `Options: (${end - start} bytes)`, start, end);
  for (let p = start; p < end; ) {
    const type = d[p]!;
    const name = IP_OPTIONS[type] ?? `Unknown (${type})`;
    if (type === 0 || type === 1) {
      add(w, options, `IP Option - ${name}`, p, p + 1);
      p++;
      if (type === 0) return; // the rest is padding
      continue;
    }
    const length = p + 1 < end ? d[p + 1]! : 0;
    if (length < 2 || p + length > end) {
      w.problem(
        add(w, options, `IP Option - ${name}`, p, end),
        `IPv4 option ${name} has length ${length}, which ${length < 2 ? 'is less than 2' : `runs past the options' end`}: malformed`,
      );
      return;
    }
    const option = add(w, options, `IP Option - ${name} (${length} bytes)`, p, p + length, 'ip.opt.len', String(length));
    if ((type === 7 || type === 131 || type === 137) && length >= 3) {
      add(w, option, `Pointer: ${d[p + 2]}`, p + 2, p + 3, 'ip.opt.ptr', String(d[p + 2]));
      for (let a = p + 3; a + 4 <= p + length; a += 4) add(w, option, `${type === 7 ? 'Recorded Route' : 'Route'}: ${ipv4(d, a)}`, a, a + 4);
    }
    p += length;
  }
}

const HOP_OPTIONS: Record<number, string> = { 0: 'Pad1', 1: 'PadN', 5: 'Router Alert', 194: 'Jumbo Payload' };
const ROUTING_TYPES: Record<number, string> = { 0: 'Source Route (deprecated)', 2: 'Type 2 Routing', 3: 'RPL Source Route', 4: 'Segment Routing' };

function ipv6Layer(w: Walk, o: number): void {
  const d = w.d;
  w.networkOffset ||= o;
  w.enter('ipv6', 'IPv6');
  if (d.length < o + 40) {
    w.has(w.layer('Internet Protocol Version 6', o, d.length), o, 40, 'IPv6 header');
    return;
  }
  const first = u32(d, o);
  const version = first >>> 28;
  const tclass = (first >>> 20) & 0xff;
  const flow = first & 0xfffff;
  const payloadLength = u16(d, o + 4);
  let next = d[o + 6]!;
  const hlim = d[o + 7]!;
  const src = ipv6(d, o + 8);
  const dst = ipv6(d, o + 24);
  w.addresses.src = src;
  w.addresses.dst = dst;
  w.source = src;
  w.destination = dst;
  w.ttl = hlim;
  const node = w.full ? w.layer(`Internet Protocol Version 6, Src: ${src}, Dst: ${dst}`, o, o + 40) : null;
  if (node) {
    add(w, node, `Version: ${version}`, o, o + 1, 'ipv6.version', String(version));
    add(w, node, `Traffic Class: ${hexValue(tclass, 2)} (DSCP: ${tclass >> 2}, ECN: ${tclass & 3})`, o, o + 2, 'ipv6.tclass', hexValue(tclass, 8));
    add(w, node, `Flow Label: ${hexValue(flow, 5)}`, o + 1, o + 4, 'ipv6.flow', hexValue(flow, 6));
    add(w, node, `Payload Length: ${payloadLength}`, o + 4, o + 6, 'ipv6.plen', String(payloadLength));
    add(w, node, `Next Header: ${named(IP_PROTOCOLS, next)}`, o + 6, o + 7, 'ipv6.nxt', String(next));
    add(w, node, `Hop Limit: ${hlim}`, o + 7, o + 8, 'ipv6.hlim', String(hlim));
    add(w, node, `Source Address: ${src}`, o + 8, o + 24, 'ipv6.src', src);
    add(w, node, `Destination Address: ${dst}`, o + 24, o + 40, 'ipv6.dst', dst);
  }
  if (version !== 6) w.problem(node, `IPv6 header with version ${version}`);
  // A payload length of 0 means a jumbogram (RFC 2675), whose length is in a hop-by-hop option.
  const end = payloadLength === 0 ? d.length : Math.min(o + 40 + payloadLength, d.length);
  let p = o + 40;
  for (let count = 0; next === 0 || next === 43 || next === 44 || next === 60; count++) {
    if (count === 16) {
      w.problem(node, 'more than 16 IPv6 extension headers: the rest is not decoded');
      return;
    }
    if (!w.has(node, p, next === 44 ? 8 : 2, `IPv6 ${IP_PROTOCOLS[next]} header`)) return;
    const length = next === 44 ? 8 : (d[p + 1]! + 1) * 8;
    const here = next;
    next = d[p]!;
    if (here === 44) {
      const offset = u16(d, p + 2) & 0xfff8;
      const more = d[p + 3]! & 1;
      const ident = u32(d, p + 4);
      if (w.full) {
        const frag = w.layer('IPv6 Fragment', p, p + 8);
        add(w, frag, `Next header: ${named(IP_PROTOCOLS, next)}`, p, p + 1, 'ipv6.fraghdr.nxt', String(next));
        // tshark's value is in 8-byte units.
        add(w, frag, `Offset: ${offset}`, p + 2, p + 4, 'ipv6.fraghdr.offset', String(offset / 8));
        add(w, frag, `More Fragments: ${more ? 'Yes' : 'No'}`, p + 2, p + 4, 'ipv6.fraghdr.more', String(more));
        add(w, frag, `Identification: ${hexValue(ident, 8)}`, p + 4, p + 8, 'ipv6.fraghdr.ident', hexValue(ident, 8));
      }
      if (offset > 0) {
        w.info = `IPv6 fragment (off=${offset} more=${more ? 'y' : 'n'} ident=${hexValue(ident, 8)} nxt=${next})`;
        data(w, p + 8, end, 'a fragment after the first: its payload is not decoded (no reassembly)');
        return;
      }
    } else {
      const name = here === 0 ? 'Hop-by-Hop Option' : here === 43 ? 'Routing Header' : 'Destination Option';
      const ext = w.full ? w.layer(`IPv6 ${name}`, p, p + length) : null;
      const prefix = here === 0 ? 'ipv6.hopopts' : here === 43 ? 'ipv6.routing' : 'ipv6.dstopts';
      add(w, ext, `Next Header: ${named(IP_PROTOCOLS, next)}`, p, p + 1, `${prefix}.nxt`, String(next));
      add(w, ext, `Length: ${d[p + 1]} (${length} bytes)`, p + 1, p + 2, `${prefix}.len`, String(d[p + 1]));
      if (!w.has(ext, p, length, `IPv6 ${name}`)) return;
      if (here === 43) routingHeader(w, ext, p, length);
      else extensionOptions(w, ext, p + 2, p + length);
    }
    p += length;
  }
  if (next === 59) {
    w.info = 'IPv6 no next header';
    return;
  }
  transport(w, next, p, end, 6);
}

function routingHeader(w: Walk, node: ReturnType<Walk['layer']>, p: number, length: number): void {
  const d = w.d;
  const type = d[p + 2]!;
  add(w, node, `Type: ${named(ROUTING_TYPES, type)}`, p + 2, p + 3, 'ipv6.routing.type', String(type));
  add(w, node, `Segments Left: ${d[p + 3]}`, p + 3, p + 4, 'ipv6.routing.segleft', String(d[p + 3]));
  if (type === 0 || type === 2 || type === 4) {
    for (let a = p + 8; a + 16 <= p + length; a += 16) add(w, node, `Address: ${ipv6(d, a)}`, a, a + 16);
  }
}

/** Hop-by-hop and destination options: type, length, value (RFC 8200 §4.2). */
function extensionOptions(w: Walk, node: ReturnType<Walk['layer']>, start: number, end: number): void {
  const d = w.d;
  for (let p = start; p < end; ) {
    const type = d[p]!;
    if (type === 0) {
      add(w, node, 'Pad1', p, p + 1);
      p++;
      continue;
    }
    const length = p + 1 < end ? d[p + 1]! : -1;
    if (length < 0 || p + 2 + length > end) {
      w.problem(add(w, node, `${HOP_OPTIONS[type] ?? `Unknown option ${type}`}`, p, end), `IPv6 option ${type} runs past the end of its header: malformed`);
      return;
    }
    let label = `${HOP_OPTIONS[type] ?? `Unknown option ${hexValue(type, 2)}`} (${length + 2} bytes)`;
    if (type === 5 && length === 2) label = `Router Alert: ${u16(d, p + 2)}`;
    if (type === 194 && length === 4) label = `Jumbo Payload: ${u32(d, p + 2)}`;
    add(w, node, label, p, p + 2 + length);
    p += 2 + length;
  }
}

/**
 * The Info text as one flat string. V8 builds a template literal of many parts as a tree of the
 * parts (a cons string); reading a character flattens it once, so a list that keeps a million rows
 * does not also keep a million trees of pieces.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}
