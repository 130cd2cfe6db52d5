/**
 * What a cell printed, read as rule listings: which format (iptables -L, iptables-save, nft -j),
 * every listing in it, and the last one with counter deltas from the listing before it (the
 * same table listed before and after a test, in one cell). The `rules+json` payload comes from here.
 */
import { looksLikeIptablesList, parseIptablesList } from './iptables-list.ts';
import { looksLikeIptablesSave, parseIptablesSave } from './iptables-save.ts';
import { looksLikeNftJson, parseNftJson } from './nft-json.ts';
import type { Chain, Counters, Rule, RuleListing, RulesFormat, RulesPayload, Table } from './rules-model.ts';

/** Rules a payload keeps; a 5,000-rule bloat lab fits, a runaway loop does not. */
const MAX_RULES = 50_000;

/** The format of the rule listing the text holds, or undefined when it holds none. */
export function detectRulesFormat(text: string): RulesFormat | undefined {
  if (looksLikeNftJson(text)) return 'nft-json';
  if (looksLikeIptablesSave(text)) return 'iptables-save';
  if (looksLikeIptablesList(text)) return 'iptables-list';
  return undefined;
}

/**
 * The tables `iptables -L` lists in a cell's source, one per listing command in order (`-t nat`,
 * default `filter`): -L does not print the table's name.
 */
export function listedTables(source: string): string[] {
  const tables: string[] = [];
  for (const m of source.matchAll(/(?:^|[\s;&|(])(?:\S*\/)?ip6?tables(?:-nft|-legacy)?((?:[ \t]+[^\s;&|)]+)*)/gm)) {
    const args = m[1]!.trim().split(/\s+/);
    const lists = args.some((a) => a === '--list' || /^-[a-zA-Z]*L/.test(a));
    if (!lists) continue;
    let table = 'filter';
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-t' || a === '--table') table = args[i + 1] ?? table;
      else if (a.startsWith('--table=')) table = a.slice(8);
      else if (/^-[a-zA-Z]*t$/.test(a) && !a.startsWith('--')) table = args[i + 1] ?? table;
      else if (/^-t\S+/.test(a)) table = a.slice(2);
    }
    tables.push(table);
  }
  return tables;
}

/**
 * Reads every listing of a detected format, and counts the non-blank lines that were other
 * output; `iptables -L` listings get their table from `source`.
 */
export function parseRuleListings(text: string, format: RulesFormat, source = ''): { listings: RuleListing[]; otherLines: number } {
  if (format === 'nft-json') return parseNftJson(text);
  if (format === 'iptables-save') return parseIptablesSave(text);
  const read = parseIptablesList(text);
  const { listings } = read;
  const tables = listedTables(source);
  const same = tables.length > 0 && tables.every((t) => t === tables[0]);
  listings.forEach((listing, i) => {
    const name = tables.length === listings.length ? tables[i] : same ? tables[0] : undefined;
    if (name) listing.tables[0]!.name = name;
  });
  return read;
}

/**
 * The payload of a cell's rule output: its last listing, each rule with the packets and bytes it
 * counted since the previous listing of the same table (matched by handle for nft, by position and
 * match text for iptables, then by match text alone when rules were inserted); `onlyRules` when
 * the text held nothing else. Undefined when the text holds no chain of any listing.
 */
export function readRuleOutput(text: string, source = '', previousRun?: RulesPayload): { payload: RulesPayload; onlyRules: boolean } | undefined {
  const format = detectRulesFormat(text);
  if (!format) return undefined;
  const { listings, otherLines } = parseRuleListings(text, format, source);
  const last = listings.at(-1);
  if (!last || last.tables.every((t) => t.chains.length === 0)) return undefined;
  const problems = listings.flatMap((l) => l.problems);
  let unmatched = 0;
  let since: RulesPayload['since'];
  for (const table of last.tables) {
    const sameTable = (t: Table) => t.name === table.name && t.family === table.family;
    const earlier = listings
      .slice(0, -1)
      .reverse()
      .map((l) => l.tables.find(sameTable))
      .find(Boolean);
    // Else the cell's previous run, when it listed the same table the same way.
    const lastRun = !earlier && previousRun?.format === format ? previousRun.tables.find(sameTable) : undefined;
    const before = earlier ?? lastRun;
    if (!before) continue;
    unmatched += compareTables(before, table, format === 'nft-json');
    since ??= earlier ? 'listing' : 'previous-run';
  }
  const tables = capRules(last.tables, problems);
  const payload: RulesPayload = { version: 1, format, tables, listings: listings.length, problems };
  if (listings.some((l) => l.rounded)) payload.rounded = true;
  if (since) {
    payload.since = since;
    payload.unmatched = unmatched;
  }
  return { payload, onlyRules: otherLines === 0 };
}

/** Sets the deltas of `after`'s rules and policies; returns how many rules had no counterpart. */
function compareTables(before: Table, after: Table, byHandle: boolean): number {
  let unmatched = 0;
  for (const chain of after.chains) {
    const old = before.chains.find((c) => c.name === chain.name);
    if (!old) {
      unmatched += chain.rules.length;
      continue;
    }
    if (chain.policyCounters && old.policyCounters) chain.policyDelta = minus(chain.policyCounters, old.policyCounters);
    unmatched += compareRules(old, chain, byHandle);
  }
  return unmatched;
}

function compareRules(before: Chain, after: Chain, byHandle: boolean): number {
  const used = new Set<Rule>();
  const same = (a: Rule, b: Rule) => a.match === b.match && a.target === b.target;
  let unmatched = 0;
  for (const rule of after.rules) {
    const old = byHandle
      ? before.rules.find((r) => r.handle !== undefined && r.handle === rule.handle)
      : (before.rules.find((r) => r.position === rule.position && same(r, rule) && !used.has(r)) ?? before.rules.find((r) => same(r, rule) && !used.has(r)));
    if (!old) {
      unmatched++;
      continue;
    }
    used.add(old);
    if (rule.counters && old.counters) rule.delta = minus(rule.counters, old.counters);
  }
  return unmatched;
}

function minus(a: Counters, b: Counters): Counters {
  return { packets: a.packets - b.packets, bytes: a.bytes - b.bytes };
}

function capRules(tables: Table[], problems: string[]): Table[] {
  let left = MAX_RULES;
  let cut = 0;
  for (const table of tables) {
    for (const chain of table.chains) {
      if (chain.rules.length > left) {
        cut += chain.rules.length - left;
        chain.rules = chain.rules.slice(0, left);
      }
      left -= chain.rules.length;
    }
  }
  if (cut > 0)
    problems.push(`${cut.toLocaleString('en-US')} rules past the first ${MAX_RULES.toLocaleString('en-US')} are left out of the table (the text has them all)`);
  return tables;
}
