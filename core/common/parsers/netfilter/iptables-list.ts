/**
 * `iptables -L [-t table] [-n] [-v] [-x] [--line-numbers]` (and ip6tables'): chains with their
 * policy or references, then one rule per line in fixed columns and free match text. A printout
 * can hold several listings (the same table listed before and after a test): a listing ends where
 * a chain it already holds appears again. Lines that are not part of a listing are other output.
 */
import type { Chain, Counters, Rule, RuleListing } from './rules-model.ts';

const CHAIN_RE = /^Chain (\S+) \((?:policy (\S+)(?: (\d+[KMGTPE]?) packets, (\d+[KMGTPE]?) bytes)?|(\d+) references)\)\s*$/;
const COUNT_RE = /^\d+[KMGTPE]?$/;
const OPT_RE = /^(--|-f|!f)$/;
/** Protocol numbers that `-n` prints, and the names iptables prints without it. */
const PROTOCOLS: Record<string, string> = { '1': 'icmp', '2': 'igmp', '6': 'tcp', '17': 'udp', '47': 'gre', '50': 'esp', '58': 'ipv6-icmp', '132': 'sctp' };
const ANY_ADDRESS = new Set(['0.0.0.0/0', '::/0', 'anywhere']);
const ANY_INTERFACE = new Set(['*', 'any']);

/** True when the text holds an iptables -L chain header followed by its column header. */
export function looksLikeIptablesList(text: string): boolean {
  for (const m of text.matchAll(/^Chain \S+ \(.*\n(.*)/gm)) if (CHAIN_RE.test(m[0].split('\n')[0]!) && isColumnHeader(m[1]!)) return true;
  return false;
}

function isColumnHeader(line: string): boolean {
  const names = line.trim().split(/\s+/);
  return names.includes('target') && names.includes('source') && names.includes('destination');
}

/** A count as iptables prints it: exact, or rounded to thousands (`12K`) without `-x`. */
function parseCount(text: string): { value: number; rounded: boolean } {
  const unit = 'KMGTPE'.indexOf(text.at(-1) ?? '');
  if (unit === -1) return { value: Number(text), rounded: false };
  return { value: Number(text.slice(0, -1)) * 1000 ** (unit + 1), rounded: true };
}

/**
 * Every listing in the text, in order, and how many non-blank lines were other output. Never
 * throws: what does not read is a problem.
 */
export function parseIptablesList(text: string): { listings: RuleListing[]; otherLines: number } {
  const listings: RuleListing[] = [];
  let otherLines = 0;
  let listing: RuleListing | undefined;
  let chain: Chain | undefined;
  let columns: string[] | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const head = CHAIN_RE.exec(line);
    if (head) {
      const [, name, policy, packets, bytes, references] = head;
      if (!listing || listing.tables[0]!.chains.some((c) => c.name === name)) {
        listing = { format: 'iptables-list', tables: [{ name: 'filter', chains: [] }], problems: [] };
        listings.push(listing);
      }
      chain = { name: name!, rules: [] };
      if (policy) chain.policy = policy;
      if (references !== undefined) chain.references = Number(references);
      if (packets !== undefined && bytes !== undefined) {
        const p = parseCount(packets);
        const b = parseCount(bytes);
        chain.policyCounters = { packets: p.value, bytes: b.value };
        if (p.rounded || b.rounded) listing.rounded = true;
      }
      listing.tables[0]!.chains.push(chain);
      const next = lines[i + 1] ?? '';
      if (isColumnHeader(next)) {
        columns = next.trim().split(/\s+/);
        i++;
      } else {
        columns = undefined;
        listing.problems.push(`line ${i + 2}: expected the column header (num pkts bytes target …) after "Chain ${name}"`);
      }
      continue;
    }
    if (!chain || !columns || !listing) {
      if (line.trim() !== '') otherLines++;
      continue;
    }
    if (line.trim() === '') {
      chain = undefined;
      continue;
    }
    // With counters or numbers first, a line that does not start with a digit ends the listing: other output.
    if ((columns[0] === 'num' || columns[0] === 'pkts') && !/^\s*\d/.test(line)) {
      otherLines++;
      chain = undefined;
      continue;
    }
    const rule = parseRuleLine(line, columns, chain.rules.length + 1);
    if (typeof rule === 'string') {
      listing.problems.push(`line ${i + 1}: ${rule}: ${line.slice(0, 120)}`);
      otherLines++;
      chain = undefined;
      continue;
    }
    if (rule.rounded) listing.rounded = true;
    chain.rules.push(rule.rule);
  }
  return { listings, otherLines };
}

/** One rule line read by the column header's names; a string says why it is not one. */
function parseRuleLine(line: string, columns: string[], index: number): { rule: Rule; rounded: boolean } | string {
  const cleaned = line.replace(/\0/g, '');
  const tokens = cleaned.trim().split(/\s+/);
  const at = (name: string) => columns.indexOf(name);
  // A rule without a target leaves its column blank: prot then sits where the target would.
  const target = at('target');
  const opt = at('opt');
  const noTarget = target !== -1 && opt === target + 2 && OPT_RE.test(tokens[target + 1] ?? '') && !OPT_RE.test(tokens[opt] ?? '');
  if (noTarget) tokens.splice(target, 0, '');
  if (tokens.length < columns.length) return `${columns.length} columns expected, ${tokens.length} found`;
  const field = (name: string): string | undefined => (at(name) === -1 ? undefined : tokens[at(name)]);
  const rest = restAfter(cleaned, columns.length - (noTarget ? 1 : 0));
  let rounded = false;
  let counters: Counters | undefined;
  const pkts = field('pkts');
  const bytes = field('bytes');
  if (pkts !== undefined || bytes !== undefined) {
    if (!COUNT_RE.test(pkts ?? '') || !COUNT_RE.test(bytes ?? '')) return 'the packet and byte counts are not numbers';
    const p = parseCount(pkts!);
    const b = parseCount(bytes!);
    counters = { packets: p.value, bytes: b.value };
    rounded = p.rounded || b.rounded;
  }
  const num = field('num');
  if (num !== undefined && !/^\d+$/.test(num)) return 'the rule number is not a number';
  const parts: string[] = [];
  const prot = field('prot');
  if (prot && prot !== '0' && prot !== 'all') parts.push(`proto ${PROTOCOLS[prot] ?? prot}`);
  const o = field('opt');
  if (o && o !== '--') parts.push(`opt ${o}`);
  const inIf = field('in');
  if (inIf && !ANY_INTERFACE.has(inIf)) parts.push(`in ${inIf}`);
  const outIf = field('out');
  if (outIf && !ANY_INTERFACE.has(outIf)) parts.push(`out ${outIf}`);
  const source = field('source');
  if (source && !ANY_ADDRESS.has(source)) parts.push(`src ${source}`);
  const destination = field('destination');
  if (destination && !ANY_ADDRESS.has(destination)) parts.push(`dst ${destination}`);
  if (rest) parts.push(rest);
  const rule: Rule = { position: num !== undefined ? Number(num) : index, target: field('target') ?? '', match: parts.join('  ') };
  if (counters) rule.counters = counters;
  return { rule, rounded };
}

/** The text after the first `n` whitespace-separated fields of a line, trimmed. */
function restAfter(line: string, n: number): string {
  const re = /\S+/g;
  let end = 0;
  for (let k = 0; k < n; k++) {
    const m = re.exec(line);
    if (!m) return '';
    end = m.index + m[0].length;
  }
  return line.slice(end).trim();
}
