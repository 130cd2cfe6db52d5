/**
 * Application layers: DNS (RFC 1035: header, questions, resource records of the common types, name
 * compression with loop protection; over UDP and over TCP with its length prefix), NTP (RFC 5905
 * packet header) and the first line of HTTP/1.x (with the header lines under it).
 */
import { add, hexValue, ipv4, ipv6, u16, u32, type Walk } from './decode-walk.ts';
import { decodeLatin1, decodeUtf8 } from '../utf8.ts';

const DNS_TYPES: Record<number, string> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  13: 'HINFO',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  35: 'NAPTR',
  41: 'OPT',
  43: 'DS',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  64: 'SVCB',
  65: 'HTTPS',
  255: 'ANY',
  256: 'URI',
  257: 'CAA',
};
const DNS_OPCODES: Record<number, string> = {
  0: 'Standard query',
  1: 'Inverse query',
  2: 'Server status request',
  4: 'Zone change notification',
  5: 'Dynamic update',
};
const DNS_RCODES: Record<number, string> = {
  1: 'Format error',
  2: 'Server failure',
  3: 'No such name',
  4: 'Not implemented',
  5: 'Refused',
  6: 'Name exists',
  7: 'RRset exists',
  8: 'RRset does not exist',
  9: 'Not authoritative',
  10: 'Name out of zone',
};
/** The most compression pointers one name may follow: more is a loop (a name has at most 127 labels). */
const MAX_NAME_JUMPS = 127;

const dnsType = (t: number) => DNS_TYPES[t] ?? `Unknown (${t})`;

interface Name {
  text: string;
  /** Offset just past the name where it first appears (after its first pointer, if any). */
  next: number;
  problem?: string;
}

/** Reads a (possibly compressed) domain name at `p` of the message `[msg, end)`. */
function readName(d: Uint8Array, msg: number, p: number, end: number): Name {
  let text = '';
  let next = -1;
  let jumps = 0;
  let length = 0;
  for (;;) {
    if (p >= end) return { text, next: next < 0 ? end : next, problem: 'a name runs past the end of the message' };
    const size = d[p]!;
    if (size === 0) {
      return { text: text || '<Root>', next: next < 0 ? p + 1 : next };
    }
    if ((size & 0xc0) === 0xc0) {
      if (p + 1 >= end) return { text, next: end, problem: 'a name ends inside a compression pointer' };
      const target = msg + (((size & 0x3f) << 8) | d[p + 1]!);
      if (next < 0) next = p + 2;
      if (++jumps > MAX_NAME_JUMPS) return { text, next, problem: `a name whose compression pointers loop (more than ${MAX_NAME_JUMPS} followed)` };
      if (target >= end) return { text, next, problem: `a compression pointer to offset ${target - msg}, past the end of the message` };
      p = target;
      continue;
    }
    if (size & 0xc0) return { text, next: next < 0 ? end : next, problem: `a label of type ${hexValue(size & 0xc0, 2)} (extended labels are not decoded)` };
    if (p + 1 + size > end) return { text, next: next < 0 ? end : next, problem: 'a label runs past the end of the message' };
    length += size + 1;
    if (length > 255) return { text, next: next < 0 ? end : next, problem: 'a name longer than 255 bytes' };
    let label = '';
    for (let i = p + 1; i <= p + size; i++) {
      const c = d[i]!;
      label +=
        c > 0x20 && c < 0x7f ? (c === 0x2e || c === 0x5c ? `\\${String.fromCharCode(c)}` : String.fromCharCode(c)) : `\\${c.toString(10).padStart(3, '0')}`;
    }
    text += text ? `.${label}` : label;
    p += 1 + size;
  }
}

/**
 * A DNS message at `[start, end)`; over TCP, `start` is the 2-byte length prefix. Fills Info like
 * Wireshark: `Standard query 0x1a2b A example.com`, `Standard query response 0x1a2b A example.com A 10.0.0.1`.
 */
export function dnsMessage(w: Walk, start: number, end: number, overTcp: boolean): void {
  const d = w.d;
  w.enter('dns', 'DNS');
  const msg = overTcp ? start + 2 : start;
  const to = Math.min(end, d.length);
  const node = w.full ? w.layer('Domain Name System', start, to) : null;
  if (overTcp) add(w, node, `Length: ${u16(d, start)}`, start, start + 2, 'dns.length', String(u16(d, start)));
  if (!w.has(node, msg, 12, 'DNS header') || msg + 12 > to) {
    if (msg + 12 > to && msg + 12 <= d.length) w.problem(node, 'DNS message shorter than its 12-byte header: malformed');
    w.info = 'DNS (truncated)';
    return;
  }
  const id = u16(d, msg);
  const flags = u16(d, msg + 2);
  const response = flags >> 15;
  const opcode = (flags >> 11) & 15;
  const rcode = flags & 15;
  const counts = [u16(d, msg + 4), u16(d, msg + 6), u16(d, msg + 8), u16(d, msg + 10)] as const;
  let info = `${DNS_OPCODES[opcode] ?? `Opcode ${opcode}`}${response ? ' response' : ''} ${hexValue(id, 4)}${rcode ? ` ${DNS_RCODES[rcode] ?? `rcode ${rcode}`}` : ''}`;
  if (node) {
    node.label = `Domain Name System (${response ? 'response' : 'query'})`;
    add(w, node, `Transaction ID: ${hexValue(id, 4)}`, msg, msg + 2, 'dns.id', hexValue(id, 4));
    const f = add(
      w,
      node,
      `Flags: ${hexValue(flags, 4)} ${DNS_OPCODES[opcode] ?? `Opcode ${opcode}`}${response ? ' response' : ''}${rcode ? `, ${DNS_RCODES[rcode] ?? `rcode ${rcode}`}` : ', No error'}`,
      msg + 2,
      msg + 4,
      'dns.flags',
      hexValue(flags, 4),
    );
    add(w, f, `Response: ${response ? 'Message is a response' : 'Message is a query'}`, msg + 2, msg + 3, 'dns.flags.response', String(response));
    add(w, f, `Opcode: ${DNS_OPCODES[opcode] ?? 'Unknown'} (${opcode})`, msg + 2, msg + 3, 'dns.flags.opcode', String(opcode));
    add(
      w,
      f,
      `Truncated: ${(flags >> 9) & 1 ? 'Message is truncated' : 'Message is not truncated'}`,
      msg + 2,
      msg + 3,
      'dns.flags.truncated',
      String((flags >> 9) & 1),
    );
    add(
      w,
      f,
      `Recursion desired: ${(flags >> 8) & 1 ? 'Do query recursively' : "Don't do query recursively"}`,
      msg + 2,
      msg + 3,
      'dns.flags.recdesired',
      String((flags >> 8) & 1),
    );
    if (response)
      add(w, f, `Reply code: ${DNS_RCODES[rcode] ?? (rcode ? 'Unknown' : 'No error')} (${rcode})`, msg + 3, msg + 4, 'dns.flags.rcode', String(rcode));
    add(w, node, `Questions: ${counts[0]}`, msg + 4, msg + 6, 'dns.count.queries', String(counts[0]));
    add(w, node, `Answer RRs: ${counts[1]}`, msg + 6, msg + 8, 'dns.count.answers', String(counts[1]));
    add(w, node, `Authority RRs: ${counts[2]}`, msg + 8, msg + 10, 'dns.count.auth_rr', String(counts[2]));
    add(w, node, `Additional RRs: ${counts[3]}`, msg + 10, msg + 12, 'dns.count.add_rr', String(counts[3]));
  }
  let p = msg + 12;
  const sections = ['Queries', 'Answers', 'Authoritative nameservers', 'Additional records'];
  for (let s = 0; s < 4; s++) {
    if (counts[s] === 0) continue;
    const section = add(w, node, sections[s]!, p, to);
    for (let i = 0; i < counts[s]!; i++) {
      const name = readName(d, msg, p, to);
      const fixed = s === 0 ? 4 : 10;
      if (name.problem || name.next + fixed > to) {
        const problem = name.problem ?? `a ${s === 0 ? 'question' : 'record'} runs past the end of the message`;
        w.problem(
          add(w, section, `${name.text || '?'}: ${problem}`, p, to) ?? node,
          `DNS: ${problem}; ${counts[s]! - i} of ${counts[s]} ${sections[s]!.toLowerCase()} not decoded`,
        );
        w.info = info;
        return;
      }
      const type = u16(d, name.next);
      const klass = u16(d, name.next + 2);
      if (s === 0) {
        info += ` ${dnsType(type)} ${name.text}`;
        if (!section) {
          p = name.next + 4;
          continue;
        }
        const q = add(w, section, `${name.text}: type ${dnsType(type)}, class ${klass === 1 ? 'IN' : klass}`, p, name.next + 4);
        add(w, q, `Name: ${name.text}`, p, name.next, 'dns.qry.name', name.text);
        add(w, q, `Type: ${dnsType(type)} (${type})`, name.next, name.next + 2, 'dns.qry.type', String(type));
        add(w, q, `Class: ${klass === 1 ? 'IN' : 'Unknown'} (${hexValue(klass, 4)})`, name.next + 2, name.next + 4, 'dns.qry.class', hexValue(klass, 4));
        p = name.next + 4;
        continue;
      }
      const ttl = u32(d, name.next + 4);
      const rdLength = u16(d, name.next + 8);
      const rdata = name.next + 10;
      if (rdata + rdLength > to) {
        w.problem(
          add(w, section, `${name.text}: type ${dnsType(type)}`, p, to) ?? node,
          `DNS: a ${dnsType(type)} record's data (${rdLength} bytes) runs past the end of the message`,
        );
        w.info = info;
        return;
      }
      const value = rdataText(w, msg, type, rdata, rdLength, to);
      // Wireshark's Info lists every record after the questions (a TXT and an OPT by their type alone).
      info += type === 16 || type === 41 ? ` ${dnsType(type)}` : ` ${dnsType(type)} ${value.text}`;
      const rr = add(
        w,
        section,
        `${name.text}: type ${dnsType(type)}, class ${type === 41 ? klass : klass === 1 ? 'IN' : klass}${type === 41 ? '' : `, ${value.text}`}`,
        p,
        rdata + rdLength,
      );
      if (value.problem) w.problem(rr ?? node, `DNS: ${dnsType(type)} record: ${value.problem}`);
      if (rr) {
        add(w, rr, `Name: ${name.text}`, p, name.next, 'dns.resp.name', name.text);
        add(w, rr, `Type: ${dnsType(type)} (${type})`, name.next, name.next + 2, 'dns.resp.type', String(type));
        if (type !== 41) {
          add(w, rr, `Class: ${klass === 1 ? 'IN' : 'Unknown'} (${hexValue(klass, 4)})`, name.next + 2, name.next + 4, 'dns.resp.class', hexValue(klass, 4));
          add(w, rr, `Time to live: ${ttl}`, name.next + 4, name.next + 8, 'dns.resp.ttl', String(ttl));
        }
        add(w, rr, `Data length: ${rdLength}`, name.next + 8, rdata, 'dns.resp.len', String(rdLength));
        for (const [label, field, v, a, b] of value.fields) add(w, rr, label, a, b, field, v);
      }
      p = rdata + rdLength;
    }
  }
  w.info = info;
  if (p < to && !overTcp) add(w, node, `Trailing bytes: ${to - p}`, p, to);
}

interface Rdata {
  text: string;
  problem?: string;
  /** [label, tshark field, value, start, end] */
  fields: [string, string | undefined, string, number, number][];
}

function rdataText(w: Walk, msg: number, type: number, p: number, length: number, to: number): Rdata {
  const d = w.d;
  const end = p + length;
  const nameAt = (at: number, label: string, field: string, fields: Rdata['fields']): Name => {
    const name = readName(d, msg, at, to);
    fields.push([`${label}: ${name.text}`, name.problem ? undefined : field, name.text, at, Math.min(name.next, end)]);
    return name;
  };
  const fields: Rdata['fields'] = [];
  switch (type) {
    case 1:
      if (length !== 4) return { text: `(${length} bytes)`, problem: `length ${length}, not 4`, fields };
      fields.push([`Address: ${ipv4(d, p)}`, 'dns.a', ipv4(d, p), p, end]);
      return { text: ipv4(d, p), fields };
    case 28:
      if (length !== 16) return { text: `(${length} bytes)`, problem: `length ${length}, not 16`, fields };
      fields.push([`AAAA Address: ${ipv6(d, p)}`, 'dns.aaaa', ipv6(d, p), p, end]);
      return { text: ipv6(d, p), fields };
    case 2:
    case 5:
    case 12: {
      const field = type === 2 ? 'dns.ns' : type === 5 ? 'dns.cname' : 'dns.ptr.domain_name';
      const name = nameAt(p, type === 2 ? 'Name Server' : type === 5 ? 'CNAME' : 'Domain Name', field, fields);
      return { text: name.text, problem: name.problem, fields };
    }
    case 15: {
      if (length < 3) return { text: `(${length} bytes)`, problem: `length ${length}, too short for MX`, fields };
      fields.push([`Preference: ${u16(d, p)}`, 'dns.mx.preference', String(u16(d, p)), p, p + 2]);
      const name = nameAt(p + 2, 'Mail Exchange', 'dns.mx.mail_exchange', fields);
      return { text: `${u16(d, p)} ${name.text}`, problem: name.problem, fields };
    }
    case 16: {
      const strings: string[] = [];
      for (let at = p; at < end; ) {
        const size = d[at]!;
        if (at + 1 + size > end) return { text: strings.join(' '), problem: 'a TXT string runs past its record', fields };
        const text = decodeUtf8(d.subarray(at + 1, at + 1 + size));
        strings.push(text);
        fields.push([`TXT: ${text}`, 'dns.txt', text, at, at + 1 + size]);
        at += 1 + size;
      }
      return { text: strings.map((s) => JSON.stringify(s)).join(' '), fields };
    }
    case 6: {
      const mname = nameAt(p, 'Primary name server', 'dns.soa.mname', fields);
      if (mname.problem) return { text: mname.text, problem: mname.problem, fields };
      const rname = nameAt(mname.next, "Responsible authority's mailbox", 'dns.soa.rname', fields);
      if (rname.problem || rname.next + 20 > end) return { text: mname.text, problem: rname.problem ?? 'SOA record too short for its five numbers', fields };
      const names = ['Serial Number', 'Refresh Interval', 'Retry Interval', 'Expire limit', 'Minimum TTL'];
      const tsharkNames = ['serial_number', 'refresh_interval', 'retry_interval', 'expire_limit', 'minimum_ttl'];
      for (let i = 0; i < 5; i++)
        fields.push([
          `${names[i]}: ${u32(d, rname.next + i * 4)}`,
          `dns.soa.${tsharkNames[i]}`,
          String(u32(d, rname.next + i * 4)),
          rname.next + i * 4,
          rname.next + i * 4 + 4,
        ]);
      return { text: mname.text, fields };
    }
    default:
      return { text: type === 41 ? 'OPT' : `(${length} bytes)`, fields };
  }
}

const NTP_MODES: Record<number, string> = {
  0: 'reserved',
  1: 'symmetric active',
  2: 'symmetric passive',
  3: 'client',
  4: 'server',
  5: 'broadcast',
  6: 'control',
  7: 'private',
};
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Seconds between the NTP era 0 epoch (1900) and the Unix epoch. */
const NTP_UNIX_OFFSET = 2_208_988_800;

/** A time as tshark writes absolute times: `Dec  7, 2026 17:19:35.123456789 UTC`. */
function tsharkTime(sec: number, nsec: number): string {
  const t = new Date(sec * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[t.getUTCMonth()]} ${String(t.getUTCDate()).padStart(2, ' ')}, ${t.getUTCFullYear()} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}.${String(nsec).padStart(9, '0')} UTC`;
}

export function ntp(w: Walk, o: number, end: number): void {
  const d = w.d;
  w.enter('ntp', 'NTP');
  const node = w.full ? w.layer('Network Time Protocol', o, end) : null;
  if (!w.has(node, o, 1, 'NTP header')) return;
  const flags = d[o]!;
  const version = (flags >> 3) & 7;
  const mode = flags & 7;
  w.info = `NTP Version ${version}, ${NTP_MODES[mode]}`;
  if (node) {
    node.label = `Network Time Protocol (NTP Version ${version}, ${NTP_MODES[mode]})`;
    const f = add(
      w,
      node,
      `Flags: ${hexValue(flags, 2)}, Leap Indicator: ${flags >> 6}, Version: ${version}, Mode: ${NTP_MODES[mode]}`,
      o,
      o + 1,
      'ntp.flags',
      hexValue(flags, 2),
    );
    add(w, f, `Leap Indicator: ${flags >> 6}`, o, o + 1, 'ntp.flags.li', String(flags >> 6));
    add(w, f, `Version number: NTP Version ${version} (${version})`, o, o + 1, 'ntp.flags.vn', String(version));
    add(w, f, `Mode: ${NTP_MODES[mode]} (${mode})`, o, o + 1, 'ntp.flags.mode', String(mode));
  }
  // Modes 6 and 7 (control, private) have other layouts; only their first byte is read here.
  if (mode === 6 || mode === 7) return;
  if (Math.min(end, d.length) < o + 48) {
    if (end >= o + 48) w.has(node, o, 48, 'NTP packet');
    else w.problem(node, `NTP packet of ${end - o} bytes, shorter than its 48-byte header: malformed`);
    return;
  }
  const stratum = d[o + 1]!;
  if (!node) return;
  add(w, node, `Peer Clock Stratum: ${stratum}`, o + 1, o + 2, 'ntp.stratum', String(stratum));
  add(w, node, `Peer Polling Interval: ${(d[o + 2]! << 24) >> 24}`, o + 2, o + 3, 'ntp.ppoll', String(d[o + 2]));
  // tshark prints the precision's byte unsigned.
  add(w, node, `Peer Clock Precision: ${(d[o + 3]! << 24) >> 24}`, o + 3, o + 4, 'ntp.precision', String(d[o + 3]));
  add(w, node, `Root Delay: ${(u32(d, o + 4) / 65536).toFixed(6)} seconds`, o + 4, o + 8);
  add(w, node, `Root Dispersion: ${(u32(d, o + 8) / 65536).toFixed(6)} seconds`, o + 8, o + 12);
  const refId = stratum <= 1 ? decodeUtf8(d.subarray(o + 12, o + 16)).replace(/\0+$/, '') : ipv4(d, o + 12);
  add(w, node, `Reference ID: ${refId}`, o + 12, o + 16);
  const names: [string, string][] = [
    ['Reference Timestamp', 'ntp.reftime'],
    ['Origin Timestamp', 'ntp.org'],
    ['Receive Timestamp', 'ntp.rec'],
    ['Transmit Timestamp', 'ntp.xmt'],
  ];
  for (let i = 0; i < 4; i++) {
    const at = o + 16 + i * 8;
    const seconds = u32(d, at);
    const fraction = u32(d, at + 4);
    const [label, field] = names[i]!;
    if (seconds === 0 && fraction === 0) {
      add(w, node, `${label}: (zero)`, at, at + 8);
      continue;
    }
    // RFC 4330 §3: with the top bit clear the time is in era 1 (from 2036); nanoseconds rounded down.
    const era = seconds & 0x80000000 ? 0 : 2 ** 32;
    const text = tsharkTime(seconds + era - NTP_UNIX_OFFSET, Math.floor((fraction * 1e9) / 2 ** 32));
    add(w, node, `${label}: ${text}`, at, at + 8, field, text);
  }
}

const HTTP_METHODS = ['GET ', 'POST ', 'HEAD ', 'PUT ', 'DELETE ', 'OPTIONS ', 'PATCH ', 'CONNECT ', 'TRACE ', 'HTTP/1.'];
/** The longest first line we look for (a request line longer than this is shown as bytes). */
const MAX_HTTP_LINE = 8192;

/** Whether a TCP payload starts like an HTTP/1.x request or response. */
export function looksLikeHttp(d: Uint8Array, p: number, end: number): boolean {
  if (end - p < 8) return false;
  const c = d[p]!;
  // Every method and "HTTP/" start with an upper-case letter among these.
  if (c !== 0x47 && c !== 0x50 && c !== 0x48 && c !== 0x44 && c !== 0x4f && c !== 0x43 && c !== 0x54) return false;
  return HTTP_METHODS.some((m) => {
    for (let i = 0; i < m.length; i++) if (d[p + i] !== m.charCodeAt(i)) return false;
    return true;
  });
}

export function httpFirstLine(w: Walk, p: number, end: number): void {
  const d = w.d;
  const to = Math.min(end, d.length);
  w.enter('http', 'HTTP');
  const node = w.full ? w.layer('Hypertext Transfer Protocol', p, to) : null;
  let eol = p;
  while (eol < to && eol - p < MAX_HTTP_LINE && d[eol] !== 0x0a) eol++;
  const line = decodeLatin1(d.subarray(p, eol)).replace(/\r$/, '');
  w.info = line;
  if (eol >= to || d[eol] !== 0x0a)
    w.problem(
      node,
      eol - p >= MAX_HTTP_LINE ? `HTTP first line longer than ${MAX_HTTP_LINE} bytes` : 'HTTP first line continues past this segment (no reassembly)',
    );
  const parts = line.split(' ');
  const first = add(w, node, line, p, Math.min(eol + 1, to));
  if (line.startsWith('HTTP/')) {
    add(w, first, `Response Version: ${parts[0]}`, p, p + parts[0]!.length, 'http.response.version', parts[0]);
    if (parts[1]) add(w, first, `Status Code: ${parts[1]}`, undefined, undefined, 'http.response.code', parts[1]);
    if (parts.length > 2) add(w, first, `Response Phrase: ${parts.slice(2).join(' ')}`, undefined, undefined, 'http.response.phrase', parts.slice(2).join(' '));
  } else {
    add(w, first, `Request Method: ${parts[0]}`, p, p + parts[0]!.length, 'http.request.method', parts[0]);
    if (parts[1] !== undefined) add(w, first, `Request URI: ${parts[1]}`, undefined, undefined, 'http.request.uri', parts[1]);
    if (parts[2] !== undefined) add(w, first, `Request Version: ${parts[2]}`, undefined, undefined, 'http.request.version', parts[2]);
  }
  if (!node) return;
  // The header lines, as text (not decoded further), up to the blank line.
  let at = eol + 1;
  for (let count = 0; at < to && count < 100; count++) {
    let next = at;
    while (next < to && d[next] !== 0x0a) next++;
    const header = decodeLatin1(d.subarray(at, next)).replace(/\r$/, '');
    if (header === '') break;
    add(w, node, header, at, Math.min(next + 1, to));
    at = next + 1;
  }
}
