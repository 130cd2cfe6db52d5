/**
 * What the packet list reads, whatever printed the packets: a capture's records (capture-source.ts)
 * or tcpdump's printed packets (text-source.ts). Rows are made one at a time, when the list needs
 * them; the list model caches them.
 */
import type { FieldNode, PacketFacts } from '../../../core/common/packets/types.ts';

/** One row of the packet list, as text ready to show. */
export interface ListRow {
  no: number;
  /** Since the first packet (captures), or as tcpdump printed it. */
  time: string;
  source: string;
  destination: string;
  protocol: string;
  /** Length on the wire (or what tcpdump's line says), as text. */
  length: string;
  info: string;
  /** Malformed or truncated: the row is marked and its title lists them. */
  problems: string[];
}

/** The selected packet: its details tree and bytes. */
export interface PacketDetails {
  /** The packet's bytes, when it has them. */
  data?: Uint8Array;
  tree: FieldNode[];
  /** Where the link layer ends in `data` (the link-layer toggle hides the bytes before it). */
  networkOffset: number;
  problems: string[];
  /** Shown above the tree, e.g. why there are no bytes. */
  note?: string;
}

export interface PacketSource {
  readonly count: number;
  /**
   * Whether a row reads differently after earlier packets were seen (TCP sequence numbers relative
   * to their stream's first): the model then calls {@link contextStep} for every packet in order.
   */
  readonly ordered: boolean;
  /** Packet `i`'s row; `inContext`: every packet before it went through {@link contextStep}. */
  row(i: number, inContext: boolean): ListRow;
  facts(i: number): PacketFacts;
  details(i: number, inContext: boolean): PacketDetails;
  contextStep(i: number): void;
}
