/**
 * `application/vnd.probebook.pwru+json` (`JourneyPayload`, docs/journeys.md) as the journey view:
 * a head naming the method and where drop reasons came from; the side-by-side comparison first
 * (journey-comparison-view.ts) when the payload has one; the journeys as a filterable list; the
 * selected journey's steps as a timeline (journey-timeline.ts). A new version of the item redraws
 * it, keeping the selection, the filter and a pair the user picked. Text goes in as text only.
 */
import type { Journey, JourneyComparison, JourneyPayload } from '../../../core/common/journeys/types.ts';
import { MIME } from '../../../core/common/mime.ts';
import { h } from '../dom.ts';
import { inPlaceRenderer } from '../in-place-renderer.ts';
import { drawComparison, realign } from './journey-comparison-view.ts';
import { endText, formatNs, journeyMatches, LAYERS, methodLabel, reasonsFromLabel } from './journey-format.ts';
import { drawTimeline, endBadge, layerTag } from './journey-timeline.ts';
import { asJourneyPayload } from './payload-shape.ts';

/** Journeys drawn in the list at the most; the filter reaches the others. */
const MAX_JOURNEYS_SHOWN = 200;

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

class JourneysView {
  readonly element: HTMLElement;
  private readonly head = h('div', 'pb-jn-head');
  private readonly compare = h('section', 'pb-jn-compare');
  private readonly filterInput: HTMLInputElement;
  private readonly count = h('span', 'pb-jn-count');
  private readonly list = h('div', 'pb-jn-list');
  private readonly capNote = h('div', 'pb-jn-more');
  private readonly detail = h('section', 'pb-jn-detail');
  private payload!: JourneyPayload;
  private selected: { id: number; skb: string } | null = null;
  /** A pair the user chose with the pickers, kept while both journeys exist. */
  private picked: { left: number; right: number } | null = null;

  constructor(parent: HTMLElement, payload: JourneyPayload) {
    this.filterInput = h('input', 'pb-filter pb-jn-filter');
    this.filterInput.type = 'search';
    this.filterInput.placeholder = 'Filter: skb, process, tuple, function, dropped, a reason …';
    this.filterInput.setAttribute('aria-label', 'Filter journeys');
    this.filterInput.spellcheck = false;
    this.filterInput.addEventListener('input', () => this.drawList());
    this.list.setAttribute('role', 'listbox');
    this.list.setAttribute('aria-label', 'Journeys');
    this.list.tabIndex = 0;
    this.list.addEventListener('keydown', (ev) => this.onKey(ev));
    const legend = h('div', 'pb-jn-legend', h('span', 'pb-jn-legend-title', 'Layers'), ...LAYERS.map((l) => layerTag(l)));
    const tools = h('div', 'pb-jn-tools', this.filterInput, this.count);
    this.element = h('div', 'pb-jn', this.head, this.compare, h('div', 'pb-jn-section', 'Journeys'), tools, legend, this.list, this.capNote, this.detail);
    parent.append(this.element);
    this.update(payload);
  }

  /** Shows a version of the payload, keeping what the user chose where it still exists. */
  update(payload: JourneyPayload): void {
    this.payload = payload;
    const js = payload.journeys;
    const kept = this.selected && (js.find((j) => j.id === this.selected!.id && j.skb === this.selected!.skb) ?? js.find((j) => j.id === this.selected!.id));
    const first = payload.comparison ? js.find((j) => j.id === payload.comparison!.right) : undefined;
    const pick = kept ?? first ?? js[0];
    this.selected = pick ? { id: pick.id, skb: pick.skb } : null;
    this.drawHead();
    this.drawCompare();
    this.drawList();
    this.drawDetail();
  }

  dispose(): void {
    this.element.remove();
  }

  private drawHead(): void {
    const p = this.payload;
    const bits: (HTMLElement | null)[] = [
      h('span', `pb-jn-method pb-jn-method-${p.method}`, methodLabel(p.method)),
      h('span', 'pb-jn-meta', `${plural(p.journeys.length, 'journey')}${p.format === 'json' ? ' · from --output-json' : ''}`),
    ];
    // "No reasons named" says something only when a journey was dropped.
    const reasons = p.reasonsFrom === 'none' && !p.journeys.some((j) => j.end.kind === 'dropped') ? '' : reasonsFromLabel(p.reasonsFrom);
    if (reasons) bits.push(h('span', 'pb-jn-meta pb-jn-reasons-from', reasons));
    if (p.command) bits.push(h('code', 'pb-jn-command', String(p.command)));
    const notes: HTMLElement[] = [];
    const omitted = p.omitted;
    if (omitted && (omitted.journeys > 0 || omitted.steps > 0)) {
      const parts = [omitted.journeys > 0 ? plural(omitted.journeys, 'journey') : '', omitted.steps > 0 ? plural(omitted.steps, 'step') : ''].filter(Boolean);
      notes.push(h('div', 'pb-note', `${parts.join(' and ')} left out to keep the output small; the text (text/plain) has everything.`));
    }
    if (typeof p.otherLines === 'number' && p.otherLines > 0) {
      notes.push(h('div', 'pb-jn-meta', `${plural(p.otherLines, 'line')} of the output were not journey rows (kept in the text).`));
    }
    this.head.replaceChildren(h('div', 'pb-jn-head-line', ...bits.filter((b): b is HTMLElement => b !== null)), ...notes);
  }

  private comparison(): JourneyComparison | null {
    const js = this.payload.journeys;
    if (this.picked) {
      const again = realign(js, this.picked.left, this.picked.right);
      if (again) return again;
      this.picked = null;
    }
    return this.payload.comparison ?? null;
  }

  private drawCompare(): void {
    const c = this.comparison();
    this.compare.hidden = !c;
    if (!c) {
      this.compare.replaceChildren();
      return;
    }
    drawComparison(this.compare, this.payload.journeys, c, {
      pick: (left, right) => {
        this.picked = { left, right };
        this.drawCompare();
      },
      select: (id) => this.select(id),
    });
  }

  private visible(): Journey[] {
    const query = this.filterInput.value;
    return this.payload.journeys.filter((j) => journeyMatches(j, query));
  }

  private drawList(): void {
    const matching = this.visible();
    const total = this.payload.journeys.length;
    const shown = matching.slice(0, MAX_JOURNEYS_SHOWN);
    this.count.textContent = this.filterInput.value.trim()
      ? `${matching.length.toLocaleString('en-US')} of ${plural(total, 'journey')} shown`
      : plural(total, 'journey');
    this.list.replaceChildren(...shown.map((j) => this.row(j)));
    if (shown.length === 0) this.list.append(h('div', 'pb-empty', total ? 'No journeys match the filter.' : 'No journeys: the trace saw no matching packet.'));
    const cut = matching.length - shown.length;
    this.capNote.hidden = cut <= 0;
    this.capNote.textContent = cut > 0 ? `… ${plural(cut, 'more journey')} not drawn: narrow the filter to see them.` : '';
  }

  private row(j: Journey): HTMLElement {
    const steps = j.steps.reduce((n, s) => n + (typeof s.count === 'number' ? s.count : 1), 0);
    const tuple = h('code', 'pb-jn-tuple', j.tuple ? String(j.tuple) : '');
    tuple.title = tuple.textContent ?? '';
    const row = h(
      'div',
      'pb-jn-row',
      h('span', 'pb-jn-id', `#${j.id}`, typeof j.tracedIn === 'string' ? h('span', 'pb-jn-previous', ` (${j.tracedIn})`) : null),
      h('code', 'pb-jn-skb', String(j.skb)),
      h('span', 'pb-jn-process', j.process ? String(j.process) : ''),
      tuple,
      h('span', 'pb-jn-steps-n', plural(steps, 'step')),
      h('span', 'pb-jn-duration', typeof j.durationNs === 'number' ? formatNs(j.durationNs) : ''),
      endBadge(j),
    );
    row.setAttribute('role', 'option');
    row.dataset['id'] = String(j.id);
    const selected = this.selected?.id === j.id;
    row.setAttribute('aria-selected', String(selected));
    if (selected) row.classList.add('pb-jn-selected');
    row.title = `Journey ${j.id}: ${endText(j.end).long}`;
    row.addEventListener('click', () => this.select(j.id));
    return row;
  }

  private select(id: number): void {
    const j = this.payload.journeys.find((x) => x.id === id);
    if (!j) return;
    this.selected = { id: j.id, skb: j.skb };
    for (const row of this.list.querySelectorAll<HTMLElement>('.pb-jn-row')) {
      const on = row.dataset['id'] === String(id);
      row.classList.toggle('pb-jn-selected', on);
      row.setAttribute('aria-selected', String(on));
      if (on) row.scrollIntoView?.({ block: 'nearest' });
    }
    this.drawDetail();
  }

  private onKey(ev: KeyboardEvent): void {
    if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
    const shown = this.visible().slice(0, MAX_JOURNEYS_SHOWN);
    const at = shown.findIndex((j) => j.id === this.selected?.id);
    const next = shown[ev.key === 'ArrowDown' ? Math.min(shown.length - 1, at + 1) : Math.max(0, at - 1)];
    if (!next) return;
    ev.preventDefault();
    this.select(next.id);
  }

  private drawDetail(): void {
    const j = this.selected && this.payload.journeys.find((x) => x.id === this.selected!.id);
    this.detail.hidden = !j;
    if (j) drawTimeline(this.detail, j);
    else this.detail.replaceChildren();
  }
}

export const journeysRenderer = inPlaceRenderer({ id: 'journeys', mimeTypes: [MIME.pwru], rank: 15, safe: true }, (element, item) => {
  const view = new JourneysView(element, asJourneyPayload(item.data));
  return { show: (next) => view.update(asJourneyPayload(next.data)), dispose: () => view.dispose() };
});
