/**
 * A capture's packet records in columns (typed arrays) over the decoded bytes, instead of one
 * object per packet: a million packets take ~30 MB here, not ~200 MB of small objects. A record is
 * rebuilt as a {@link PacketRecord} when a row or the details need it.
 */
import type { PacketRecord } from '../../../core/common/packets/types.ts';

/** Packets the list holds at the most; past it the view says the rest is in the file. */
export const MAX_LIST_PACKETS = 2_000_000;

export class RecordStore {
  count = 0;
  private readonly chunks: Uint8Array[] = [];
  /** Index in `chunks` of the bytes last given to {@link setChunk}. */
  private current = -1;
  private chunkOf = new Uint32Array(1024);
  private offset = new Uint32Array(1024);
  private length = new Uint32Array(1024);
  private origLen = new Uint32Array(1024);
  private sec = new Float64Array(1024);
  private nsec = new Uint32Array(1024);
  private iface = new Uint32Array(1024);
  private numbers = new Uint32Array(1024);

  /** Bytes the next records' data will mostly be views of (what was just given to the capture reader). */
  setChunk(bytes: Uint8Array): void {
    this.current = this.chunks.push(bytes) - 1;
  }

  get full(): boolean {
    return this.count >= MAX_LIST_PACKETS;
  }

  /** Keeps a record; returns false when the list is full. */
  add(r: PacketRecord): boolean {
    if (this.full) return false;
    if (this.count === this.offset.length) this.grow();
    let chunk = this.current;
    if (chunk < 0 || r.data.buffer !== this.chunks[chunk]!.buffer) {
      // A record that straddled two reads comes as a copy of its own.
      chunk = this.chunks.push(r.data) - 1;
    }
    const i = this.count++;
    this.chunkOf[i] = chunk;
    this.offset[i] = r.data.byteOffset - this.chunks[chunk]!.byteOffset;
    this.length[i] = r.data.length;
    this.origLen[i] = r.origLen;
    this.sec[i] = r.time.sec;
    this.nsec[i] = r.time.nsec;
    this.iface[i] = r.iface;
    this.numbers[i] = r.no;
    return true;
  }

  get(i: number): PacketRecord {
    const chunk = this.chunks[this.chunkOf[i]!]!;
    const at = this.offset[i]!;
    return {
      no: this.numbers[i]!,
      time: { sec: this.sec[i]!, nsec: this.nsec[i]! },
      iface: this.iface[i]!,
      origLen: this.origLen[i]!,
      data: chunk.subarray(at, at + this.length[i]!),
    };
  }

  private grow(): void {
    const size = this.offset.length * 2;
    const more = <T extends Uint32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.chunkOf = more(this.chunkOf);
    this.offset = more(this.offset);
    this.length = more(this.length);
    this.origLen = more(this.origLen);
    this.sec = more(this.sec);
    this.nsec = more(this.nsec);
    this.iface = more(this.iface);
    this.numbers = more(this.numbers);
  }
}
