/**
 * Before the first run of a notebook that was not written or trusted on this machine: the exact
 * code of every cell that would run as root, and the question (SECURITY.md). Run All asks too.
 */
import type { CellLanguage } from '../../core/common/languages.ts';
import { h } from '../outputs/dom.ts';
import { KIND_LABELS } from '../notebook/cell-kind.ts';
import { ask } from './dialog.ts';

export interface RootCell {
  cellId: string;
  index: number;
  language: CellLanguage;
  source: string;
}

/** Resolves true when the user trusts the notebook. */
export async function askToTrust(title: string, runAs: string, cells: RootCell[]): Promise<boolean> {
  const list = h('div', 'pb-trust-cells');
  for (const c of cells) {
    const pre = h('pre', 'pb-trust-code', c.source || '(empty)');
    list.append(h('div', 'pb-trust-cell', h('div', 'pb-trust-label', `Cell ${c.index + 1} · ${KIND_LABELS[c.language]}`), pre));
  }
  const who = runAs === 'root' ? 'as root' : 'with root privileges (after asking for them once)';
  const message = h(
    'div',
    '',
    h('p', '', `${title} was not written or trusted on this machine. Running it runs its code ${who}. Read the ${cells.length} cell${cells.length === 1 ? '' : 's'} below; run only if you trust them.`),
    list,
  );
  const answer = await ask('Trust this notebook?', message, [
    { value: 'no', label: 'Cancel' },
    { value: 'yes', label: 'Trust and run', kind: 'danger' },
  ]);
  return answer === 'yes';
}
