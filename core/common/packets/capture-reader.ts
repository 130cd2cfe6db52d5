/**
 * An incremental reader of pcap and pcapng streams: bytes go in as they arrive (split anywhere, even
 * inside a header), packet records come out. It never throws on bad data: what is wrong is a
 * {@link CaptureProblem}, and every size a file claims is bounded before anything is allocated.
 *
 * Formats: pcap (draft-ietf-opsawg-pcap: µs and ns magic, both byte orders, and the "modified" pcap
 * with 24-byte record headers) and pcapng (draft-ietf-opsawg-pcapng: sections in either byte order,
 * IDB with if_tsresol/if_name/if_filter/if_os, EPB, SPB and the obsolete PB; other blocks skipped).
 *
 * @example
 * const reader = new CaptureReader();
 * for await (const chunk of stream) for (const record of reader.push(chunk)) show(record, reader.interfaces[record.iface]);
 * reader.end();
 * if (reader.problems.length) warn(reader.problems);
 */
import type { CaptureInterface, CaptureProblem, PacketRecord, Timestamp } from './types.ts';
import { decodeUtf8 } from '../utf8.ts';

/** What {@link detectCaptureFormat} tells from a stream's first bytes. */
export type CaptureFormat = 'pcap' | 'pcapng';

/** The largest packet we keep (bytes past it are dropped, with a problem): tcpdump's default snap length. */
export const MAX_PACKET_BYTES = 262_144;
/** The largest pcapng block we buffer (packet data plus header and options); larger ones are refused. */
const MAX_BLOCK_BYTES = MAX_PACKET_BYTES + 65_536;
/** A capture with more problems than this stops listing them (one last problem says so). */
const MAX_PROBLEMS = 100;

const PCAP_USEC = 0xa1b2c3d4;
const PCAP_NSEC = 0xa1b23c4d;
const PCAP_MODIFIED = 0xa1b2cd34; // Alexey Kuznetsov's patched libpcap: 24-byte record headers
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;

function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
function u32be(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
function u16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
}
function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Tells a capture stream from other bytes by its magic number: `'pcap'`, `'pcapng'`, `null` when it
 * is neither, or `'more'` while fewer bytes than needed have arrived (4 for pcap, 12 for pcapng,
 * whose byte-order magic follows the block type) and they could still start a capture.
 */
export function detectCaptureFormat(first: Uint8Array): CaptureFormat | 'more' | null {
  const need = (prefixes: number[][]) => prefixes.some((p) => p.every((byte, i) => i >= first.length || first[i] === byte));
  if (first.length < 4) {
    return need([
      [0xd4, 0xc3, 0xb2, 0xa1],
      [0xa1, 0xb2, 0xc3, 0xd4],
      [0x4d, 0x3c, 0xb2, 0xa1],
      [0xa1, 0xb2, 0x3c, 0x4d],
      [0x34, 0xcd, 0xb2, 0xa1],
      [0xa1, 0xb2, 0xcd, 0x34],
      [0x0a, 0x0d, 0x0d, 0x0a],
    ])
      ? 'more'
      : null;
  }
  const le = u32le(first, 0);
  const be = u32be(first, 0);
  if ([PCAP_USEC, PCAP_NSEC, PCAP_MODIFIED].some((m) => m === le || m === be)) return 'pcap';
  if (le !== PCAPNG_SHB) return null;
  if (first.length < 12) return 'more';
  return u32le(first, 8) === PCAPNG_BOM || u32be(first, 8) === PCAPNG_BOM ? 'pcapng' : null;
}

/**
 * Converts a pcapng timestamp (`hi << 32 | lo` units of `unitsPerSecond`) to seconds and
 * nanoseconds without losing precision: long division in 16-bit digits keeps every step below 2^53.
 */
function unitsToTime(hi: number, lo: number, unitsPerSecond: number): Timestamp {
  if (unitsPerSecond > 0xffffffff) {
    const units = (BigInt(hi) << 32n) | BigInt(lo);
    const per = BigInt(unitsPerSecond);
    return { sec: Number(units / per), nsec: Number(((units % per) * 1_000_000_000n) / per) };
  }
  let q = 0;
  let r = 0;
  for (const digit of [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff]) {
    const cur = r * 65536 + digit;
    const qd = Math.floor(cur / unitsPerSecond);
    r = cur - qd * unitsPerSecond;
    q = q * 65536 + qd;
  }
  const nsec = unitsPerSecond === 1_000_000_000 ? r : unitsPerSecond === 1_000_000 ? r * 1000 : Math.floor((r * 1_000_000_000) / unitsPerSecond);
  return { sec: q, nsec };
}

/** Reads one capture stream. `interfaces` and `problems` grow as the stream is read. */
export class CaptureReader {
  /** The capture's interfaces, in order (one for pcap; every IDB of every section for pcapng). */
  readonly interfaces: CaptureInterface[] = [];
  /** What was wrong, in stream order (at most about 100; the last then says more were left out). */
  readonly problems: CaptureProblem[] = [];
  /** The format, once the first bytes have told it. */
  format: CaptureFormat | undefined;

  private stopped = false;
  /** Bytes of an incomplete unit (header or record) carried over to the next push. */
  private pending: Uint8Array = new Uint8Array(0);
  private pendingLength = 0;
  /** Bytes still to be thrown away of a block we skip without buffering (unknown or too large). */
  private skipping = 0;
  /** Stream offset of the first byte of the next push. */
  private streamOffset = 0;
  private packetCount = 0;
  // pcap
  private littleEndian = true;
  private nanoTime = false;
  private recordHeaderLength = 16;
  // pcapng
  private sectionFirstInterface = 0;
  private sectionInterfaceCount = 0;

  /** Reads `chunk` and returns the packets it completed (possibly none). */
  push(chunk: Uint8Array): PacketRecord[] {
    const out: PacketRecord[] = [];
    if (this.stopped) return out;
    let at = this.skip(chunk, 0);
    if (this.pendingLength > 0) at = this.fillPending(chunk, at, out);
    while (at < chunk.length && !this.stopped && this.pendingLength === 0) {
      const base = this.streamOffset + at;
      const size = this.unitSize(chunk, at, chunk.length - at, base);
      if (size === -2) {
        at = this.skip(chunk, at);
      } else if (size === -1 || at + size > chunk.length) {
        this.keepPending(chunk.subarray(at));
        at = chunk.length;
      } else {
        this.readUnit(chunk, at, size, base, out);
        at += size;
      }
    }
    this.streamOffset += chunk.length;
    return out;
  }

  /** Drops what is left of a skipped block from `chunk[at..]`; returns the new position. */
  private skip(chunk: Uint8Array, at: number): number {
    const n = Math.min(this.skipping, chunk.length - at);
    this.skipping -= n;
    return at + n;
  }

  /** Call when the stream has ended: reports a truncated last record or an empty stream. */
  end(): void {
    if (this.stopped) return;
    this.stopped = true;
    const offset = this.streamOffset - this.pendingLength - this.skipping;
    if (this.format === undefined) {
      this.problem(
        0,
        this.pendingLength === 0
          ? 'the stream is empty: no capture header'
          : `the stream ended after ${this.pendingLength} bytes, before a whole capture header`,
        true,
      );
    } else if (this.pendingLength > 0) {
      this.problem(
        offset,
        `the capture ends in the middle of a ${this.format === 'pcap' ? 'record' : 'block'}: ${this.pendingLength} bytes of it arrived (cut short, e.g. a copy made while the capture was written)`,
        true,
      );
    } else if (this.skipping > 0) {
      this.problem(this.streamOffset, `the capture ends inside a block, ${this.skipping} bytes before its declared end`, true);
    }
  }

  private problem(offset: number, message: string, fatal: boolean): void {
    if (fatal) this.stopped = true;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ offset, message, fatal });
    else if (this.problems.length === MAX_PROBLEMS)
      this.problems.push({ offset, message: 'more problems follow; only the first 100 are listed', fatal: false });
    else if (fatal) this.problems[MAX_PROBLEMS] = { offset, message, fatal };
  }

  private keepPending(bytes: Uint8Array): void {
    if (this.pending.length < bytes.length) this.pending = new Uint8Array(Math.max(bytes.length, 64));
    this.pending.set(bytes, 0);
    this.pendingLength = bytes.length;
  }

  /** Completes the pending unit from `chunk` (taking only what it needs) and reads it; returns the new position in `chunk`. */
  private fillPending(chunk: Uint8Array, at: number, out: PacketRecord[]): number {
    const base = this.streamOffset - this.pendingLength;
    for (;;) {
      const size = this.unitSize(this.pending, 0, this.pendingLength, base);
      if (size === -2) {
        // Stopped, or the pending bytes begin a block too large to keep: they count as skipped.
        this.skipping = Math.max(0, this.skipping - this.pendingLength);
        this.pendingLength = 0;
        return this.stopped ? chunk.length : this.skip(chunk, at);
      }
      const want = size === -1 ? this.headerLength() : size;
      const take = Math.min(want - this.pendingLength, chunk.length - at);
      if (this.pending.length < want) {
        const grown = new Uint8Array(want);
        grown.set(this.pending.subarray(0, this.pendingLength));
        this.pending = grown;
      }
      this.pending.set(chunk.subarray(at, at + take), this.pendingLength);
      this.pendingLength += take;
      at += take;
      if (this.pendingLength < want) return at;
      if (size === -1) continue; // the header is whole now: its size says how much more to take
      // The record is copied out of `pending`, which the next unit reuses.
      const unit = this.pending.slice(0, size);
      this.pendingLength = 0;
      this.readUnit(unit, 0, size, base, out);
      return at;
    }
  }

  /** How many bytes a unit's header needs before its size is known. */
  private headerLength(): number {
    if (this.format === undefined) return 12; // enough to tell pcap (4) and pcapng (12) apart
    if (this.format === 'pcap') return this.recordHeaderLength;
    return 12; // a pcapng block header, and the SHB's byte-order magic
  }

  /**
   * The size of the unit (file header, record or block) at `b[at]`, given `avail` bytes there:
   * -1 while its header is incomplete, -2 when reading stops or the unit is skipped (`skipping` set).
   */
  private unitSize(b: Uint8Array, at: number, avail: number, offset: number): number {
    if (this.format === undefined) {
      if (avail < 4) return -1;
      const kind = detectCaptureFormat(b.subarray(at, at + Math.min(avail, 12)));
      if (kind === 'more') return -1;
      if (kind === null) {
        this.problem(
          offset,
          `not a pcap or pcapng capture: it starts with ${hex(b.subarray(at, at + 4))} (a pcap file starts with d4 c3 b2 a1 or a1 b2 c3 d4, pcapng with 0a 0d 0d 0a)`,
          true,
        );
        return -2;
      }
      if (kind === 'pcap') return 24;
      return this.blockSize(b, at, avail, offset);
    }
    if (this.format === 'pcap') {
      if (avail < this.recordHeaderLength) return -1;
      const read = this.littleEndian ? u32le : u32be;
      const capLen = read(b, at + 8);
      if (capLen > MAX_PACKET_BYTES) {
        this.problem(
          offset,
          `record ${this.packetCount + 1} claims ${capLen} captured bytes, more than the ${MAX_PACKET_BYTES} a packet may have: the file is corrupt from here`,
          true,
        );
        return -2;
      }
      return this.recordHeaderLength + capLen;
    }
    return this.blockSize(b, at, avail, offset);
  }

  private blockSize(b: Uint8Array, at: number, avail: number, offset: number): number {
    if (avail < 12) return -1;
    const type = u32le(b, at);
    if (type === PCAPNG_SHB) {
      const bom = u32le(b, at + 8);
      if (bom === PCAPNG_BOM) this.littleEndian = true;
      else if (bom === 0x4d3c2b1a) this.littleEndian = false;
      else {
        this.problem(
          offset,
          `a pcapng section header with an unknown byte-order magic ${hex(b.subarray(at + 8, at + 12))}: the file is corrupt from here`,
          true,
        );
        return -2;
      }
    }
    const read = this.littleEndian ? u32le : u32be;
    const blockType = read(b, at);
    const length = read(b, at + 4);
    if (length < 12 || length % 4 !== 0) {
      this.problem(
        offset,
        `a pcapng block (type ${blockType}) with length ${length}, which is ${length < 12 ? 'less than the 12 bytes of an empty block' : 'not a multiple of 4'}: the file is corrupt from here`,
        true,
      );
      return -2;
    }
    const known = blockType === PCAPNG_SHB || blockType === BLOCK_IDB || blockType === BLOCK_EPB || blockType === BLOCK_SPB || blockType === BLOCK_PB;
    if (length > MAX_BLOCK_BYTES) {
      if (known) {
        this.problem(
          offset,
          `a pcapng block (type ${blockType}) claims ${length} bytes, more than the ${MAX_BLOCK_BYTES} a block may have here: the file is corrupt from here`,
          true,
        );
        return -2;
      }
      // A large block we do not read (statistics, names, custom): dropped as it streams by, never held.
      this.skipping = length;
      return -2;
    }
    return length;
  }

  private readUnit(b: Uint8Array, at: number, size: number, offset: number, out: PacketRecord[]): void {
    if (this.format === undefined) {
      if (detectCaptureFormat(b.subarray(at, at + 12)) === 'pcap') this.readPcapHeader(b, at, offset);
      else {
        this.format = 'pcapng';
        this.readBlock(b, at, size, offset, out);
      }
      return;
    }
    if (this.format === 'pcap') this.readPcapRecord(b, at, size, offset, out);
    else this.readBlock(b, at, size, offset, out);
  }

  private readPcapHeader(b: Uint8Array, at: number, offset: number): void {
    const le = u32le(b, at);
    this.littleEndian = le === PCAP_USEC || le === PCAP_NSEC || le === PCAP_MODIFIED;
    const magic = this.littleEndian ? le : u32be(b, at);
    this.nanoTime = magic === PCAP_NSEC;
    this.recordHeaderLength = magic === PCAP_MODIFIED ? 24 : 16;
    this.format = 'pcap';
    const read = this.littleEndian ? u32le : u32be;
    const major = u16(b, at + 4, this.littleEndian);
    if (major !== 2)
      this.problem(offset + 4, `pcap version ${major}.${u16(b, at + 6, this.littleEndian)}: only version 2.x is known; reading on as 2.4`, false);
    const snapLen = read(b, at + 16);
    // The upper bits of the link type field hold the FCS length (pcap draft, §4).
    const linkType = read(b, at + 20) & 0xffff;
    this.interfaces.push({ linkType, snapLen, tsUnitsPerSecond: this.nanoTime ? 1_000_000_000 : 1_000_000 });
  }

  private readPcapRecord(b: Uint8Array, at: number, size: number, offset: number, out: PacketRecord[]): void {
    const read = this.littleEndian ? u32le : u32be;
    const sec = read(b, at);
    const frac = read(b, at + 4);
    let origLen = read(b, at + 12);
    const capLen = size - this.recordHeaderLength;
    const no = ++this.packetCount;
    const max = this.nanoTime ? 1_000_000_000 : 1_000_000;
    if (frac >= max) this.problem(offset + 4, `packet ${no}: the fraction of a second ${frac} is not below ${max}`, false);
    if (origLen < capLen) {
      this.problem(offset + 12, `packet ${no}: ${capLen} bytes captured but only ${origLen} on the wire; taking ${capLen}`, false);
      origLen = capLen;
    }
    const data = view(b, at + this.recordHeaderLength, capLen);
    out.push({ no, time: { sec, nsec: this.nanoTime ? frac % 1e9 : (frac % 1e6) * 1000 }, iface: 0, origLen, data });
  }

  private readBlock(b: Uint8Array, at: number, size: number, offset: number, out: PacketRecord[]): void {
    const read = this.littleEndian ? u32le : u32be;
    const type = read(b, at);
    if (read(b, at + size - 4) !== size) {
      this.problem(
        offset + size - 4,
        `a pcapng block (type ${type}) whose trailing length ${read(b, at + size - 4)} differs from its leading length ${size}: the file is corrupt from here`,
        true,
      );
      return;
    }
    const body = at + 8;
    const bodyEnd = at + size - 4;
    switch (type) {
      case PCAPNG_SHB: {
        if (size < 28) {
          this.problem(offset, `a pcapng section header of ${size} bytes, shorter than its 28 fixed bytes: the file is corrupt from here`, true);
          return;
        }
        const major = u16(b, body + 4, this.littleEndian);
        if (major !== 1) {
          this.problem(offset, `pcapng section version ${major}.${u16(b, body + 6, this.littleEndian)}: only version 1 is known`, true);
          return;
        }
        this.sectionFirstInterface = this.interfaces.length;
        this.sectionInterfaceCount = 0;
        return;
      }
      case BLOCK_IDB:
        this.readInterface(b, body, bodyEnd, offset);
        return;
      case BLOCK_EPB:
      case BLOCK_PB:
        this.readPacketBlock(b, type, body, bodyEnd, offset, out);
        return;
      case BLOCK_SPB:
        this.readSimplePacket(b, body, bodyEnd, offset, out);
        return;
    }
  }

  private readInterface(b: Uint8Array, body: number, end: number, offset: number): void {
    if (end - body < 8) {
      this.problem(offset, 'a pcapng interface description block shorter than its 8 fixed bytes; the interface is unknown', false);
      this.addInterface({ linkType: -1, snapLen: 0, tsUnitsPerSecond: 1_000_000 });
      return;
    }
    const iface: CaptureInterface = {
      linkType: u16(b, body, this.littleEndian),
      snapLen: (this.littleEndian ? u32le : u32be)(b, body + 4),
      tsUnitsPerSecond: 1_000_000,
    };
    this.readOptions(b, body + 8, end, offset, (code, value) => {
      if (code === 2) iface.name = utf8(value);
      else if (code === 11 && value.length > 0) iface.filter = value[0] === 0 ? utf8(value.subarray(1)) : `(filter of type ${value[0]})`;
      else if (code === 12) iface.os = utf8(value);
      else if (code === 9 && value.length >= 1) {
        const v = value[0]!;
        const exponent = v & 0x7f;
        // Bit 7 set: a negative power of 2; else a negative power of 10 (pcapng draft, if_tsresol).
        const units = v & 0x80 ? 2 ** exponent : 10 ** exponent;
        if (units < 1 || !Number.isSafeInteger(units))
          this.problem(
            offset,
            `an interface with timestamp resolution ${v} (${v & 0x80 ? '2' : '10'}^-${exponent} s), which cannot be read; using microseconds`,
            false,
          );
        else iface.tsUnitsPerSecond = units;
      }
    });
    this.addInterface(iface);
  }

  private addInterface(iface: CaptureInterface): void {
    this.interfaces.push(iface);
    this.sectionInterfaceCount++;
  }

  /** Calls `each` for every option in `b[at..end)`; a malformed option list is a (non-fatal) problem. */
  private readOptions(b: Uint8Array, at: number, end: number, offset: number, each: (code: number, value: Uint8Array) => void): void {
    while (at + 4 <= end) {
      const code = u16(b, at, this.littleEndian);
      const length = u16(b, at + 2, this.littleEndian);
      if (code === 0) return;
      if (at + 4 + length > end) {
        this.problem(offset, `a pcapng option (code ${code}) of ${length} bytes runs past the end of its block; the options after it are ignored`, false);
        return;
      }
      each(code, b.subarray(at + 4, at + 4 + length));
      at += 4 + ((length + 3) & ~3);
    }
  }

  private interfaceOf(localId: number, offset: number, no: number): number | undefined {
    if (localId < this.sectionInterfaceCount) return this.sectionFirstInterface + localId;
    this.problem(offset, `packet ${no} names interface ${localId}, but its section describes ${this.sectionInterfaceCount}; the packet is skipped`, false);
    return undefined;
  }

  private readPacketBlock(b: Uint8Array, type: number, body: number, end: number, offset: number, out: PacketRecord[]): void {
    const read = this.littleEndian ? u32le : u32be;
    const no = this.packetCount + 1;
    if (end - body < 20) {
      this.problem(offset, `packet ${no}: a pcapng packet block shorter than its 20 fixed bytes; skipped`, false);
      return;
    }
    const localId = type === BLOCK_EPB ? read(b, body) : u16(b, body, this.littleEndian);
    const capLen = read(b, body + 12);
    let origLen = read(b, body + 16);
    if (capLen > end - body - 20) {
      this.problem(offset, `packet ${no}: a pcapng packet block claims ${capLen} captured bytes but holds ${end - body - 20}; skipped`, false);
      return;
    }
    const iface = this.interfaceOf(localId, offset, no);
    if (iface === undefined) return;
    if (origLen < capLen) {
      this.problem(offset, `packet ${no}: ${capLen} bytes captured but only ${origLen} on the wire; taking ${capLen}`, false);
      origLen = capLen;
    }
    this.packetCount = no;
    const time = unitsToTime(read(b, body + 4), read(b, body + 8), this.interfaces[iface]!.tsUnitsPerSecond);
    out.push({ no, time, iface, origLen, data: view(b, body + 20, capLen) });
  }

  private readSimplePacket(b: Uint8Array, body: number, end: number, offset: number, out: PacketRecord[]): void {
    const no = this.packetCount + 1;
    if (end - body < 4) {
      this.problem(offset, `packet ${no}: a pcapng simple packet block shorter than its 4 fixed bytes; skipped`, false);
      return;
    }
    const iface = this.interfaceOf(0, offset, no);
    if (iface === undefined) return;
    const origLen = (this.littleEndian ? u32le : u32be)(b, body);
    const snap = this.interfaces[iface]!.snapLen || Number.MAX_SAFE_INTEGER;
    const capLen = Math.min(origLen, snap, end - body - 4);
    this.packetCount = no;
    // A simple packet block carries no timestamp.
    out.push({ no, time: { sec: 0, nsec: 0 }, iface, origLen: Math.max(origLen, capLen), data: view(b, body + 4, capLen) });
  }
}

/**
 * A plain Uint8Array over `length` bytes of `b` from `at`: what `subarray` gives in a browser, and
 * several times cheaper than Node's `Buffer#subarray` (which makes another Buffer through its species).
 */
function view(b: Uint8Array, at: number, length: number): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset + at, length);
}

function utf8(b: Uint8Array): string {
  // Options may be NUL-terminated although the format says they need not be.
  const nul = b.indexOf(0);
  return decodeUtf8(nul >= 0 ? b.subarray(0, nul) : b);
}
