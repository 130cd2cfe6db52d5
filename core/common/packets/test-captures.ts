/**
 * Builds pcap and pcapng bytes for tests: the cases real tools do not write (big-endian sections,
 * power-of-2 timestamp resolutions, several sections, simple and obsolete packet blocks) and
 * deliberately broken ones. Real packets come from real captures; only the framing is made here.
 */

/** Appends integers and bytes in one byte order. */
class Bytes {
  private parts: number[] = [];
  constructor(private readonly littleEndian: boolean) {}
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.littleEndian ? this.u8(v).u8(v >>> 8) : this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.littleEndian ? this.u16(v).u16(v >>> 16) : this.u16(v >>> 16).u16(v);
  }
  bytes(b: Uint8Array | number[]): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export interface TestPacket {
  sec: number;
  /** µs or ns (pcap), or the low 32 bits of the units (pcapng). */
  frac: number;
  data: Uint8Array;
  origLen?: number;
}

/** A pcap file: µs or ns magic, either byte order. */
export function pcapFile(packets: TestPacket[], options: { nano?: boolean; bigEndian?: boolean; linkType?: number; snapLen?: number } = {}): Uint8Array {
  const w = new Bytes(!options.bigEndian);
  w.u32(options.nano ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(options.snapLen ?? 262144)
    .u32(options.linkType ?? 1);
  for (const p of packets)
    w.u32(p.sec)
      .u32(p.frac)
      .u32(p.data.length)
      .u32(p.origLen ?? p.data.length)
      .bytes(p.data);
  return w.done();
}

export interface TestOption {
  code: number;
  value: Uint8Array | number[] | string;
}

function options(w: Bytes, list: TestOption[]): void {
  if (list.length === 0) return;
  for (const o of list) {
    const value = typeof o.value === 'string' ? asciiBytes(o.value) : o.value;
    w.u16(o.code).u16(value.length).bytes(value).pad4();
  }
  w.u16(0).u16(0);
}

/** One pcapng block: `body` is written by `write` in the section's byte order, then padded and framed. */
export function pcapngBlock(littleEndian: boolean, type: number, write: (w: Bytes) => void): Uint8Array {
  const body = new Bytes(littleEndian);
  write(body);
  body.pad4();
  const length = body.length + 12;
  return new Bytes(littleEndian).u32(type).u32(length).bytes(body.done()).u32(length).done();
}

export const block = {
  section: (le: boolean, opts: TestOption[] = []) =>
    pcapngBlock(le, 0x0a0d0d0a, (w) => {
      w.u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff);
      options(w, opts);
    }),
  iface: (le: boolean, linkType: number, snapLen: number, opts: TestOption[] = []) =>
    pcapngBlock(le, 1, (w) => {
      w.u16(linkType).u16(0).u32(snapLen);
      options(w, opts);
    }),
  enhanced: (le: boolean, ifaceId: number, hi: number, lo: number, data: Uint8Array, origLen = data.length) =>
    pcapngBlock(le, 6, (w) => w.u32(ifaceId).u32(hi).u32(lo).u32(data.length).u32(origLen).bytes(data)),
  simple: (le: boolean, data: Uint8Array, origLen = data.length) => pcapngBlock(le, 3, (w) => w.u32(origLen).bytes(data)),
  obsolete: (le: boolean, ifaceId: number, hi: number, lo: number, data: Uint8Array) =>
    pcapngBlock(le, 2, (w) => w.u16(ifaceId).u16(0).u32(hi).u32(lo).u32(data.length).u32(data.length).bytes(data)),
  statistics: (le: boolean) => pcapngBlock(le, 5, (w) => w.u32(0).u32(0).u32(0)),
  names: (le: boolean) => pcapngBlock(le, 4, (w) => w.u16(1).u16(8).bytes([10, 0, 0, 1]).bytes(asciiBytes('a.b\0')).u16(0).u16(0)),
  custom: (le: boolean, size: number) => pcapngBlock(le, 0x00000bad, (w) => w.u32(32473).bytes(new Uint8Array(size))),
};

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A small deterministic PRNG (mulberry32) for byte-flipping tests that must repeat. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The bytes of ASCII text (the options and names these test captures carry). */
function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
