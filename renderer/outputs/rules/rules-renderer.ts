/**
 * `application/vnd.probebook.rules+json` (`RulesPayload`): iptables/nft rules grouped by table and
 * chain, each chain headed by its policy (with its counters) and shown as a sortable, filterable
 * table (renderer/outputs/table) with the deltas when the output held two listings. Text goes in
 * through textContent only; the payload is checked before it is drawn (a notebook is untrusted data).
 */
import { MIME } from '../../../core/common/mime.ts';
import type { Json } from '../../../core/common/notebook/model.ts';
import type { Chain, Counters, RulesPayload, Table } from '../../../core/common/parsers/netfilter/rules-model.ts';
import { h } from '../dom.ts';
import { inPlaceRenderer } from '../in-place-renderer.ts';
import { TableViewer } from '../table/table-view.ts';
import { chainTable } from './rules-table.ts';

/** Problems listed at the most (the rest are counted). */
const MAX_PROBLEMS_SHOWN = 20;
/** Chains drawn at the most: a table per chain, and a runaway listing must not build thousands. */
const MAX_CHAINS = 200;

const FORMATS: Record<RulesPayload['format'], string> = {
  'iptables-list': 'iptables -L',
  'iptables-save': 'iptables-save',
  'nft-json': 'nft -j',
};

/** The payload, checked for the shape the view reads; throws a readable error otherwise. */
function rulesPayloadOf(data: Json): RulesPayload {
  const bad = (what: string) => new Error(`rules+json data is not a rule listing: ${what}`);
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw bad('not an object');
  if (data['version'] !== 1) throw bad(`version ${JSON.stringify(data['version'])}, expected 1`);
  if (typeof data['format'] !== 'string' || !(data['format'] in FORMATS)) throw bad(`unknown format ${JSON.stringify(data['format'])}`);
  const tables = data['tables'];
  if (!Array.isArray(tables)) throw bad('no tables');
  for (const t of tables) {
    if (!t || typeof t !== 'object' || Array.isArray(t) || !Array.isArray(t['chains'])) throw bad('a table without chains');
    for (const c of t['chains'] as Json[]) {
      if (!c || typeof c !== 'object' || Array.isArray(c) || !Array.isArray(c['rules'])) throw bad('a chain without rules');
    }
  }
  return data as unknown as RulesPayload;
}

const count = (n: number) => n.toLocaleString('en-US');
const counters = (c: Counters) => `${count(c.packets)} packets, ${count(c.bytes)} bytes`;

class RulesView {
  readonly element = h('div', 'pb-rules');

  constructor(parent: HTMLElement, payload: RulesPayload) {
    parent.append(this.element);
    this.show(payload);
  }

  show(payload: RulesPayload): void {
    const since = payload.since ?? (payload.listings > 1 ? 'listing' : undefined);
    const compared = since !== undefined;
    const head = h(
      'div',
      'pb-rules-head',
      h('span', 'pb-rules-kind', `Rules (${FORMATS[payload.format]})`),
      payload.command ? h('code', 'pb-rules-command', String(payload.command)) : null,
      compared
        ? h(
            'span',
            'pb-rules-compared',
            `+packets/+bytes: counted since ${since === 'previous-run' ? "the cell's previous run" : `the previous of ${count(payload.listings)} listings`}${payload.unmatched ? ` (${count(payload.unmatched)} rules new since then)` : ''}`,
          )
        : null,
    );
    const notes = h('div', 'pb-rules-notes');
    if (payload.rounded) notes.append(h('div', 'pb-note', 'iptables rounded these counts (12K = 12,000…): list with -x for exact ones.'));
    const problems = Array.isArray(payload.problems) ? payload.problems.map(String) : [];
    if (problems.length) {
      const list = h('ul', 'pb-rules-problems', ...problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => h('li', '', p)));
      if (problems.length > MAX_PROBLEMS_SHOWN) list.append(h('li', '', `… and ${count(problems.length - MAX_PROBLEMS_SHOWN)} more`));
      notes.append(list);
    }
    const sections: HTMLElement[] = [];
    let chains = 0;
    for (const table of payload.tables) {
      const section = h('section', 'pb-rules-table', h('div', 'pb-rules-table-name', tableName(table)));
      for (const chain of table.chains) {
        if (++chains > MAX_CHAINS) break;
        section.append(this.chain(chain, { deltas: compared, handles: payload.format === 'nft-json' }));
      }
      sections.push(section);
    }
    const total = payload.tables.reduce((n, t) => n + t.chains.length, 0);
    if (total > MAX_CHAINS) notes.append(h('div', 'pb-note', `${count(total - MAX_CHAINS)} more chains are in the text only.`));
    this.element.replaceChildren(head, notes, ...sections);
  }

  private chain(chain: Chain, options: { deltas: boolean; handles: boolean }): HTMLElement {
    const about: (string | HTMLElement)[] = [];
    if (chain.hook) about.push(`hook ${chain.hook}`);
    if (chain.policy) {
      const policy = h('span', 'pb-rules-policy', `policy ${chain.policy}`);
      about.push(policy);
      if (chain.policyCounters) about.push(counters(chain.policyCounters));
      if (chain.policyDelta && options.deltas)
        about.push(h('span', chain.policyDelta.packets > 0 ? 'pb-rules-delta pb-rules-delta-hit' : 'pb-rules-delta', `+${counters(chain.policyDelta)}`));
    }
    if (chain.references !== undefined) about.push(`${count(chain.references)} references`);
    const head = h(
      'div',
      'pb-rules-chain-head',
      h('span', 'pb-rules-chain-name', `Chain ${chain.name}`),
      ...about.map((a) => (typeof a === 'string' ? h('span', 'pb-rules-about', a) : a)),
    );
    const box = h('div', 'pb-rules-chain', head);
    box.dataset['chain'] = chain.name;
    if (chain.rules.length === 0)
      box.append(h('div', 'pb-rules-empty', chain.policy ? `No rules: every packet meets the policy (${chain.policy}).` : 'No rules.'));
    else new TableViewer(box, chainTable(chain, options));
    return box;
  }
}

function tableName(table: Table): string {
  return `table ${table.family ? `${table.family} ` : ''}${table.name}`;
}

export const rulesRenderer = inPlaceRenderer({ id: 'rules', mimeTypes: [MIME.rules], rank: 20, safe: true }, (element, item) => {
  const view = new RulesView(element, rulesPayloadOf(item.data));
  return { show: (next) => view.show(rulesPayloadOf(next.data)), dispose: () => view.element.remove() };
});
