/**
 * Two journeys side by side, aligned row by row (core/common/journeys/compare.ts): the summary
 * sentence on top, the shared prefix dimmed, the first divergence highlighted, the drop step
 * named. Two pickers choose another pair; the page aligns it with the same function the runner uses.
 */
import { compareJourneys } from '../../../core/common/journeys/compare.ts';
import type { Journey, JourneyComparison, JourneyStep } from '../../../core/common/journeys/types.ts';
import { h } from '../dom.ts';
import { comparisonLines, comparisonWindow, endText, formatNs } from './journey-format.ts';
import { endBadge, layerTag, MAX_STEPS_SHOWN, stepName } from './journey-timeline.ts';

/** The pair of ids the user picked, realigned on the page; null when they are not both in `journeys`. */
export function realign(journeys: readonly Journey[], left: number, right: number): JourneyComparison | null {
  const l = journeys.find((j) => j.id === left);
  const r = journeys.find((j) => j.id === right);
  return l && r ? compareJourneys(l, r) : null;
}

function cell(step: JourneyStep | undefined, drop: boolean, j: Journey): HTMLElement {
  if (!step) return h('div', 'pb-jn-cmp-cell pb-jn-cmp-empty');
  const el = h(
    'div',
    'pb-jn-cmp-cell',
    layerTag(step.layer),
    stepName(step),
    typeof step.atNs === 'number' ? h('span', 'pb-jn-at', formatNs(step.atNs)) : null,
    drop ? h('span', 'pb-jn-cmp-drop', `✖ ${endText(j.end).long}`) : null,
  );
  if (drop) el.classList.add('pb-jn-cmp-drop-cell');
  return el;
}

function picker(journeys: readonly Journey[], value: number, label: string, onChange: (id: number) => void): HTMLSelectElement {
  const select = h('select', 'pb-select pb-jn-pick');
  select.setAttribute('aria-label', label);
  for (const j of journeys) {
    const option = h('option', '', `#${j.id} · ${endText(j.end).badge}${j.tuple ? ` · ${j.tuple}` : ''}`);
    option.value = String(j.id);
    select.append(option);
  }
  select.value = String(value);
  select.addEventListener('change', () => onChange(Number(select.value)));
  return select;
}

/**
 * Draws the comparison into `box`. `onPick` gets a new pair from the pickers; `onSelect` a journey
 * whose column head was clicked (to show its timeline below).
 */
export function drawComparison(
  box: HTMLElement,
  journeys: readonly Journey[],
  c: JourneyComparison,
  on: { pick(left: number, right: number): void; select(id: number): void },
): void {
  const left = journeys.find((j) => j.id === c.left);
  const right = journeys.find((j) => j.id === c.right);
  const head = h('div', 'pb-jn-cmp-title', h('span', 'pb-jn-section', 'Where the paths diverge'));
  if (!left || !right) {
    box.replaceChildren(head, h('div', 'pb-pk-warn', `⚠ The comparison names journeys ${c.left} and ${c.right}, which are not both in this output.`));
    return;
  }
  const pick = h(
    'div',
    'pb-jn-cmp-pick',
    'Compare ',
    picker(journeys, left.id, 'Left journey', (id) => on.pick(id, right.id)),
    ' with ',
    picker(journeys, right.id, 'Right journey', (id) => on.pick(left.id, id)),
  );
  head.append(pick);
  const columnHead = (j: Journey) => {
    const b = h(
      'button',
      'pb-jn-cmp-head',
      `Journey ${j.id}`,
      typeof j.tracedIn === 'string' ? h('span', 'pb-jn-previous', ` (${j.tracedIn})`) : null,
      j.process ? h('span', 'pb-jn-process', ` ${j.process}`) : null,
      ' ',
      endBadge(j),
    );
    b.type = 'button';
    b.title = `Show journey ${j.id}’s steps below`;
    b.addEventListener('click', () => on.select(j.id));
    return b;
  };
  const lines = comparisonLines(c, left, right);
  const { start, end } = comparisonWindow(lines.length, c.divergeRow, MAX_STEPS_SHOWN);
  const rows = lines.slice(start, end).map((line, i) => {
    const row = h('div', `pb-jn-cmp-row pb-jn-cmp-${line.mark}`, cell(line.left, line.leftDrop, left), cell(line.right, line.rightDrop, right));
    row.dataset['row'] = String(start + i);
    if (line.mark === 'diverge') row.title = 'The first step the two journeys do not share';
    return row;
  });
  const note = (text: string) => h('div', 'pb-jn-more', text);
  box.replaceChildren(
    head,
    h('div', 'pb-jn-summary', c.summary),
    h(
      'div',
      'pb-jn-cmp-grid',
      h('div', 'pb-jn-cmp-row pb-jn-cmp-heads', columnHead(left), columnHead(right)),
      ...(start > 0 ? [note(`… ${start} shared steps above`)] : []),
      ...rows,
      ...(end < lines.length ? [note(`… ${(lines.length - end).toLocaleString('en-US')} more rows`)] : []),
    ),
  );
}
