/**
 * Packet journeys: where one skb went in the kernel, step by step (docs/journeys.md). One payload
 * type for both methods: pwru (kprobes on every function taking an skb) and Probebook's tracepoint
 * journey (bpf/skb-journey.bt, no kprobes). Data of a {@link MIME.pwru} item.
 */

/** The layer of the stack a step belongs to, from its function or tracepoint name (layers.ts). */
export type JourneyLayer = 'socket' | 'transport' | 'ip' | 'netfilter' | 'neighbour' | 'qdisc' | 'device' | 'driver' | 'skb' | 'other';

/** One step: a function (pwru) or tracepoint, repeats in a row collapsed into `count`. */
export interface JourneyStep {
  /** Function or tracepoint name, without a drop reason, e.g. `nf_hook_slow`, `net_dev_queue`. */
  fn: string;
  layer: JourneyLayer;
  /** How many times in a row it was seen (1 when not repeated). */
  count: number;
  /** Nanoseconds since the journey's first step, when the output has times. */
  atNs?: number;
  /** Nanoseconds since the previous step. */
  dtNs?: number;
  /** What else the line said, e.g. `dev=veth0 len=71`, `iface=eth0:2 len=60`. */
  detail?: string;
  /** pwru `--output-caller`, or the function a tracepoint fired in (kfree_skb's location). */
  caller?: string;
  /** Kernel stack at this step, innermost first (pwru `--output-stack`, bpftrace `kstack`). */
  stack?: string[];
  /** Drop reason named at this step (e.g. `NETFILTER_DROP`), or its number when the kernel did not name it. */
  reason?: string;
}

/** How a journey ended, as far as the output shows. */
export type JourneyEnd = { kind: 'consumed'; at: string } | { kind: 'dropped'; at: string; reason?: string; where?: string } | { kind: 'in_flight' };

export interface Journey {
  /** 1-based, in order of first appearance. */
  id: number;
  /** The skb address as printed, e.g. `0xffff918922e634e8`. */
  skb: string;
  /** The journey whose skb this one was cloned or copied from (pwru shows the clone call). */
  cloneOf?: number;
  /** Process that sent or received it (first seen), e.g. `~bin/curl:659155`, `node`. */
  process?: string;
  /** `saddr:sport->daddr:dport(proto)` when the output shows it. */
  tuple?: string;
  /**
   * Traced elsewhere and kept to compare with (with and without a DROP rule): "the cell's previous
   * run" or "the cell above (cell ID)". Absent for this output's own journeys.
   */
  tracedIn?: string;
  /** Nanoseconds from the first to the last step, when the output has times. */
  durationNs?: number;
  steps: JourneyStep[];
  end: JourneyEnd;
}

/** One row of a side-by-side comparison: a step of the left journey, the right one, or both. */
export interface ComparisonRow {
  left?: number;
  right?: number;
  /** Both sides took this step (same function, same order). */
  same: boolean;
}

/** Two journeys aligned step by step; the answer to "at which function does the path diverge?". */
export interface JourneyComparison {
  /** Journey ids. */
  left: number;
  right: number;
  rows: ComparisonRow[];
  /** Index in `rows` of the first row that is not the same on both sides; null when none. */
  divergeRow: number | null;
  /** The last step both took before they part, e.g. `nf_hook_slow`. */
  lastCommon?: string;
  /** One sentence: "…diverge after nf_hook_slow: left goes on to ip_output, right is dropped at …". */
  summary: string;
}

/** Data of a {@link MIME.pwru} item. */
export interface JourneyPayload {
  version: 1;
  /** pwru (kprobes) or Probebook's tracepoint journey (no kprobes). */
  method: 'pwru' | 'tracepoints';
  /** pwru's printed text or its `--output-json`. */
  format: 'text' | 'json';
  journeys: Journey[];
  /** Journeys or steps left out to keep the output bounded (the text/plain keeps everything). */
  omitted?: { journeys: number; steps: number };
  /** The pair the view compares first: a dropped journey beside one of the same flow that was not. */
  comparison?: JourneyComparison;
  /** Where drop reason names came from: the running kernel's kfree_skb format, or pwru itself. */
  reasonsFrom?: 'kernel-format' | 'pwru' | 'none';
  /** Lines that were not rows (log lines, malformed rows), counted; the text keeps them. */
  otherLines: number;
  /** The cell's command line, when one ran pwru or the journey program. */
  command?: string;
}
