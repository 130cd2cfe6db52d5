/**
 * The packet view's display filter: tcpdump-style primitives (`host 10.0.0.1`, `src port 53`,
 * `tcp port 80`, `icmp`) and Wireshark-style comparisons (`ip.addr == 10.0.0.1`, `tcp.port != 22`),
 * combined with `and`/`&&`, `or`/`||`, `not`/`!` and parentheses. It tests {@link PacketFacts}, so
 * it runs on rows from {@link summarizePacket} without decoding trees.
 *
 * @example
 * const filter = compileDisplayFilter('dns or (tcp port 80 and not host 10.0.0.9)');
 * if (filter.ok) rows.filter((r) => filter.test(r.facts));
 * else show(`${filter.error} (at character ${filter.position + 1})`);
 */
import { ipv6 } from './decode-walk.ts';
import type { PacketFacts } from './types.ts';

export type DisplayFilter = { ok: true; test: (facts: PacketFacts) => boolean } | { ok: false; error: string; position: number };

type Test = (f: PacketFacts) => boolean;

/** Protocol words and the name the decoder records (PacketFacts.protocols). */
const PROTOCOLS: Record<string, string> = {
  eth: 'eth',
  ether: 'eth',
  vlan: 'vlan',
  sll: 'sll',
  ip: 'ip',
  ip6: 'ipv6',
  ipv6: 'ipv6',
  arp: 'arp',
  icmp: 'icmp',
  icmp6: 'icmpv6',
  icmpv6: 'icmpv6',
  tcp: 'tcp',
  udp: 'udp',
  dns: 'dns',
  ntp: 'ntp',
  http: 'http',
};

interface Token {
  text: string;
  at: number;
}

class FilterError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(&&|\|\||==|!=|[()!]|[A-Za-z0-9_.:-]+|\S)/y;
  for (let m = re.exec(text); m?.[1]; m = re.exec(text)) tokens.push({ text: m[1], at: m.index + m[0].length - m[1].length });
  return tokens;
}

/** Canonical text of an address as the decoder writes it (IPv6 compressed, MAC lower case), or null. */
function normalizeAddress(text: string): string | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return text.split('.').every((n) => Number(n) <= 255) ? text.split('.').map(Number).join('.') : null;
  if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(text)) return text.toLowerCase();
  if (!text.includes(':') || !/^[0-9a-f:.]+$/i.test(text)) return null;
  const [head = '', tail, extra] = text.split('::');
  if (extra !== undefined) return null;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const fill = 8 - left.length - right.length;
  if ((tail === undefined && fill !== 0) || fill < 0 || [...left, ...right].some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  const all = [...left, ...Array(tail === undefined ? 0 : fill).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    bytes[i * 2] = v >> 8;
    bytes[i * 2 + 1] = v & 0xff;
  });
  return ipv6(bytes, 0);
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  private peek(): string | undefined {
    return this.tokens[this.i]?.text.toLowerCase();
  }
  private where(): number {
    return this.tokens[this.i]?.at ?? this.length;
  }
  private take(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new FilterError('the filter ends too soon: something is missing at its end', this.length);
    return t;
  }

  parse(): Test {
    const test = this.or();
    if (this.i < this.tokens.length) throw new FilterError(`unexpected "${this.tokens[this.i]!.text}": expected "and", "or" or the end`, this.where());
    return test;
  }

  private or(): Test {
    let left = this.and();
    while (this.peek() === 'or' || this.peek() === '||') {
      this.i++;
      const a = left;
      const b = this.and();
      left = (f) => a(f) || b(f);
    }
    return left;
  }

  private and(): Test {
    let left = this.not();
    while (this.peek() === 'and' || this.peek() === '&&') {
      this.i++;
      const a = left;
      const b = this.not();
      left = (f) => a(f) && b(f);
    }
    return left;
  }

  private not(): Test {
    if (this.peek() === 'not' || this.peek() === '!') {
      this.i++;
      const inner = this.not();
      return (f) => !inner(f);
    }
    return this.primary();
  }

  private primary(): Test {
    const at = this.where();
    const word = this.peek();
    if (word === undefined) throw new FilterError('the filter ends too soon: expected a protocol, "host", "port" or a field', this.length);
    if (word === '(') {
      this.i++;
      const inner = this.or();
      if (this.peek() !== ')') throw new FilterError(`expected ")" to close the "(" at character ${at + 1}`, this.where());
      this.i++;
      return inner;
    }
    if (word.includes('.') && !/^\d/.test(word)) return this.comparison();
    // tcpdump style: [protocol] [src|dst] (host ADDRESS | port N), or a protocol alone.
    let protocol: string | undefined;
    if (PROTOCOLS[word]) {
      protocol = PROTOCOLS[word];
      this.i++;
      const next = this.peek();
      if (next !== 'src' && next !== 'dst' && next !== 'host' && next !== 'port') return (f) => f.protocols.includes(protocol!);
    }
    let direction: 'src' | 'dst' | undefined;
    if (this.peek() === 'src' || this.peek() === 'dst') direction = this.take().text.toLowerCase() as 'src' | 'dst';
    const kind = this.peek();
    if (kind === 'host') {
      this.i++;
      const address = this.address();
      return within(protocol, hostTest(address, direction));
    }
    if (kind === 'port') {
      this.i++;
      const port = this.port();
      const onPort: Test = (f) => (direction !== 'dst' && f.ports.src === port) || (direction !== 'src' && f.ports.dst === port);
      // A port belongs to TCP or UDP: `port 53` alone means either.
      return within(protocol, (f) => (f.protocols.includes('tcp') || f.protocols.includes('udp')) && onPort(f));
    }
    const t = this.tokens[this.i];
    throw new FilterError(
      t
        ? `unknown word "${t.text}": expected a protocol (${Object.keys(PROTOCOLS).join(', ')}), "host", "port" or a field such as ip.addr`
        : 'the filter ends too soon: expected "host" or "port"',
      t ? t.at : this.length,
    );
  }

  private address(): string {
    const t = this.tokens[this.i];
    if (!t) throw new FilterError('expected an address after "host"', this.length);
    const address = normalizeAddress(t.text);
    if (address === null) throw new FilterError(`"${t.text}" is not an IPv4, IPv6 or MAC address`, t.at);
    this.i++;
    return address;
  }

  private port(): number {
    const t = this.tokens[this.i];
    if (!t) throw new FilterError('expected a port number', this.length);
    if (!/^\d+$/.test(t.text) || Number(t.text) > 65535) throw new FilterError(`"${t.text}" is not a port number (0 to 65535)`, t.at);
    this.i++;
    return Number(t.text);
  }

  /** `field == value` / `field != value` (also `eq`, `ne`). */
  private comparison(): Test {
    const field = this.take();
    const name = field.text.toLowerCase();
    const op = this.peek();
    if (op !== '==' && op !== '!=' && op !== 'eq' && op !== 'ne') {
      throw new FilterError(`expected "==" or "!=" after ${field.text}`, this.where());
    }
    this.i++;
    const [protocol, part] = name.split('.', 2) as [string, string];
    let test: Test;
    if ((protocol === 'ip' || protocol === 'ipv6' || protocol === 'eth') && (part === 'addr' || part === 'src' || part === 'dst')) {
      const address = this.address();
      const key = protocol === 'eth' ? (['srcMac', 'dstMac'] as const) : (['src', 'dst'] as const);
      const has = (f: PacketFacts) => f.protocols.includes(protocol === 'ipv6' ? 'ipv6' : protocol === 'ip' ? 'ip' : 'eth');
      if (part === 'addr') test = (f) => has(f) && (f.addresses[key[0]] === address || f.addresses[key[1]] === address);
      else test = (f) => has(f) && f.addresses[part === 'src' ? key[0] : key[1]] === address;
    } else if ((protocol === 'tcp' || protocol === 'udp') && (part === 'port' || part === 'srcport' || part === 'dstport')) {
      const port = this.port();
      if (part === 'port') test = (f) => f.protocols.includes(protocol) && (f.ports.src === port || f.ports.dst === port);
      else test = (f) => f.protocols.includes(protocol) && f.ports[part === 'srcport' ? 'src' : 'dst'] === port;
    } else {
      throw new FilterError(
        `unknown field "${field.text}": known are ip.addr, ip.src, ip.dst, ipv6.addr, ipv6.src, ipv6.dst, eth.addr, eth.src, eth.dst, tcp.port, tcp.srcport, tcp.dstport, udp.port, udp.srcport, udp.dstport`,
        field.at,
      );
    }
    // Wireshark's `!=` on a field with two values (ip.addr) means "neither is".
    return op === '!=' || op === 'ne' ? (f) => !test(f) : test;
  }
}

function hostTest(address: string, direction: 'src' | 'dst' | undefined): Test {
  const mac = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(address);
  const [src, dst] = mac ? (['srcMac', 'dstMac'] as const) : (['src', 'dst'] as const);
  return (f) => (direction !== 'dst' && f.addresses[src] === address) || (direction !== 'src' && f.addresses[dst] === address);
}

function within(protocol: string | undefined, test: Test): Test {
  return protocol === undefined ? test : (f) => f.protocols.includes(protocol) && test(f);
}

/** Compiles `text`; an empty filter matches every packet. Never throws: a bad filter is `{ ok: false, error, position }` (0-based). */
export function compileDisplayFilter(text: string): DisplayFilter {
  if (text.trim() === '') return { ok: true, test: () => true };
  try {
    return { ok: true, test: new Parser(tokenize(text), text.length).parse() };
  } catch (error) {
    if (error instanceof FilterError) return { ok: false, error: error.message, position: error.position };
    return { ok: false, error: `the filter could not be read: ${String(error)}`, position: 0 };
  }
}
