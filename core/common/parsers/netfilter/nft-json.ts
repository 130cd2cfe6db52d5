/**
 * `nft -j list ruleset` (libnftables-json(5)): `{"nftables": [{metainfo}, {table}, {chain}, {rule},
 * {set}…]}`. Rules' expression lists are written back as readable match text close to what
 * `nft list ruleset` prints (`udp dport 20001`, `ip saddr 10.9.9.0/24`, `ct state { established,
 * related }`), their verdict taken apart, and their `counter` read.
 */
import type { Chain, Rule, RuleListing, Table } from './rules-model.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const START_RE = /^\s*\{\s*"nftables"\s*:/m;
/** Statements that decide the packet's fate: the rule's verdict column. */
const VERDICTS = new Set(['accept', 'drop', 'continue', 'return', 'jump', 'goto', 'queue', 'reject', 'snat', 'dnat', 'masquerade', 'redirect']);
/** Meta keys nft prints without `meta`. */
const BARE_META = new Set([
  'iif',
  'oif',
  'iifname',
  'oifname',
  'iiftype',
  'oiftype',
  'iifgroup',
  'oifgroup',
  'skuid',
  'skgid',
  'rtclassid',
  'ibrname',
  'obrname',
  'cpu',
  'cgroup',
]);

/** True when the text holds an `nft -j` document. */
export function looksLikeNftJson(text: string): boolean {
  return START_RE.test(text);
}

/** Every `{"nftables": …}` document in the text, in order, and how many other lines it holds. Never throws. */
export function parseNftJson(text: string): { listings: RuleListing[]; otherLines: number } {
  const listings: RuleListing[] = [];
  let otherLines = 0;
  let from = 0;
  const re = /^\s*\{\s*"nftables"\s*:/gm;
  let found: RegExpExecArray | null;
  while ((found = re.exec(text))) {
    const start = text.indexOf('{', found.index);
    otherLines += countLines(text.slice(from, start));
    const end = objectEnd(text, start);
    const line = text.slice(0, start).split('\n').length;
    const listing: RuleListing = { format: 'nft-json', tables: [], problems: [] };
    listings.push(listing);
    if (end === -1) {
      listing.problems.push(`line ${line}: the nft JSON document does not end`);
      from = text.length;
      break;
    }
    re.lastIndex = end;
    from = end;
    let doc: Json;
    try {
      doc = JSON.parse(text.slice(start, end)) as Json;
    } catch (error) {
      listing.problems.push(`line ${line}: the nft JSON does not parse: ${(error as Error).message}`);
      continue;
    }
    readDocument(doc, listing);
  }
  otherLines += countLines(text.slice(from));
  return { listings, otherLines };
}

function countLines(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '').length;
}

/** Index just past the object that opens at `start`, or -1. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readDocument(doc: Json, listing: RuleListing): void {
  const items = isObject(doc) ? doc['nftables'] : undefined;
  if (!Array.isArray(items)) {
    listing.problems.push('"nftables" is not a list');
    return;
  }
  const tableOf = (family: string, name: string): Table => {
    let table = listing.tables.find((t) => t.family === family && t.name === name);
    if (!table) {
      table = { family, name, chains: [] };
      listing.tables.push(table);
    }
    return table;
  };
  for (const [index, item] of items.entries()) {
    if (!isObject(item)) {
      listing.problems.push(`item ${index + 1} is not an object`);
      continue;
    }
    const table = item['table'];
    const chain = item['chain'];
    const rule = item['rule'];
    if (isObject(table)) tableOf(String(table['family'] ?? ''), String(table['name'] ?? ''));
    else if (isObject(chain)) {
      const t = tableOf(String(chain['family'] ?? ''), String(chain['table'] ?? ''));
      const c: Chain = { name: String(chain['name'] ?? ''), rules: [] };
      if (typeof chain['policy'] === 'string') c.policy = chain['policy'];
      if (typeof chain['hook'] === 'string') c.hook = chain['hook'];
      t.chains.push(c);
    } else if (isObject(rule)) {
      const t = tableOf(String(rule['family'] ?? ''), String(rule['table'] ?? ''));
      const name = String(rule['chain'] ?? '');
      let c = t.chains.find((x) => x.name === name);
      if (!c) {
        listing.problems.push(`item ${index + 1}: rule of chain ${name}, which was not listed before it`);
        c = { name, rules: [] };
        t.chains.push(c);
      }
      c.rules.push(readRule(rule, c.rules.length + 1));
    }
  }
}

function readRule(rule: JsonObject, position: number): Rule {
  const out: Rule = { position, target: '', match: '' };
  if (typeof rule['handle'] === 'number') out.handle = rule['handle'];
  const parts: string[] = [];
  const verdicts: string[] = [];
  const exprs = Array.isArray(rule['expr']) ? rule['expr'] : [];
  for (const expr of exprs) {
    if (!isObject(expr)) continue;
    const [key] = Object.keys(expr);
    if (key === undefined) continue;
    const value = expr[key]!;
    if (key === 'counter') {
      if (isObject(value) && typeof value['packets'] === 'number' && typeof value['bytes'] === 'number')
        out.counters = { packets: value['packets'], bytes: value['bytes'] };
      else if (typeof value === 'string') parts.push(`counter name ${value}`);
      continue;
    }
    const text = statement(key, value);
    if (VERDICTS.has(key)) verdicts.push(text);
    else parts.push(text);
  }
  if (typeof rule['comment'] === 'string') parts.push(`comment ${JSON.stringify(rule['comment'])}`);
  out.target = verdicts.join(' ');
  out.match = parts.join(' ');
  return out;
}

/** One statement of a rule as nft would print it (near enough to read; unknown ones as JSON). */
function statement(key: string, value: Json): string {
  const v = isObject(value) ? value : {};
  switch (key) {
    case 'match': {
      const op = String(v['op'] ?? '==');
      const left = expression(v['left'] ?? null);
      const right = expression(v['right'] ?? null);
      return op === '==' || op === 'in' ? `${left} ${right}` : `${left} ${op} ${right}`;
    }
    case 'accept':
    case 'drop':
    case 'continue':
    case 'return':
    case 'masquerade':
    case 'notrack':
      return key + (isObject(value) && Object.keys(value).length ? ` ${options(v)}` : '');
    case 'jump':
    case 'goto':
      return `${key} ${String(v['target'] ?? '')}`;
    case 'snat':
    case 'dnat':
    case 'redirect':
      return `${key}${v['addr'] !== undefined ? ` to ${expression(v['addr'])}` : ''}${v['port'] !== undefined ? `${v['addr'] !== undefined ? ':' : ' to :'}${expression(v['port'])}` : ''}`;
    case 'reject':
      return `reject${v['type'] !== undefined ? ` with ${String(v['type'])}${v['expr'] !== undefined ? ` ${expression(v['expr'])}` : ''}` : ''}`;
    case 'log':
      return `log${v['prefix'] !== undefined ? ` prefix ${JSON.stringify(v['prefix'])}` : ''}${v['level'] !== undefined ? ` level ${String(v['level'])}` : ''}`;
    case 'limit':
      return `limit rate ${v['inv'] ? 'over ' : ''}${String(v['rate'] ?? '')}${v['rate_unit'] && v['rate_unit'] !== 'packets' ? ` ${String(v['rate_unit'])}` : ''}/${String(v['per'] ?? 'second')}`;
    case 'mangle':
      return `${expression(v['key'] ?? null)} set ${expression(v['value'] ?? null)}`;
    case 'xt':
      return `xt ${String(v['type'] ?? '')} ${String(v['name'] ?? '')}`.trim();
    case 'queue':
      return `queue${v['num'] !== undefined ? ` num ${expression(v['num'])}` : ''}`;
    default:
      return `${key} ${JSON.stringify(value)}`;
  }
}

function options(v: JsonObject): string {
  return Object.entries(v)
    .map(([k, x]) => `${k} ${expression(x)}`)
    .join(' ');
}

/** An expression (the left or right of a match, a value) as text. */
function expression(e: Json): string {
  if (e === null) return '';
  if (typeof e === 'string') return e;
  if (typeof e === 'number' || typeof e === 'boolean') return String(e);
  if (Array.isArray(e)) return `{ ${e.map(expression).join(', ')} }`;
  const [key] = Object.keys(e);
  if (key === undefined) return '';
  const v = e[key]!;
  const o = isObject(v) ? v : {};
  switch (key) {
    case 'payload':
      return o['protocol'] !== undefined
        ? `${String(o['protocol'])} ${String(o['field'] ?? '')}`
        : `@${String(o['base'] ?? '')},${String(o['offset'] ?? '')},${String(o['len'] ?? '')}`;
    case 'meta':
      return BARE_META.has(String(o['key'])) ? String(o['key']) : `meta ${String(o['key'] ?? '')}`;
    case 'ct':
      return `ct${o['dir'] !== undefined ? ` ${String(o['dir'])}` : ''} ${String(o['key'] ?? '')}`;
    case 'prefix':
      return `${expression(o['addr'] ?? null)}/${String(o['len'] ?? '')}`;
    case 'range':
      return Array.isArray(v) ? v.map(expression).join('-') : JSON.stringify(v);
    case 'set':
      return Array.isArray(v) ? `{ ${v.map(expression).join(', ')} }` : expression(v);
    case 'concat':
      return Array.isArray(v) ? v.map(expression).join(' . ') : JSON.stringify(v);
    case 'elem':
      return expression(o['val'] ?? null);
    case 'fib':
      return `fib ${Array.isArray(o['flags']) ? o['flags'].map(expression).join(' . ') : ''} ${String(o['result'] ?? '')}`.replace(/\s+/g, ' ').trim();
    case '&':
    case '|':
    case '^':
    case '<<':
    case '>>':
      return Array.isArray(v) ? v.map(expression).join(` ${key} `) : JSON.stringify(v);
    default:
      return `${key} ${JSON.stringify(v)}`;
  }
}
