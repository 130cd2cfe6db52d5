/**
 * Before the first run of a notebook that was not written or trusted on this machine: everything
 * that decides what runs as root (docs/security.md), and the question. The parameters with their values
 * (refused names marked), then every code cell with its exact code, its language as it will run
 * (the badge says when the kernelspec or a magic decided it) and who it runs as. Run All asks too.
 * Everything shown comes from the notebook, so it goes in as text only.
 */
import type { ReviewCell, TrustReview } from '../../core/common/protocol.ts';
import { h } from '../outputs/dom.ts';
import { KIND_LABELS } from '../notebook/cell-kind.ts';
import { dialogButton, openDialog } from './dialog.ts';

/** Where a language came from, when it is not the cell's own choice. */
const LANGUAGE_SOURCES: Record<NonNullable<ReviewCell['languageSource']>, string> = {
  metadata: '',
  magic: 'from its first line',
  notebook: "the notebook's default",
  kernelspec: "from the notebook's kernelspec",
  default: 'no language set: shell',
};

/** Resolves true when the user trusts the notebook. */
export async function askToTrust(title: string, runAs: string, review: TrustReview): Promise<boolean> {
  const who = runAs === 'root' ? 'as root' : 'with root privileges (after asking for them once)';
  const roots = review.cells.filter((c) => c.runAs === 'root').length;
  const refused = review.parameters.filter((p) => p.refused);
  const d = openDialog('Trust this notebook?', { wide: true, className: 'pb-trust-dialog' });
  d.body.append(
    h(
      'p',
      '',
      `${title} was not written or trusted on this machine. Running it runs ${plural(roots, 'cell')} ${who}. Read the parameters and every cell below; trust it only if you would run them yourself.`,
    ),
  );
  for (const p of refused) d.body.append(h('p', 'pb-trust-warn', `This notebook cannot run: ${p.refused}.`));
  if (review.parameters.length > 0) d.body.append(parametersTable(review));
  d.body.append(h('h3', 'pb-trust-heading', `Code cells (${review.cells.length})`), cellList(review.cells));

  let trusted = false;
  const cancel = dialogButton('Cancel', () => d.close());
  d.footer.append(
    cancel,
    dialogButton(
      'Trust and run',
      () => {
        trusted = true;
        d.close();
      },
      'danger',
    ),
  );
  cancel.focus(); // Enter must not trust
  await d.closed;
  return trusted;
}

function parametersTable(review: TrustReview): HTMLElement {
  const rows = review.parameters.map((p) => {
    const row = h(
      'tr',
      p.refused ? 'pb-trust-refused' : '',
      h('td', '', h('code', '', p.name)),
      h('td', '', h('code', 'pb-trust-value', p.value)),
      h('td', '', p.refused ? 'refused' : ''),
    );
    row.dataset['parameter'] = p.name;
    if (p.refused) row.title = p.refused;
    return row;
  });
  return h(
    'section',
    'pb-trust-parameters',
    h('h3', 'pb-trust-heading', `Parameters (${review.parameters.length})`),
    h('p', 'pb-trust-hint', 'Every cell gets these as environment variables; bpftrace cells that name them get them as $1, $2…'),
    h('table', 'pb-trust-params', h('thead', '', h('tr', '', h('th', '', 'Name'), h('th', '', 'Value'), h('th', '', ''))), h('tbody', '', ...rows)),
  );
}

function cellList(cells: ReviewCell[]): HTMLElement {
  const list = h('div', 'pb-trust-cells');
  for (const c of cells) {
    const source = c.languageSource ? LANGUAGE_SOURCES[c.languageSource] : '';
    const language = h('span', 'pb-trust-badge pb-trust-lang', c.language ? KIND_LABELS[c.language] : 'will not run');
    if (source) language.title = source;
    const label = h(
      'div',
      'pb-trust-label',
      h('span', '', `Cell ${c.index + 1}`),
      language,
      source ? h('span', 'pb-trust-source', source) : null,
      h('span', `pb-trust-badge pb-trust-runas-${c.runAs}`, c.runAs === 'root' ? 'as root' : 'as you'),
    );
    const item = h('div', 'pb-trust-cell', label, c.problem ? h('p', 'pb-trust-warn', c.problem) : null, h('pre', 'pb-trust-code', c.source || '(empty)'));
    item.dataset['runAs'] = c.runAs;
    item.dataset['language'] = c.language ?? '';
    list.append(item);
  }
  return list;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
