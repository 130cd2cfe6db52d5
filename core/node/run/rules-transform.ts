/**
 * Rule listings a shell cell printed (`iptables -L -v -x`, `iptables-save -c`, `nft -j list
 * ruleset`) become a rule table, read here in the unprivileged runner. Deltas are between listings
 * of the same table in one cell's output (`iptables -L -vnx; ping …; iptables -L -vnx`), else
 * against the rule table the cell showed in its previous run. When the cell printed nothing but listings, the view takes the
 * stdout's place, its `text/plain` exactly as printed; otherwise it comes after the text.
 */
import { MIME } from '../../common/mime.ts';
import type { Output, OutputItem } from '../../common/notebook/model.ts';
import type { RulesPayload } from '../../common/parsers/netfilter/rules-model.ts';
import { readRuleOutput } from '../../common/parsers/netfilter/rule-output.ts';
import { cellStdout, type OutputTransform, showView } from './output-transform.ts';

/** Stdout past this size is left as text (a 5,000-rule listing is ~600 KB). */
const MAX_TEXT = 16 * 1024 * 1024;

export const rulesTransform: OutputTransform = {
  afterCell(cell, { language, previous }, sink) {
    if (language !== 'shell') return;
    const stdout = cellStdout(cell, MAX_TEXT);
    const read = stdout && readRuleOutput(stdout.text, cell.source, lastRulesOf(previous));
    if (!stdout || !read) return;
    const command = cell.source.split('\n').find((line) => /(^|[\s;|&(])(sudo\s+)?(\S*\/)?(ip6?tables(-save)?|nft)(\s|$)/.test(line));
    const items: OutputItem[] = [
      { mime: MIME.rules, data: (command ? { ...read.payload, command: command.trim() } : read.payload) as never },
      { mime: MIME.plain, data: stdout.text },
    ];
    showView(cell, sink, items, stdout.streams, read.onlyRules);
  },
};

/** The rule table the cell showed in its previous run, if it showed one. */
function lastRulesOf(previous: readonly Output[] | undefined): RulesPayload | undefined {
  const item = previous
    ?.flatMap((o) => o.items)
    .filter((i) => i.mime === MIME.rules)
    .at(-1);
  const data = item?.data as unknown as RulesPayload | undefined;
  // Outputs come from the file too (anyone's): only a payload of the expected shape is compared with.
  return data && typeof data === 'object' && Array.isArray(data.tables) && typeof data.format === 'string' ? data : undefined;
}
