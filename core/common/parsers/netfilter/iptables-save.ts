/**
 * `iptables-save [-c]` (and ip6tables-save): `*table`, chain declarations `:CHAIN POLICY
 * [packets:bytes]` (`-` is a user chain's policy), rules `[packets:bytes] -A CHAIN <arguments>`
 * (the counters only with `-c`), `COMMIT`. Arguments are shell-quoted, so the target is found by
 * reading words, never by searching the line for `-j`.
 */
import type { Chain, Counters, Rule, RuleListing, Table } from './rules-model.ts';

const TABLE_RE = /^\*(\S+)\s*$/;
const CHAIN_RE = /^:(\S+) (\S+)(?: \[(\d+):(\d+)\])?\s*$/;
const RULE_RE = /^(?:\[(\d+):(\d+)\] )?-A (\S+)(?: (.*))?$/;

/** True when the text holds an iptables-save table: `*name`, then chain declarations. */
export function looksLikeIptablesSave(text: string): boolean {
  for (const m of text.matchAll(/^\*\S+\n(.*)/gm)) if (CHAIN_RE.test(m[1]!)) return true;
  return false;
}

/**
 * Every listing in the text (each ends where a table it holds starts again), and how many
 * non-blank lines were other output. Never throws.
 */
export function parseIptablesSave(text: string): { listings: RuleListing[]; otherLines: number } {
  const listings: RuleListing[] = [];
  let otherLines = 0;
  let listing: RuleListing | undefined;
  let table: Table | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const where = `line ${i + 1}`;
    const start = TABLE_RE.exec(line);
    if (start) {
      if (!listing || listing.tables.some((t) => t.name === start[1])) {
        listing = { format: 'iptables-save', tables: [], problems: [] };
        listings.push(listing);
      }
      table = { name: start[1]!, chains: [] };
      listing.tables.push(table);
      continue;
    }
    if (!table || !listing) {
      if (line.trim() !== '' && !line.startsWith('# ')) otherLines++;
      continue;
    }
    if (line === 'COMMIT') {
      table = undefined;
      continue;
    }
    const declared = CHAIN_RE.exec(line);
    if (declared) {
      const [, name, policy, packets, bytes] = declared;
      const chain: Chain = { name: name!, rules: [] };
      if (policy !== '-') chain.policy = policy!;
      if (packets !== undefined && bytes !== undefined && policy !== '-') chain.policyCounters = { packets: Number(packets), bytes: Number(bytes) };
      table.chains.push(chain);
      continue;
    }
    const added = RULE_RE.exec(line);
    if (added) {
      const [, packets, bytes, name, args = ''] = added;
      let chain = table.chains.find((c) => c.name === name);
      if (!chain) {
        listing.problems.push(`${where}: rule for chain ${name}, which the table did not declare`);
        chain = { name: name!, rules: [] };
        table.chains.push(chain);
      }
      const read = readArguments(args, line.length - args.length);
      if (read.problem) listing.problems.push(`${where}: ${read.problem}`);
      const rule: Rule = { position: chain.rules.length + 1, target: read.target, match: read.match };
      if (packets !== undefined && bytes !== undefined) rule.counters = { packets: Number(packets), bytes: Number(bytes) } satisfies Counters;
      chain.rules.push(rule);
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    listing.problems.push(`${where}: not a chain, a rule or COMMIT inside table ${table.name}: ${line.slice(0, 120)}`);
    otherLines++;
    table = undefined;
  }
  return { listings, otherLines };
}

/** Words of a shell-quoted argument list, each with where it starts and ends in the text. */
function words(args: string, column: number): { word: string; start: number; end: number }[] | string {
  const out: { word: string; start: number; end: number }[] = [];
  let i = 0;
  while (i < args.length) {
    while (args[i] === ' ' || args[i] === '\t') i++;
    if (i >= args.length) break;
    const start = i;
    let word = '';
    while (i < args.length && args[i] !== ' ' && args[i] !== '\t') {
      const c = args[i]!;
      if (c === '"' || c === "'") {
        const close = c === "'" ? args.indexOf("'", i + 1) : closingQuote(args, i + 1);
        if (close === -1) return `a quote opened at column ${column + i + 1} is not closed`;
        const inner = args.slice(i + 1, close);
        word += c === '"' ? inner.replace(/\\(["\\])/g, '$1') : inner;
        i = close + 1;
      } else if (c === '\\' && i + 1 < args.length) {
        word += args[i + 1];
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    out.push({ word, start, end: i });
  }
  return out;
}

function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** The rule's target (`-j`/`-g`) and the rest of its arguments as printed. */
function readArguments(args: string, column: number): { target: string; match: string; problem?: string } {
  const list = words(args, column);
  if (typeof list === 'string') return { target: '', match: args.trim(), problem: list };
  const jump = list.findIndex((w) => w.word === '-j' || w.word === '--jump' || w.word === '-g' || w.word === '--goto');
  if (jump === -1 || jump + 1 >= list.length) return { target: '', match: args.trim() };
  const name = list[jump + 1]!;
  const before = args.slice(0, list[jump]!.start).trim();
  const after = args.slice(name.end).trim();
  const goto = list[jump]!.word === '-g' || list[jump]!.word === '--goto';
  return { target: goto ? `goto ${name.word}` : name.word, match: [before, after].filter(Boolean).join('  ') };
}
