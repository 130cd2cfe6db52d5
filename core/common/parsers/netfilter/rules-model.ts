/**
 * One model for the rule listings of iptables (`-L -v`, `-save -c`) and nftables (`nft -j list
 * ruleset`): tables → chains → rules with their counters. It is also the payload of
 * `application/vnd.probebook.rules+json` ({@link RulesPayload}).
 */

/** Which printout a listing was read from. */
export type RulesFormat = 'iptables-list' | 'iptables-save' | 'nft-json';

/** Packets and bytes a rule or a chain's policy counted. */
export interface Counters {
  packets: number;
  bytes: number;
}

export interface Rule {
  /** 1-based place in its chain (iptables' `num`, or the order nft lists). */
  position: number;
  /** nft's rule handle (stable across inserts: what deltas match nft rules by). */
  handle?: number;
  /** Absent when the listing has no counters (`iptables -L` without `-v`, a rule without `counter`). */
  counters?: Counters;
  /** The jump target or verdict (`ACCEPT`, `LAB_BLOAT`, `drop`, `jump LAB_BLOAT`); empty when none. */
  target: string;
  /** What the rule matches, as readable text (iptables' columns and options, nft's expressions). */
  match: string;
  /** Packets and bytes counted since the same rule in the earlier listing. */
  delta?: Counters;
}

export interface Chain {
  name: string;
  /** Built-in/base chains: `ACCEPT`, `DROP`, `accept`…; user chains have none. */
  policy?: string;
  /** Packets and bytes that met the policy (iptables' built-in chains). */
  policyCounters?: Counters;
  policyDelta?: Counters;
  /** nft base chains: `input`, `output`… */
  hook?: string;
  /** iptables user chains: how many rules jump to it. */
  references?: number;
  rules: Rule[];
}

export interface Table {
  name: string;
  /** nft's family (`ip`, `inet`, …); iptables-save and -L leave it out. */
  family?: string;
  chains: Chain[];
}

/** One listing (one command's printout) read into the model. */
export interface RuleListing {
  format: RulesFormat;
  tables: Table[];
  /** iptables -L without -x rounds counts (`12K`): counts and deltas are then approximate. */
  rounded?: boolean;
  /** What could not be read, each naming its line; the text is kept all the same. */
  problems: string[];
}

/** The data of a `rules+json` item: the last listing of a cell's output, with deltas from the one before. */
export interface RulesPayload {
  version: 1;
  format: RulesFormat;
  tables: Table[];
  rounded?: boolean;
  /** How many listings the output held; deltas are against the previous listing of the same table. */
  listings: number;
  /**
   * What the deltas are against: an earlier listing of the same table in this output, or the rule
   * table the same cell showed in its previous run. Absent when there are no deltas.
   */
  since?: 'listing' | 'previous-run';
  /** Rules of the last listing that had no counterpart in the earlier one (no delta). */
  unmatched?: number;
  problems: string[];
  /** The command line that printed it, when the cell shows one. */
  command?: string;
}
