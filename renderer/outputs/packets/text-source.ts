/**
 * tcpdump's printed packets (`source: 'text'`) for the list: number, time and summary as printed;
 * packets printed with their bytes (-x/-X/-xx/-XX) are decoded through core's
 * `toCapturedPacket` + `decodePacket` for the tree, the bytes and the filter's facts; the others
 * are read from their summary line and say they have no bytes.
 */
import { decodePacket, summarizePacket } from '../../../core/common/packets/decode.ts';
import type { TextPacket } from '../../../core/common/packets/payload.ts';
import type { CaptureInterface, PacketFacts, PacketRecord } from '../../../core/common/packets/types.ts';
import { readSummaryFields } from '../../../core/common/parsers/tcpdump/summary-fields.ts';
import { type TcpdumpLinkType, type TcpdumpPacket, toCapturedPacket } from '../../../core/common/parsers/tcpdump/tcpdump-text.ts';
import type { ListRow, PacketDetails, PacketSource } from './packet-source.ts';
import { columns } from './capture-source.ts';

/** Hex characters of one packet we decode at the most (tcpdump's snap length, twice). */
const MAX_HEX_CHARS = 2 * 262_144;

/** tcpdump's protocol words as the display filter's lower-case names. */
const PROTOCOL_NAMES: Record<string, string> = {
  IP: 'ip',
  IP6: 'ipv6',
  ARP: 'arp',
  TCP: 'tcp',
  UDP: 'udp',
  udp: 'udp',
  tcp: 'tcp',
  ICMP: 'icmp',
  ICMP6: 'icmpv6',
};

const NO_BYTES = 'tcpdump printed no bytes for this packet (run it with -x or -X to see them): only its summary is shown.';

function bytesOf(hex: string): Uint8Array | undefined {
  if (hex.length > MAX_HEX_CHARS || !/^(?:[0-9a-fA-F]{2})*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export class TextSource implements PacketSource {
  readonly ordered = false;
  private packets: readonly TextPacket[];
  private readonly linkType: TcpdumpLinkType | undefined;

  constructor(packets: readonly TextPacket[], linkType?: { name: string; number?: number }) {
    this.packets = packets;
    this.linkType = linkType && { name: linkType.name, description: '', number: linkType.number };
  }

  get count(): number {
    return this.packets.length;
  }

  /** A newer list of the same output; false when it is not the old one with packets added. */
  extend(packets: readonly TextPacket[]): boolean {
    const old = this.packets;
    const same = (a: TextPacket | undefined, b: TextPacket | undefined) => a?.no === b?.no && a?.summary === b?.summary;
    if (packets.length < old.length || !same(packets[0], old[0]) || !same(packets[old.length - 1], old[old.length - 1])) return false;
    this.packets = packets;
    return true;
  }

  row(i: number): ListRow {
    const p = this.packets[i]!;
    const captured = this.captured(p);
    const fields = readSummaryFields(p.summary);
    const port = (v: number | string | undefined) => (v === undefined ? '' : `.${v}`);
    const row: ListRow = {
      no: p.no,
      time: p.time ?? '',
      source: fields.src === undefined ? (fields.link?.src ?? '') : `${fields.src}${port(fields.srcPort)}`,
      destination: fields.dst === undefined ? (fields.link?.dst ?? '') : `${fields.dst}${port(fields.dstPort)}`,
      protocol: fields.transport?.toUpperCase() ?? fields.protocol ?? '',
      length: String(fields.link?.frameLength ?? fields.length ?? ''),
      info: p.summary,
      problems: [],
    };
    if (!captured) return row;
    const s = summarizePacket(captured.record, captured.iface);
    return { ...row, ...columns(s), info: p.summary, length: String(captured.record.origLen) };
  }

  facts(i: number): PacketFacts {
    const p = this.packets[i]!;
    const captured = this.captured(p);
    if (captured) return summarizePacket(captured.record, captured.iface).facts;
    const f = readSummaryFields(p.summary);
    const protocols = [f.protocol, f.transport ?? (f.tcpFlags === undefined ? undefined : 'TCP')].flatMap((n) =>
      n && PROTOCOL_NAMES[n] ? [PROTOCOL_NAMES[n]!] : [],
    );
    const port = (v: number | string | undefined) => (typeof v === 'number' ? v : undefined);
    return {
      protocols,
      addresses: { src: f.src, dst: f.dst, srcMac: f.link?.src, dstMac: f.link?.dst },
      ports: { src: port(f.srcPort), dst: port(f.dstPort) },
    };
  }

  details(i: number): PacketDetails {
    const p = this.packets[i]!;
    const captured = this.captured(p);
    if (!captured) {
      const note = p.hex ? 'tcpdump printed bytes for this packet, but not where they start (link or network header): they are not decoded.' : NO_BYTES;
      const tree = [{ label: p.summary }, ...(p.ascii ? [{ label: `ASCII (-A): ${p.ascii}` }] : [])];
      return { tree, networkOffset: 0, problems: [], note, data: p.hex ? bytesOf(p.hex) : undefined };
    }
    const d = decodePacket(captured.record, captured.iface);
    return { data: captured.record.data, tree: d.tree, networkOffset: d.networkOffset, problems: d.problems };
  }

  contextStep(): void {}

  private captured(p: TextPacket): { record: PacketRecord; iface: CaptureInterface } | undefined {
    if (!p.hex || !p.bytesFrom) return undefined;
    const bytes = bytesOf(p.hex);
    if (!bytes) return undefined;
    const digits = /\.\d{9}$/.test(p.time ?? '') ? 9 : 6;
    const packet: TcpdumpPacket = {
      ...readSummaryFields(p.summary),
      kind: 'packet',
      no: p.no,
      summary: p.summary,
      bytes,
      bytesFrom: p.bytesFrom,
      time: p.time === undefined ? undefined : { text: p.time, form: 'delta-first', digits, sinceFirstNs: p.sinceFirstNs ?? 0 },
    };
    return toCapturedPacket(packet, this.linkType);
  }
}
