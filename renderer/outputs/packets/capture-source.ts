/**
 * A capture's packets for the list: bytes go through core's {@link CaptureReader} as they are
 * decoded, records are kept in a {@link RecordStore}, rows and trees come from core's decoder.
 */
import { CaptureReader } from '../../../core/common/packets/capture-reader.ts';
import { DecodeContext, decodePacket, summarizePacket } from '../../../core/common/packets/decode.ts';
import type { CaptureInterface, PacketFacts, PacketSummary, Timestamp } from '../../../core/common/packets/types.ts';
import type { ListRow, PacketDetails, PacketSource } from './packet-source.ts';
import { RecordStore } from './record-store.ts';

/** `t - first` in seconds with `digits` fraction digits (6: µs, 9: ns), exact (no floating point). */
export function timeSince(t: Timestamp, first: Timestamp, digits: 6 | 9): string {
  let sec = t.sec - first.sec;
  let nsec = t.nsec - first.nsec;
  let sign = '';
  if (sec < 0 || (sec === 0 && nsec < 0)) {
    // Packets out of order: a time before the first.
    sign = '-';
    sec = -sec;
    nsec = -nsec;
  }
  if (nsec < 0) {
    sec -= 1;
    nsec += 1_000_000_000;
  }
  return `${sign}${sec}.${String(nsec).padStart(9, '0').slice(0, digits)}`;
}

export class CaptureSource implements PacketSource {
  readonly ordered = true;
  readonly store = new RecordStore();
  readonly reader = new CaptureReader();
  private ctx = new DecodeContext();
  private first: Timestamp | undefined;

  get count(): number {
    return this.store.count;
  }

  get interfaces(): readonly CaptureInterface[] {
    return this.reader.interfaces;
  }

  /** Reads more of the stream; returns false once the list is full (the rest is not kept). */
  push(bytes: Uint8Array): boolean {
    this.store.setChunk(bytes);
    for (const r of this.reader.push(bytes)) {
      this.first ??= r.time;
      if (!this.store.add(r)) return false;
    }
    return !this.store.full;
  }

  row(i: number, inContext: boolean): ListRow {
    const r = this.store.get(i);
    const iface = this.reader.interfaces[r.iface];
    const s = summarizePacket(r, iface, inContext ? this.ctx : undefined);
    const digits = (iface?.tsUnitsPerSecond ?? 1e6) >= 1e9 ? 9 : 6;
    const cut = r.data.length < r.origLen ? ` (${r.data.length} captured)` : '';
    return { ...columns(s), no: r.no, time: timeSince(r.time, this.first ?? r.time, digits), length: `${r.origLen}${cut}` };
  }

  facts(i: number): PacketFacts {
    const r = this.store.get(i);
    return summarizePacket(r, this.reader.interfaces[r.iface]).facts;
  }

  details(i: number, inContext: boolean): PacketDetails {
    const r = this.store.get(i);
    const d = decodePacket(r, this.reader.interfaces[r.iface], inContext ? this.ctx : undefined);
    return { data: r.data, tree: d.tree, networkOffset: d.networkOffset, problems: d.problems };
  }

  contextStep(i: number): void {
    const r = this.store.get(i);
    summarizePacket(r, this.reader.interfaces[r.iface], this.ctx);
  }
}

/** The columns every source fills from a decoder summary. */
export function columns(s: PacketSummary): Pick<ListRow, 'source' | 'destination' | 'protocol' | 'info' | 'problems'> {
  return { source: s.source, destination: s.destination, protocol: s.protocol, info: s.info, problems: s.problems };
}
