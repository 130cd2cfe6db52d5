/**
 * The packet list's state, apart from the DOM: which packets the display filter shows, the rows made
 * so far (made when they scroll into view, kept in a bounded cache), the selected packet's details,
 * and the background work a big capture needs, done a slice at a time so no frame is blocked:
 * filtering, and the in-order pass that gives TCP rows their relative sequence numbers.
 */
import type { PacketFacts } from '../../../core/common/packets/types.ts';
import type { ListRow, PacketDetails, PacketSource } from './packet-source.ts';

/** What the filter box compiles a display filter into. */
export type RowFilter = (facts: PacketFacts) => boolean;

/** A map that forgets its least recently used entries past `limit`. */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly limit: number) {}
  get size(): number {
    return this.map.size;
  }
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as K);
  }
  clear(): void {
    this.map.clear();
  }
}

interface CachedRow {
  row: ListRow;
  inContext: boolean;
}

export class PacketListModel {
  private readonly rows: BoundedCache<number, CachedRow>;
  private readonly decoded: BoundedCache<number, PacketDetails>;
  private filter: RowFilter | null = null;
  /** Packets the filter shows, in order (valid up to `filtered`). */
  private shown = new Uint32Array(1024);
  private shownCount = 0;
  /** Packets the filter has been run on. */
  private filtered = 0;
  /** Packets that went through the source's context pass. */
  private contextDone = 0;

  constructor(
    readonly source: PacketSource,
    limits: { rows?: number; details?: number } = {},
  ) {
    this.rows = new BoundedCache(limits.rows ?? 4000);
    this.decoded = new BoundedCache(limits.details ?? 16);
  }

  /** Packets in the list (filter or not). */
  get total(): number {
    return this.source.count;
  }

  /** Rows the list shows now: every packet, or those the filter kept so far. */
  get length(): number {
    return this.filter ? this.shownCount : this.source.count;
  }

  get filtering(): boolean {
    return this.filter !== null;
  }

  /** Whether background work is left (filtering or the context pass). */
  get busy(): boolean {
    return (this.filter !== null && this.filtered < this.source.count) || (this.source.ordered && this.contextDone < this.source.count);
  }

  /** How far the filter got, 0..1. */
  get filterProgress(): number {
    return this.source.count === 0 ? 1 : this.filtered / this.source.count;
  }

  /** The packet index shown at list position `row`. */
  packetAt(row: number): number {
    return this.filter ? this.shown[row]! : row;
  }

  /** The list position of packet `packet`, or -1 when the filter hides it (or has not reached it). */
  rowOf(packet: number): number {
    if (!this.filter) return packet < this.source.count ? packet : -1;
    let lo = 0;
    let hi = this.shownCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.shown[mid]!;
      if (v === packet) return mid;
      if (v < packet) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Packet `packet`'s row; made now if it is not cached (or was made before the context reached it). */
  row(packet: number): ListRow {
    const inContext = !this.source.ordered || packet < this.contextDone;
    const cached = this.rows.get(packet);
    if (cached && (cached.inContext || !inContext)) return cached.row;
    const row = this.source.row(packet, inContext);
    this.rows.set(packet, { row, inContext });
    return row;
  }

  details(packet: number): PacketDetails {
    const inContext = !this.source.ordered || packet < this.contextDone;
    let d = this.decoded.get(packet);
    if (!d) {
      d = this.source.details(packet, inContext);
      if (inContext) this.decoded.set(packet, d);
    }
    return d;
  }

  /** A new filter (null: show every packet); it is applied by {@link work}. */
  setFilter(filter: RowFilter | null): void {
    this.filter = filter;
    this.shownCount = 0;
    this.filtered = 0;
  }

  /**
   * Does background work until `timeUp()` says stop: the filter first (what the user waits for), then
   * the context pass. Returns whether work is left.
   */
  work(timeUp: () => boolean): boolean {
    const n = this.source.count;
    const filter = this.filter;
    while (filter && this.filtered < n) {
      const end = Math.min(n, this.filtered + 256);
      for (let i = this.filtered; i < end; i++) if (filter(this.source.facts(i))) this.keep(i);
      this.filtered = end;
      if (timeUp()) return this.busy;
    }
    while (this.source.ordered && this.contextDone < n) {
      const end = Math.min(n, this.contextDone + 256);
      for (let i = this.contextDone; i < end; i++) this.source.contextStep(i);
      this.contextDone = end;
      if (timeUp()) break;
    }
    return this.busy;
  }

  private keep(packet: number): void {
    if (this.shownCount === this.shown.length) {
      const grown = new Uint32Array(this.shown.length * 2);
      grown.set(this.shown);
      this.shown = grown;
    }
    this.shown[this.shownCount++] = packet;
  }
}
