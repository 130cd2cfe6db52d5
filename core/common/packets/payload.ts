/**
 * The data of a `MIME.packets` output: what a notebook keeps of a capture, and what the
 * packet view reads. Plain JSON. The page decodes the packets itself (core/common/packets), so a
 * saved notebook renders without the machine that captured it.
 *
 * Two sources:
 * - `capture`: a pcap or pcapng stream (`tcpdump -U -w -`, `cat x.pcap`). Its bytes are kept as
 *   base64 in `capture.base64` while small (≤ {@link EMBED_LIMIT_BYTES}); the whole stream is also
 *   saved as a file beside the notebook (`capture.file`, relative to the notebook's folder) so it
 *   opens in Wireshark. A capture too big to embed has only `file` (and the first packets'
 *   bytes in `base64`, with `embeddedPackets` saying how many).
 * - `text`: tcpdump's printed output, parsed (core/common/parsers/tcpdump): each packet's number,
 *   time, summary line and, where the dump printed them, its bytes.
 */

/** Captures up to this size are embedded in the notebook whole. */
export const EMBED_LIMIT_BYTES = 2 * 1024 * 1024;

export interface PacketsPayload {
  version: 1;
  /** What the cell printed. */
  source: 'capture' | 'text';
  capture?: {
    format: 'pcap' | 'pcapng';
    /** The stream's bytes (all of it, or its first `embeddedPackets` packets), base64. */
    base64: string;
    /** Packets in `base64` when it is not the whole capture. */
    embeddedPackets?: number;
    /** The saved capture, relative to the notebook's folder (absent when it could not be saved: then `saveProblem`). */
    file?: string;
    saveProblem?: string;
    /** Size of the whole stream. */
    bytes: number;
  };
  text?: {
    /** Link type from tcpdump's `listening on …, link-type X` banner, when it was seen. */
    linkType?: { name: string; number?: number };
    packets: TextPacket[];
  };
  /** Packets in the whole capture or text (more than the view may hold when cut). */
  count: number;
  /** The stream is still being written (a live capture): the view follows its end. */
  live: boolean;
  /** Problems with the stream as a whole (a truncated last record, a bad header …), for the view to show. */
  problems: string[];
  /** The cell's command line, when the filter expression or flags help the view (e.g. `tcpdump -i lo -w - port 53`). */
  command?: string;
}

/** One packet of tcpdump's text output. */
export interface TextPacket {
  no: number;
  /** The time column as printed. */
  time?: string;
  /** Nanoseconds since the first packet, when the time form allows (exact). */
  sinceFirstNs?: number;
  /** The summary line, continuation lines joined. */
  summary: string;
  /** Bytes from `-x`/`-X`/`-xx`/`-XX`, hex. */
  hex?: string;
  /** Whether `hex` starts at the link layer or at the network header. */
  bytesFrom?: 'link' | 'network';
  /** `-A`'s ASCII payload. */
  ascii?: string;
}

/** The data of a BPF program output (`tcpdump -d/-dd/-ddd`): `MIME.bpfProgram`. */
export interface BpfProgramPayload {
  version: 1;
  format: 'd' | 'dd' | 'ddd';
  /** The filter expression that produced it, when the cell's command line shows it. */
  expression?: string;
  /** The dump as printed. */
  text: string;
}
