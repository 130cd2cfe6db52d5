/**
 * The layers above IP: ICMP, ICMPv6 (with neighbour discovery), TCP (flags, options, Wireshark's
 * relative sequence numbers and scaled windows through a {@link DecodeContext}) and UDP; and the
 * "Data" node every decoder ends with when it cannot go further, saying why.
 */
import { dnsMessage, httpFirstLine, looksLikeHttp, ntp } from './decode-apps.ts';
import { add, hexValue, IP_PROTOCOLS, ipv4, ipv6, mac, named, type TcpDirection, u16, u32, type Walk } from './decode-walk.ts';

/** Shows `[start, end)` as undecoded bytes with the reason (also the Info column when nothing set it). */
export function data(w: Walk, start: number, end: number, reason: string): void {
  const to = Math.min(end, w.d.length);
  if (w.info === '') w.info = reason.charAt(0).toUpperCase() + reason.slice(1);
  if (to <= start) return;
  if (w.full) w.layer(`Data (${to - start} bytes): ${reason}`, start, to);
}

/** Decodes the IP payload `[o, end)` (end as the IP header claims it; reads stop at the captured bytes). */
export function transport(w: Walk, proto: number, o: number, end: number, ipVersion: 4 | 6): void {
  if (proto === 6) tcp(w, o, end);
  else if (proto === 17) udp(w, o, end);
  else if (proto === 1 && ipVersion === 4) icmp(w, o, end);
  else if (proto === 58 && ipVersion === 6) icmpv6(w, o, end);
  else data(w, o, end, `IP protocol ${named(IP_PROTOCOLS, proto)} is not decoded`);
}

const UNREACHABLE: Record<number, string> = {
  0: 'Network unreachable',
  1: 'Host unreachable',
  2: 'Protocol unreachable',
  3: 'Port unreachable',
  4: 'Fragmentation needed',
  5: 'Source route failed',
  9: 'Network administratively prohibited',
  10: 'Host administratively prohibited',
  13: 'Communication administratively filtered',
};
const ICMP_TYPES: Record<number, string> = {
  0: 'Echo (ping) reply',
  3: 'Destination unreachable',
  4: 'Source quench',
  5: 'Redirect',
  8: 'Echo (ping) request',
  9: 'Router advertisement',
  10: 'Router solicitation',
  11: 'Time-to-live exceeded',
  12: 'Parameter problem',
  13: 'Timestamp request',
  14: 'Timestamp reply',
};

/** The 4 bytes ICMP and ICMPv6 share (type, code, checksum): their node and values, or null when they were not captured. */
function icmpHeader(w: Walk, o: number, end: number, v6: boolean, names: Record<number, string>) {
  const d = w.d;
  const [proto, column, title] = v6 ? ['icmpv6', 'ICMPv6', 'Internet Control Message Protocol v6'] : ['icmp', 'ICMP', 'Internet Control Message Protocol'];
  w.enter(proto, column);
  const node = w.full ? w.layer(title, o, end) : null;
  if (!w.has(node, o, 4, `${column} header`)) {
    w.info = `${column} (truncated)`;
    return null;
  }
  const type = d[o]!;
  const code = d[o + 1]!;
  const name = names[type] ?? `Unknown type ${type}`;
  if (node) {
    add(w, node, v6 ? `Type: ${name} (${type})` : `Type: ${type} (${name})`, o, o + 1, `${proto}.type`, String(type));
    const unreachable = !v6 && type === 3 && UNREACHABLE[code] ? ` (${UNREACHABLE[code]})` : '';
    add(w, node, `Code: ${code}${unreachable}`, o + 1, o + 2, `${proto}.code`, String(code));
    add(w, node, `Checksum: ${hexValue(u16(d, o + 2), 4)} [not verified]`, o + 2, o + 4, `${proto}.checksum`, hexValue(u16(d, o + 2), 4));
  }
  return { node, type, code, name };
}

function icmp(w: Walk, o: number, end: number): void {
  const d = w.d;
  const header = icmpHeader(w, o, end, false, ICMP_TYPES);
  if (!header) return;
  const { node, type, code, name } = header;
  w.info =
    type === 3
      ? `${name} (${UNREACHABLE[code] ?? `code ${code}`})`
      : type === 11
        ? `${name} (${code === 0 ? 'Time to live exceeded in transit' : 'Fragment reassembly time exceeded'})`
        : name;
  if (type === 0 || type === 8 || type === 13 || type === 14) {
    if (!w.has(node, o + 4, 4, 'ICMP echo header')) return;
    const id = u16(d, o + 4);
    const seq = u16(d, o + 6);
    const seqLe = ((seq & 0xff) << 8) | (seq >> 8);
    // Wireshark pads the name so that replies and requests line up.
    w.info += `${type === 0 ? '    ' : '  '}id=${hexValue(id, 4)}, seq=${seq}/${seqLe}, ttl=${w.ttl}`;
    if (node) {
      add(w, node, `Identifier (BE): ${id} (${hexValue(id, 4)})`, o + 4, o + 6, 'icmp.ident', String(id));
      add(w, node, `Sequence Number (BE): ${seq} (${hexValue(seq, 4)})`, o + 6, o + 8, 'icmp.seq', String(seq));
      add(w, node, `Sequence Number (LE): ${seqLe}`, o + 6, o + 8, 'icmp.seq_le', String(seqLe));
      if (Math.min(end, d.length) > o + 8) add(w, node, `Data (${Math.min(end, d.length) - o - 8} bytes)`, o + 8, end);
    }
  } else if (type === 3 || type === 11 || type === 12 || type === 4 || type === 5) {
    if (type === 5 && w.has(node, o + 4, 4, 'ICMP redirect gateway')) add(w, node, `Gateway Address: ${ipv4(d, o + 4)}`, o + 4, o + 8);
    if (type === 3 && code === 4 && w.has(node, o + 6, 2, 'ICMP next-hop MTU')) add(w, node, `MTU of next hop: ${u16(d, o + 6)}`, o + 6, o + 8);
    quotedDatagram(w, node, o + 8, end, 4);
  }
}

/** The start of the datagram an ICMP error quotes: its addresses and protocol, shown, not decoded as a packet of its own. */
function quotedDatagram(w: Walk, node: ReturnType<Walk['layer']>, o: number, end: number, version: 4 | 6): void {
  const d = w.d;
  if (o >= Math.min(end, d.length)) return;
  const headerLength = version === 4 ? 20 : 40;
  if (o + headerLength > d.length) {
    add(w, node, `Original datagram (${Math.min(end, d.length) - o} bytes, cut)`, o, end);
    return;
  }
  const [src, dst, proto] = version === 4 ? [ipv4(d, o + 12), ipv4(d, o + 16), d[o + 9]!] : [ipv6(d, o + 8), ipv6(d, o + 24), d[o + 6]!];
  const ihl = version === 4 ? (d[o]! & 15) * 4 : 40;
  // The quoted headers count as present, as in tshark: a `udp` filter matches a port-unreachable error.
  w.enter(version === 4 ? 'ip' : 'ipv6');
  if (proto === 6 || proto === 17) w.enter(proto === 6 ? 'tcp' : 'udp');
  let ports = '';
  if ((proto === 6 || proto === 17) && o + ihl + 4 <= d.length) ports = `, ${u16(d, o + ihl)} → ${u16(d, o + ihl + 2)}`;
  add(w, node, `Original datagram: ${src} → ${dst}, ${IP_PROTOCOLS[proto] ?? `protocol ${proto}`}${ports}`, o, end);
}

const ICMPV6_TYPES: Record<number, string> = {
  1: 'Destination Unreachable',
  2: 'Packet Too Big',
  3: 'Time Exceeded',
  4: 'Parameter Problem',
  128: 'Echo (ping) request',
  129: 'Echo (ping) reply',
  130: 'Multicast Listener Query',
  131: 'Multicast Listener Report',
  132: 'Multicast Listener Done',
  133: 'Router Solicitation',
  134: 'Router Advertisement',
  135: 'Neighbor Solicitation',
  136: 'Neighbor Advertisement',
  137: 'Redirect',
  143: 'Multicast Listener Report Message v2',
};
const ND_OPTIONS: Record<number, string> = {
  1: 'Source link-layer address',
  2: 'Target link-layer address',
  3: 'Prefix information',
  4: 'Redirected header',
  5: 'MTU',
  14: 'Nonce',
  25: 'Recursive DNS Server',
};

function icmpv6(w: Walk, o: number, end: number): void {
  const d = w.d;
  const header = icmpHeader(w, o, end, true, ICMPV6_TYPES);
  if (!header) return;
  const { node, type, name } = header;
  w.info = name;
  if (type === 128 || type === 129) {
    if (!w.has(node, o + 4, 4, 'ICMPv6 echo header')) return;
    const id = u16(d, o + 4);
    const seq = u16(d, o + 6);
    w.info += ` id=${hexValue(id, 4)}, seq=${seq}, hop limit=${w.ttl}`;
    if (node) {
      add(w, node, `Identifier: ${hexValue(id, 4)}`, o + 4, o + 6, 'icmpv6.echo.identifier', hexValue(id, 4));
      add(w, node, `Sequence: ${seq}`, o + 6, o + 8, 'icmpv6.echo.sequence_number', String(seq));
    }
    return;
  }
  if (type === 135 || type === 136 || type === 137) {
    if (!w.has(node, o + 4, 20, `ICMPv6 ${name}`)) return;
    const target = ipv6(d, o + 8);
    const flags = d[o + 4]!;
    if (type === 136) {
      add(
        w,
        node,
        `Flags: ${hexValue(u32(d, o + 4), 8)} (router ${flags >> 7}, solicited ${(flags >> 6) & 1}, override ${(flags >> 5) & 1})`,
        o + 4,
        o + 8,
        'icmpv6.nd.na.flag',
        hexValue(u32(d, o + 4), 8),
      );
    }
    const field = type === 135 ? 'icmpv6.nd.ns.target_address' : type === 136 ? 'icmpv6.nd.na.target_address' : 'icmpv6.nd.rd.target_address';
    add(w, node, `Target Address: ${target}`, o + 8, o + 24, field, target);
    const linkAddress = ndOptions(w, node, o + (type === 137 ? 40 : 24), end);
    if (type === 135) w.info += ` for ${target}${linkAddress ? ` from ${linkAddress}` : ''}`;
    else if (type === 136) {
      const words = [flags & 0x80 ? 'rtr' : '', flags & 0x40 ? 'sol' : '', flags & 0x20 ? 'ovr' : ''].filter(Boolean).join(', ');
      w.info += ` ${target}${words ? ` (${words})` : ''}${linkAddress ? ` is at ${linkAddress}` : ''}`;
    } else w.info += ` for ${target}`;
    return;
  }
  if (type === 133 || type === 134) {
    const fixed = type === 133 ? 8 : 16;
    if (!w.has(node, o + 4, fixed - 4, `ICMPv6 ${name}`)) return;
    const linkAddress = ndOptions(w, node, o + fixed, end);
    if (linkAddress) w.info += ` from ${linkAddress}`;
    return;
  }
  if (type >= 1 && type <= 4) quotedDatagram(w, node, o + 8, end, 6);
}

/** Neighbour discovery options (RFC 4861 §4.6); returns the link-layer address one carries, if any. */
function ndOptions(w: Walk, node: ReturnType<Walk['layer']>, start: number, end: number): string {
  const d = w.d;
  const to = Math.min(end, d.length);
  let linkAddress = '';
  for (let p = start; p + 2 <= to; ) {
    const type = d[p]!;
    const units = d[p + 1]!;
    const name = ND_OPTIONS[type] ?? `Unknown option ${type}`;
    if (units === 0 || p + units * 8 > to) {
      w.problem(
        add(w, node, `ICMPv6 Option (${name})`, p, to),
        units === 0 ? `ICMPv6 option ${name} has length 0: malformed` : `ICMPv6 option ${name} runs past the end of the packet`,
      );
      return linkAddress;
    }
    const option = add(w, node, `ICMPv6 Option (${name})`, p, p + units * 8);
    add(w, option, `Type: ${name} (${type})`, p, p + 1, 'icmpv6.opt.type', String(type));
    add(w, option, `Length: ${units} (${units * 8} bytes)`, p + 1, p + 2, 'icmpv6.opt.length', String(units));
    if ((type === 1 || type === 2) && units === 1) {
      linkAddress = mac(d, p + 2);
      add(w, option, `Link-layer address: ${linkAddress}`, p + 2, p + 8, 'icmpv6.opt.linkaddr', linkAddress);
    } else if (type === 5 && units === 1) add(w, option, `MTU: ${u32(d, p + 4)}`, p + 4, p + 8, 'icmpv6.opt.mtu', String(u32(d, p + 4)));
    else if (type === 3 && units === 4) add(w, option, `Prefix: ${ipv6(d, p + 16)}/${d[p + 2]}`, p + 2, p + 32, 'icmpv6.opt.prefix', ipv6(d, p + 16));
    p += units * 8;
  }
  return linkAddress;
}

const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];
const TCP_OPTIONS: Record<number, string> = {
  0: 'End of Option List (EOL)',
  1: 'No-Operation (NOP)',
  2: 'Maximum segment size',
  3: 'Window scale',
  4: 'SACK permitted',
  5: 'SACK',
  8: 'Timestamps',
  30: 'Multipath TCP',
  34: 'TCP Fast Open Cookie',
};

/** Whether a TCP or UDP header of `size` bytes was cut short: then a problem, and its ports if they were captured. */
function cutHeader(w: Walk, o: number, size: number, title: string, what: string): boolean {
  const d = w.d;
  if (d.length >= o + size) return false;
  w.has(w.full ? w.layer(title, o, d.length) : null, o, size, what);
  if (d.length >= o + 4) {
    w.ports.src = u16(d, o);
    w.ports.dst = u16(d, o + 2);
    w.info = `${w.ports.src} → ${w.ports.dst}`;
  }
  return true;
}

function tcp(w: Walk, o: number, end: number): void {
  const d = w.d;
  w.enter('tcp', 'TCP');
  if (cutHeader(w, o, 20, 'Transmission Control Protocol', 'TCP header')) return;
  const sport = u16(d, o);
  const dport = u16(d, o + 2);
  const seq = u32(d, o + 4);
  const ack = u32(d, o + 8);
  const hlen = (d[o + 12]! >> 4) * 4;
  const flags = u16(d, o + 12) & 0xfff;
  const win = u16(d, o + 14);
  const urgent = u16(d, o + 18);
  w.ports.src = sport;
  w.ports.dst = dport;
  const length = Math.max(0, end - o - Math.max(hlen, 20));
  let flagText = '';
  for (let i = 0; i < 9; i++) if (flags & (1 << i)) flagText += flagText ? `, ${TCP_FLAG_NAMES[i]}` : TCP_FLAG_NAMES[i];
  const syn = (flags & 2) !== 0;
  const hasAck = (flags & 0x10) !== 0;
  const opts = hlen > 20 && hlen <= end - o && d.length >= o + hlen ? tcpOptionsSummary(d, o + 20, o + hlen) : undefined;
  const { relSeq, relAck, window } = relative(w, sport, dport, seq, ack, syn, hasAck, win, opts?.shift);
  w.info = `${sport} → ${dport} [${flagText || '<None>'}] Seq=${relSeq}${hasAck ? ` Ack=${relAck}` : ''} Win=${window}${flags & 0x20 ? ` Urg=${urgent}` : ''} Len=${length}${opts?.info ?? ''}`;
  const node = w.full
    ? w.layer(
        `Transmission Control Protocol, Src Port: ${sport}, Dst Port: ${dport}, Seq: ${relSeq}${hasAck ? `, Ack: ${relAck}` : ''}, Len: ${length}`,
        o,
        o + Math.max(hlen, 20),
      )
    : null;
  if (node) {
    add(w, node, `Source Port: ${sport}`, o, o + 2, 'tcp.srcport', String(sport));
    add(w, node, `Destination Port: ${dport}`, o + 2, o + 4, 'tcp.dstport', String(dport));
    add(w, node, `[TCP Segment Len: ${length}]`, undefined, undefined, 'tcp.len', String(length));
    add(w, node, `Sequence Number: ${relSeq}${w.ctx ? '    (relative sequence number)' : ''}`, o + 4, o + 8, w.ctx ? 'tcp.seq' : 'tcp.seq_raw', String(relSeq));
    if (w.ctx) add(w, node, `Sequence Number (raw): ${seq}`, o + 4, o + 8, 'tcp.seq_raw', String(seq));
    if (hasAck)
      add(
        w,
        node,
        `Acknowledgment Number: ${relAck}${w.ctx ? '    (relative ack number)' : ''}`,
        o + 8,
        o + 12,
        w.ctx ? 'tcp.ack' : 'tcp.ack_raw',
        String(relAck),
      );
    add(w, node, `Acknowledgment number (raw): ${ack}`, o + 8, o + 12, 'tcp.ack_raw', String(ack));
    add(w, node, `Header Length: ${hlen} bytes (${hlen / 4})`, o + 12, o + 13, 'tcp.hdr_len', String(hlen));
    const f = add(w, node, `Flags: ${hexValue(flags, 3)} (${flagText || '<None>'})`, o + 12, o + 14, 'tcp.flags', hexValue(flags, 4));
    for (const [bit, field] of [
      [4, 'ack'],
      [3, 'push'],
      [2, 'reset'],
      [1, 'syn'],
      [0, 'fin'],
    ] as const) {
      add(w, f, `${TCP_FLAG_NAMES[bit]}: ${flags & (1 << bit) ? 'Set' : 'Not set'}`, o + 13, o + 14, `tcp.flags.${field}`, flags & (1 << bit) ? '1' : '0');
    }
    add(w, node, `Window: ${win}`, o + 14, o + 16, 'tcp.window_size_value', String(win));
    add(w, node, `[Calculated window size: ${window}]`, undefined, undefined, 'tcp.window_size', String(window));
    add(w, node, `Checksum: ${hexValue(u16(d, o + 16), 4)} [not verified]`, o + 16, o + 18, 'tcp.checksum', hexValue(u16(d, o + 16), 4));
    add(w, node, `Urgent Pointer: ${urgent}`, o + 18, o + 20, 'tcp.urgent_pointer', String(urgent));
  }
  if (hlen < 20) {
    w.problem(node, `TCP header length ${hlen} is less than 20: malformed`);
    return;
  }
  if (hlen > end - o) {
    w.problem(node, `TCP header length ${hlen} is more than the ${end - o} bytes of the segment: malformed`);
    return;
  }
  if (hlen > 20 && w.has(node, o + 20, hlen - 20, 'TCP options')) tcpOptions(w, node, o + 20, o + hlen);
  const payload = o + hlen;
  if (length === 0) return;
  const to = Math.min(end, d.length);
  if ((sport === 53 || dport === 53) && to - payload >= 2) {
    const messageLength = u16(d, payload);
    if (payload + 2 + messageLength <= to) {
      dnsMessage(w, payload, payload + 2 + messageLength, true);
      return;
    }
    data(w, payload, end, `DNS over TCP: a message of ${messageLength} bytes that this segment does not hold whole (no reassembly)`);
    return;
  }
  if (looksLikeHttp(d, payload, to)) {
    httpFirstLine(w, payload, end);
    return;
  }
  if (w.full) w.layer(`TCP payload (${to - payload} bytes)`, payload, to);
}

/** Sequence numbers and window as Wireshark shows them, when a context holds the stream's history; as on the wire otherwise. */
function relative(w: Walk, sport: number, dport: number, seq: number, ack: number, syn: boolean, hasAck: boolean, win: number, shift: number | undefined) {
  if (!w.ctx) return { relSeq: seq, relAck: ack, window: win };
  const streams = w.ctx.tcp;
  const key = `${w.source}|${sport}|${w.destination}|${dport}`;
  const back = `${w.destination}|${dport}|${w.source}|${sport}`;
  let fwd = streams.get(key);
  if (!fwd) streams.set(key, (fwd = {}));
  let rev = streams.get(back);
  if (!rev) streams.set(back, (rev = {} as TcpDirection));
  if (syn && fwd.synShift === undefined) fwd.synShift = shift ?? -1;
  // Wireshark's rule: a direction's base is its SYN's sequence number, else one before the first seen.
  fwd.base ??= syn ? seq : (seq - 1) >>> 0;
  if (hasAck) rev.base ??= (ack - 1) >>> 0;
  let window = win;
  if (!syn && fwd.synShift !== undefined && rev.synShift !== undefined && fwd.synShift >= 0 && rev.synShift >= 0)
    window = win * 2 ** Math.min(fwd.synShift, 14);
  return { relSeq: (seq - fwd.base) >>> 0, relAck: hasAck ? (ack - (rev.base ?? 0)) >>> 0 : 0, window };
}

/** The options' part of the Info column (` MSS=1460 SACK_PERM TSval=… WS=128`) and a SYN's window shift, read without building a tree. */
function tcpOptionsSummary(d: Uint8Array, start: number, end: number): { info: string; shift?: number } {
  let info = '';
  let shift: number | undefined;
  for (let p = start; p < end; ) {
    const kind = d[p]!;
    if (kind === 0) break;
    if (kind === 1) {
      p++;
      continue;
    }
    const length = p + 1 < end ? d[p + 1]! : 0;
    if (length < 2 || p + length > end) break;
    if (kind === 2 && length === 4) info += ` MSS=${u16(d, p + 2)}`;
    else if (kind === 4 && length === 2) info += ' SACK_PERM';
    else if (kind === 8 && length === 10) info += ` TSval=${u32(d, p + 2)} TSecr=${u32(d, p + 6)}`;
    else if (kind === 3 && length === 3) {
      shift = d[p + 2]!;
      info += ` WS=${2 ** Math.min(shift, 14)}`;
    } else if (kind === 5) for (let e = p + 2; e + 8 <= p + length; e += 8) info += ` SLE=${u32(d, e)} SRE=${u32(d, e + 4)}`;
    p += length;
  }
  return { info, shift };
}

function tcpOptions(w: Walk, node: ReturnType<Walk['layer']>, start: number, end: number): void {
  const d = w.d;
  const options = add(w, node, `Options: (${end - start} bytes)`, start, end);
  for (let p = start; p < end; ) {
    const kind = d[p]!;
    const name = TCP_OPTIONS[kind] ?? `Unknown (${kind})`;
    if (kind === 0 || kind === 1) {
      const one = add(w, options, `TCP Option - ${name}`, p, p + 1);
      add(w, one, `Kind: ${name} (${kind})`, p, p + 1, 'tcp.option_kind', String(kind));
      p++;
      if (kind === 0) return;
      continue;
    }
    const length = p + 1 < end ? d[p + 1]! : 0;
    if (length < 2 || p + length > end) {
      w.problem(
        add(w, options, `TCP Option - ${name}`, p, end),
        `TCP option ${name} has length ${length}, which ${length < 2 ? 'is less than 2' : 'runs past the end of the header'}: malformed`,
      );
      return;
    }
    const expected: Record<number, number> = { 2: 4, 3: 3, 4: 2, 8: 10 };
    let label = `TCP Option - ${name}`;
    if (kind === 2 && length === 4) label += `: ${u16(d, p + 2)} bytes`;
    else if (kind === 3 && length === 3) label += `: ${d[p + 2]} (multiply by ${2 ** Math.min(d[p + 2]!, 14)})`;
    else if (kind === 8 && length === 10) label += `: TSval ${u32(d, p + 2)}, TSecr ${u32(d, p + 6)}`;
    else if (kind === 5) label += ` (${Math.floor((length - 2) / 8)} blocks)`;
    const option = add(w, options, label, p, p + length);
    add(w, option, `Kind: ${name} (${kind})`, p, p + 1, 'tcp.option_kind', String(kind));
    add(w, option, `Length: ${length}`, p + 1, p + 2, 'tcp.option_len', String(length));
    if (expected[kind] !== undefined && expected[kind] !== length) w.problem(option, `TCP option ${name} has length ${length}; it should be ${expected[kind]}`);
    else if (kind === 2) add(w, option, `MSS Value: ${u16(d, p + 2)}`, p + 2, p + 4, 'tcp.options.mss_val', String(u16(d, p + 2)));
    else if (kind === 3) {
      add(w, option, `Shift count: ${d[p + 2]}`, p + 2, p + 3, 'tcp.options.wscale.shift', String(d[p + 2]));
      add(w, option, `[Multiplier: ${2 ** Math.min(d[p + 2]!, 14)}]`, p + 2, p + 3, 'tcp.options.wscale.multiplier', String(2 ** Math.min(d[p + 2]!, 14)));
    } else if (kind === 8) {
      add(w, option, `Timestamp value: ${u32(d, p + 2)}`, p + 2, p + 6, 'tcp.options.timestamp.tsval', String(u32(d, p + 2)));
      add(w, option, `Timestamp echo reply: ${u32(d, p + 6)}`, p + 6, p + 10, 'tcp.options.timestamp.tsecr', String(u32(d, p + 6)));
    } else if (kind === 5) {
      if ((length - 2) % 8 !== 0) w.problem(option, `TCP SACK option of length ${length}: not 2 + 8 × blocks`);
      for (let e = p + 2; e + 8 <= p + length; e += 8) add(w, option, `left edge = ${u32(d, e)}, right edge = ${u32(d, e + 4)} (raw)`, e, e + 8);
    }
    p += length;
  }
}

function udp(w: Walk, o: number, end: number): void {
  const d = w.d;
  w.enter('udp', 'UDP');
  if (cutHeader(w, o, 8, 'User Datagram Protocol', 'UDP header')) return;
  const sport = u16(d, o);
  const dport = u16(d, o + 2);
  const length = u16(d, o + 4);
  w.ports.src = sport;
  w.ports.dst = dport;
  w.info = `${sport} → ${dport} Len=${Math.max(0, length - 8)}`;
  const node = w.full ? w.layer(`User Datagram Protocol, Src Port: ${sport}, Dst Port: ${dport}`, o, o + 8) : null;
  if (node) {
    add(w, node, `Source Port: ${sport}`, o, o + 2, 'udp.srcport', String(sport));
    add(w, node, `Destination Port: ${dport}`, o + 2, o + 4, 'udp.dstport', String(dport));
    add(w, node, `Length: ${length}`, o + 4, o + 6, 'udp.length', String(length));
    add(w, node, `Checksum: ${hexValue(u16(d, o + 6), 4)} [not verified]`, o + 6, o + 8, 'udp.checksum', hexValue(u16(d, o + 6), 4));
  }
  if (length < 8) {
    w.problem(node, `UDP length ${length} is less than its 8-byte header: malformed`);
    return;
  }
  if (o + length > end) w.problem(node, `UDP length ${length} is more than the ${end - o} bytes the IP header gives it: malformed`);
  const payloadEnd = Math.min(o + length, end);
  if (payloadEnd <= o + 8) return;
  if (sport === 53 || dport === 53) dnsMessage(w, o + 8, payloadEnd, false);
  else if (sport === 123 || dport === 123) ntp(w, o + 8, payloadEnd);
  else data(w, o + 8, payloadEnd, `UDP port ${Math.min(sport, dport)}: payload not decoded`);
}
