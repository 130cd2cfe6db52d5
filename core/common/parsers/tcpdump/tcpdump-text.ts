/**
 * tcpdump's printed output (4.99; formats.md §3.1) as a stream of packets and text. Chunks may
 * split lines anywhere. A packet is its header line (optional `-#` number, optional time, the
 * summary), the lines indented under it (-v, joined to the summary), its hex dump (-x/-xx/-X/-XX)
 * or its ASCII dump (-A). Every other line — banners, `N packets captured`, errors, anything this
 * parser cannot place — is passed on as text, character for character.
 */
import { LINKTYPE, type CaptureInterface, type PacketRecord } from '../../packets/types.ts';
import { type BytesFrom, detectBytesFrom, readHexLine } from './hex-dump.ts';
import { readSummaryFields, type SummaryFields } from './summary-fields.ts';
import { TcpdumpClock, type TcpdumpTime, type TimeMatch } from './tcpdump-time.ts';

/** One packet as tcpdump printed it. */
export interface TcpdumpPacket extends SummaryFields {
  kind: 'packet';
  /** The `-#` number, else the packet's position in the stream (1-based). */
  no: number;
  /** Absent with -t. */
  time?: TcpdumpTime;
  /** The line after the time, with -v's continuation lines joined by single spaces. */
  summary: string;
  /** -v's continuation lines as printed (indentation kept), when there are any. */
  detail?: string[];
  /** The bytes of the hex dump. */
  bytes?: Uint8Array;
  /** Where `bytes` start; absent when neither the caller nor the bytes tell. */
  bytesFrom?: BytesFrom;
  /** -A's ASCII dump as printed: non-printable bytes are `.`, line breaks are the packet's own. */
  payloadText?: string;
}

/** Text the parser could not place in a packet, exactly as it came (newlines included). */
export interface TcpdumpText {
  kind: 'text';
  text: string;
}

export type TcpdumpItem = TcpdumpPacket | TcpdumpText;

/** The `listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes` banner. */
export interface TcpdumpLinkType {
  /** `EN10MB`, `LINUX_SLL2`, `RAW` … */
  name: string;
  /** `Ethernet`, `Linux cooked v2` … */
  description: string;
  /** The LINKTYPE_* number when it is one the decoder knows. */
  number?: number;
  snapLength?: number;
}

/** What the caller knows from the command line (see `textOptionsOf` in tcpdump-command.ts). */
export interface TcpdumpTextOptions {
  /** -xx/-XX print from the link layer, -x/-X from the network header; detected when absent. */
  bytesFrom?: BytesFrom;
  /** -ttt and -ttttt print the same form: a delta to the previous (default) or to the first packet. */
  deltas?: 'previous' | 'first';
  /** -A: lines under a packet are its ASCII dump (detected from an `E`/`` ` `` first line otherwise). */
  ascii?: boolean;
  /** Longest line kept whole (default 1 MiB); a longer one is passed on as text in pieces. */
  maxLineLength?: number;
}

export interface TcpdumpTextParser {
  /** Feeds a chunk; returns the items completed by it (a packet completes when the next line shows it ended). */
  push(chunk: string): TcpdumpItem[];
  /** Ends the stream; returns what was pending. */
  end(): TcpdumpItem[];
  /** The packet still being read (its lines so far), for a live view; undefined when none is open. */
  peek(): TcpdumpPacket | undefined;
  /** From the `listening on`/`reading from file` banner, once seen. */
  readonly linkType: TcpdumpLinkType | undefined;
}

const FRACTION = '\\.\\d{6}(?:\\d{3})?';
const HEADER = new RegExp(
  `^(?:( *\\d+)  )?(?:(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d${FRACTION}) |(\\d+${FRACTION}) |([ -])(\\d\\d:\\d\\d:\\d\\d${FRACTION}) |(\\d\\d:\\d\\d:\\d\\d${FRACTION}) )?(\\S.*)$`,
);
/** How a summary starts when no time precedes it (-t): a protocol word, `-e`'s MACs or `-i any`'s prefix. */
const KNOWN_START =
  /^(?:(?:IP6?|ARP|RARP|IPX|STP|LLDP|CDP|LOOP|AARP|EAPOL|PPPoE\w*|MPLS|vlan|802\.1Q|ethertype)[ ,]|[0-9a-f]{2}(?::[0-9a-f]{2}){5}[ ,]|\S+ +(?:In|Out|B|M|P) +\S)/;
const BANNER = /^(?:tcpdump: )?(?:listening on|reading from file) (.+?), link-type (\S+) \(([^)]*)\)(?:, snapshot length (\d+) bytes)?\r?$/;
const TOOL_LINE = /^(?:\d+ packets? (?:captured|received by filter|dropped by kernel)|tcpdump: .*)\r?$/;

const LINKTYPE_BY_NAME: Record<string, number> = {
  NULL: LINKTYPE.NULL,
  EN10MB: LINKTYPE.ETHERNET,
  RAW: LINKTYPE.RAW,
  LOOP: LINKTYPE.LOOP,
  LINUX_SLL: LINKTYPE.LINUX_SLL,
  IPV4: LINKTYPE.IPV4,
  IPV6: LINKTYPE.IPV6,
  LINUX_SLL2: LINKTYPE.LINUX_SLL2,
};

type TimeShape = TimeMatch['form'] | 'none';

interface Header {
  number?: number;
  time?: TimeMatch;
  sign: string;
  rest: string;
  shape: TimeShape;
}

function readHeader(line: string): Header | undefined {
  const m = HEADER.exec(line);
  if (!m) return undefined;
  const header: Header = { sign: m[4] ?? '', rest: m[7]!, shape: 'none' };
  if (m[1] !== undefined) header.number = Number(m[1]);
  if (m[2]) header.time = { form: 'date-time', text: m[2] };
  else if (m[3]) header.time = { form: 'epoch', text: m[3] };
  else if (m[5]) header.time = { form: 'delta', text: m[5] };
  else if (m[6]) header.time = { form: 'time-of-day', text: m[6] };
  header.shape = header.time?.form ?? 'none';
  // Without a time only the summary's start says it is a packet; with -# the number helps too.
  if (!header.time && !KNOWN_START.test(header.rest)) return undefined;
  return header;
}

interface OpenPacket {
  no: number;
  time?: TcpdumpTime;
  first: string;
  detail: string[];
  hex?: { data: Uint8Array; length: number };
  ascii?: string[];
}

/** The banner's link type; without a banner, `-i any`'s prefix says Linux cooked v2. */
function linkTypeOf(packet: TcpdumpPacket, banner: TcpdumpLinkType | undefined): number | undefined {
  return banner?.number ?? (packet.interface === undefined ? undefined : LINKTYPE.LINUX_SLL2);
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Creates a streaming parser; see {@link TcpdumpTextParser}. */
export function createTcpdumpTextParser(options: TcpdumpTextOptions = {}): TcpdumpTextParser {
  const maxLine = options.maxLineLength ?? 1024 * 1024;
  const clock = new TcpdumpClock(options.deltas ?? 'previous');
  let partial = '';
  /** Inside an over-long line: the rest of it, up to its newline, is text. */
  let overLong = false;
  let open: OpenPacket | undefined;
  let shape: { numbered: boolean; time: TimeShape } | undefined;
  let counted = 0;
  let asciiMode = options.ascii === true;
  let streamBytesFrom: BytesFrom | undefined = options.bytesFrom;
  let linkType: TcpdumpLinkType | undefined;
  let out: TcpdumpItem[] = [];

  const text = (t: string) => {
    const last = out.at(-1);
    if (last?.kind === 'text') last.text += t;
    else out.push({ kind: 'text', text: t });
  };

  const build = (p: OpenPacket): TcpdumpPacket => {
    const summary = [p.first, ...p.detail.map((d) => d.trim())].join(' ');
    const packet: TcpdumpPacket = { kind: 'packet', no: p.no, ...readSummaryFields(summary), summary };
    if (p.time) packet.time = p.time;
    if (p.detail.length > 0) packet.detail = [...p.detail];
    if (p.hex) {
      packet.bytes = p.hex.data.slice(0, p.hex.length);
      const from = options.bytesFrom ?? detectBytesFrom(packet.bytes, { linkType: linkTypeOf(packet, linkType), ethertype: packet.link?.ethertype });
      const decided = from ?? streamBytesFrom;
      if (decided) packet.bytesFrom = decided;
    }
    if (p.ascii) packet.payloadText = p.ascii.join('\n');
    return packet;
  };

  const close = () => {
    if (!open) return;
    const packet = build(open);
    if (packet.bytes && packet.bytesFrom) streamBytesFrom ??= packet.bytesFrom;
    out.push(packet);
    open = undefined;
  };

  const startPacket = (header: Header) => {
    close();
    shape ??= { numbered: header.number !== undefined, time: header.shape };
    counted++;
    open = { no: header.number ?? counted, first: header.rest, detail: [] };
    if (header.time) open.time = clock.read(header.time, header.sign);
  };

  const appendHex = (p: OpenPacket, offset: number, bytes: number[]): boolean => {
    const length = p.hex?.length ?? 0;
    if (offset !== length || p.ascii) return false;
    let hex = p.hex ?? { data: new Uint8Array(256), length: 0 };
    if (hex.length + bytes.length > hex.data.length) {
      const grown = new Uint8Array(Math.max(hex.data.length * 2, hex.length + bytes.length));
      grown.set(hex.data.subarray(0, hex.length));
      hex = { data: grown, length: hex.length };
    }
    hex.data.set(bytes, hex.length);
    hex.length += bytes.length;
    p.hex = hex;
    return true;
  };

  /** Places one line (`raw` with its newline, if it had one). */
  const line = (raw: string) => {
    const content = stripCr(raw.endsWith('\n') ? raw.slice(0, -1) : raw);
    const banner = BANNER.exec(content);
    if (banner) {
      const number = LINKTYPE_BY_NAME[banner[2]!];
      linkType = {
        name: banner[2]!,
        description: banner[3]!,
        ...(number === undefined ? {} : { number }),
        ...(banner[4] ? { snapLength: Number(banner[4]) } : {}),
      };
    }
    if (banner || TOOL_LINE.test(content)) {
      close();
      text(raw);
      return;
    }
    const header = readHeader(content);
    if (header && (!shape || (shape.numbered === (header.number !== undefined) && shape.time === header.shape))) {
      startPacket(header);
      return;
    }
    if (open && placeUnder(open, content)) return;
    close();
    text(raw);
  };

  /** A line under an open packet: its ASCII dump, hex dump or -v continuation. */
  const placeUnder = (p: OpenPacket, content: string): boolean => {
    if (p.ascii) {
      p.ascii.push(content);
      return true;
    }
    const hex = readHexLine(content);
    if (hex) return appendHex(p, hex.offset, hex.bytes);
    if (p.hex) return false;
    if (/^\s+\S/.test(content)) {
      p.detail.push(content);
      return true;
    }
    // -A prints the packet from its network header: IPv4 starts with `E` (0x45), IPv6 with '`'.
    if (asciiMode || /^[E`]/.test(content)) {
      asciiMode = true;
      p.ascii = [content];
      return true;
    }
    return false;
  };

  const take = (): TcpdumpItem[] => {
    const items = out;
    out = [];
    return items;
  };

  return {
    push(chunk) {
      let start = 0;
      for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
        const piece = partial + chunk.slice(start, nl + 1);
        partial = '';
        start = nl + 1;
        if (overLong) {
          overLong = false;
          text(piece);
        } else {
          line(piece);
        }
      }
      partial += chunk.slice(start);
      if (partial.length > maxLine) {
        if (!overLong) close();
        overLong = true;
        text(partial);
        partial = '';
      }
      return take();
    },
    end() {
      if (partial !== '') {
        if (overLong) text(partial);
        else line(partial);
      }
      partial = '';
      overLong = false;
      close();
      return take();
    },
    peek() {
      return open && build(open);
    },
    get linkType() {
      return linkType;
    },
  };
}

/**
 * Whether the first lines of a stream are tcpdump's text output: a `listening on …, link-type`
 * banner; or packet lines that start the stream or make up most of its lines (hex, indented and
 * tcpdump's own lines aside), at least one of them with a time, or two without (-t). A packet line
 * is one whose summary starts like tcpdump's (`IP `, `IP6 `, `ARP, `, `-e`'s MACs, `-i any`'s
 * prefix): shell output with times in it (logs, `date`) does not pass.
 */
export function looksLikeTcpdumpText(firstLines: string): boolean {
  const lines = firstLines.split('\n').map(stripCr);
  if (!firstLines.endsWith('\n')) lines.pop(); // an unfinished last line says nothing yet
  if (lines.some((l) => BANNER.test(l))) return true;
  let timed = 0;
  let untimed = 0;
  let other = 0;
  let firstIsPacket: boolean | undefined;
  for (const l of lines) {
    const header = readHeader(l);
    if (!header && (l.trim() === '' || TOOL_LINE.test(l) || readHexLine(l) || /^\s/.test(l))) continue;
    const isPacket = header !== undefined && KNOWN_START.test(header.rest);
    firstIsPacket ??= isPacket;
    if (!isPacket) other++;
    else if (header.time) timed++;
    else untimed++;
  }
  // -A's ASCII dumps outnumber the packet lines, so a stream that starts with a packet line counts too.
  const mostly = timed + untimed > other || firstIsPacket === true;
  return mostly && (timed >= 1 || untimed >= 2);
}

/**
 * A packet with bytes as the decoder takes it: a record, and the interface that says how to read
 * it (the banner's link type for link-layer bytes, RAW for bytes that start at the network header).
 * Undefined when the packet has no bytes or nobody knows where they start.
 */
export function toCapturedPacket(packet: TcpdumpPacket, linkType?: TcpdumpLinkType): { record: PacketRecord; iface: CaptureInterface } | undefined {
  if (!packet.bytes || !packet.bytesFrom) return undefined;
  const ns = packet.time?.sinceFirstNs ?? 0;
  const time = packet.time?.absolute ?? { sec: Math.floor(ns / 1e9), nsec: ns - Math.floor(ns / 1e9) * 1e9 };
  const fromLink = packet.bytesFrom === 'link';
  const origLen = fromLink && packet.link ? Math.max(packet.link.frameLength, packet.bytes.length) : packet.bytes.length;
  const iface: CaptureInterface = {
    linkType: fromLink ? (linkTypeOf(packet, linkType) ?? LINKTYPE.ETHERNET) : LINKTYPE.RAW,
    snapLen: linkType?.snapLength ?? 262144,
    tsUnitsPerSecond: packet.time?.digits === 9 ? 1e9 : 1e6,
  };
  return { record: { no: packet.no, time, iface: 0, origLen, data: packet.bytes }, iface };
}
