/**
 * One journey's steps as a timeline: function, layer tag, `×count`, time since the start and the
 * delta to the previous step, detail, caller, drop reason; a step's kernel stack opens on demand.
 * Long journeys are cut at {@link MAX_STEPS_SHOWN} rows with a "… K more steps" line.
 */
import type { Journey, JourneyStep } from '../../../core/common/journeys/types.ts';
import { button, h } from '../dom.ts';
import { dropStepIndex, endText, formatNs, layerOrOther } from './journey-format.ts';

/** Steps drawn at the most (the payload keeps up to 400 a journey; a hand-made one may hold more). */
export const MAX_STEPS_SHOWN = 300;

/** A layer tag: the layer's name in its colour. */
export function layerTag(layer: unknown): HTMLElement {
  const name = layerOrOther(layer);
  return h('span', `pb-jn-layer pb-jn-layer-${name}`, name);
}

/** The end badge of a journey: consumed / dropped (reason) / in flight, with the long text as its title. */
export function endBadge(j: Journey): HTMLElement {
  const { badge, long } = endText(j.end);
  const el = h('span', `pb-jn-end-badge pb-jn-end-${j.end.kind}`, badge);
  el.title = long;
  return el;
}

/** A step's function with its `×count` when it repeated. */
export function stepName(step: JourneyStep): HTMLElement {
  return h('span', 'pb-jn-fn', String(step.fn), step.count > 1 ? h('span', 'pb-jn-repeat', ` ×${step.count}`) : null);
}

function stepRow(step: JourneyStep, index: number, drop: boolean): HTMLElement {
  const times = h(
    'span',
    'pb-jn-times',
    typeof step.atNs === 'number' ? h('span', 'pb-jn-at', formatNs(step.atNs)) : null,
    typeof step.dtNs === 'number' ? h('span', 'pb-jn-dt', `+${formatNs(step.dtNs)}`) : null,
  );
  const info = h(
    'span',
    'pb-jn-info',
    step.detail ? h('span', 'pb-jn-step-detail', String(step.detail)) : null,
    step.caller ? h('span', 'pb-jn-caller', `in ${step.caller}`) : null,
    step.reason ? h('span', 'pb-jn-reason', String(step.reason)) : null,
  );
  const row = h('li', 'pb-jn-step', h('span', 'pb-jn-index', String(index + 1)), layerTag(step.layer), stepName(step), times, info);
  row.dataset['layer'] = layerOrOther(step.layer);
  if (drop) row.classList.add('pb-jn-step-drop');
  const stack = Array.isArray(step.stack) ? step.stack.map(String) : [];
  if (stack.length) {
    const frames = h('ol', 'pb-jn-stack', ...stack.map((f) => h('li', '', f)));
    frames.hidden = true;
    const toggle = button(`stack (${stack.length})`, 'Show the kernel stack at this step, innermost first', () => {
      frames.hidden = !frames.hidden;
      toggle.setAttribute('aria-expanded', String(!frames.hidden));
    });
    toggle.classList.add('pb-jn-stack-toggle');
    toggle.setAttribute('aria-expanded', 'false');
    info.append(toggle);
    row.append(frames);
  }
  return row;
}

/** The journey's title, its steps and its end. */
export function drawTimeline(box: HTMLElement, j: Journey): void {
  const drop = dropStepIndex(j);
  const shown = j.steps.slice(0, MAX_STEPS_SHOWN);
  const more = j.steps.length - shown.length;
  const title = h(
    'div',
    'pb-jn-detail-title',
    h('span', 'pb-jn-detail-name', `Journey ${j.id}`),
    h('code', 'pb-jn-skb', String(j.skb)),
    j.process ? h('span', 'pb-jn-process', String(j.process)) : null,
    j.tuple ? h('code', 'pb-jn-tuple', String(j.tuple)) : null,
    j.cloneOf !== undefined ? h('span', 'pb-jn-clone', `clone of journey ${j.cloneOf}`) : null,
  );
  const steps = shown.length ? h('ol', 'pb-jn-steps', ...shown.map((s, i) => stepRow(s, i, i === drop))) : h('div', 'pb-empty', 'No steps.');
  // One function column for all rows (each row is its own grid): as wide as the longest name, within bounds.
  const widest = Math.max(0, ...shown.map((s) => String(s.fn).length + (s.count > 1 ? String(s.count).length + 2 : 0)));
  steps.style.setProperty('--pb-jn-fn-w', `${Math.min(44, Math.max(12, widest + 1))}ch`);
  if (!shown.some((s) => typeof s.atNs === 'number' || typeof s.dtNs === 'number')) steps.style.setProperty('--pb-jn-times-w', '0');
  const end = h('div', `pb-jn-end pb-jn-end-${j.end.kind}`, h('span', 'pb-jn-end-label', 'End'), ` ${endText(j.end).long}`);
  box.replaceChildren(title, steps, ...(more > 0 ? [h('div', 'pb-jn-more', `… ${more.toLocaleString('en-US')} more steps`)] : []), end);
}
