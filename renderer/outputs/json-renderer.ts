/**
 * `application/json` as a collapsible tree (two levels open), long arrays and objects shown 100
 * entries at a time, with "Copy JSON".
 */
import { MIME } from '../../core/common/mime.ts';
import type { Json } from '../../core/common/notebook/model.ts';
import { copyButton, h } from './dom.ts';
import { inPlaceRenderer } from './in-place-renderer.ts';

const PAGE = 100;
const OPEN_DEPTH = 2;

function scalar(v: Json): HTMLElement {
  if (v === null) return h('span', 'pb-json-null', 'null');
  if (typeof v === 'string') return h('span', 'pb-json-string', JSON.stringify(v));
  if (typeof v === 'number') return h('span', 'pb-json-number', String(v));
  return h('span', 'pb-json-bool', String(v));
}

function node(key: string | null, v: Json, depth: number): HTMLElement {
  const label = key === null ? null : h('span', 'pb-json-key', `${key}: `);
  if (v === null || typeof v !== 'object') return h('div', 'pb-json-row', label, scalar(v));
  const entries: [string, Json][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
  const open = Array.isArray(v) ? '[' : '{';
  const close = Array.isArray(v) ? ']' : '}';
  if (!entries.length) return h('div', 'pb-json-row', label, h('span', 'pb-json-punct', open + close));
  // Small values read better inline: `{ t: 0, bps: 0 }`.
  const preview = JSON.stringify(v);
  if (preview.length <= 72 && depth >= OPEN_DEPTH) {
    return h('div', 'pb-json-row', label, h('span', 'pb-json-inline', preview.replace(/"([A-Za-z_$][\w$]*)":/g, '$1: ').replace(/,(?=\S)/g, ', ')));
  }
  const details = h('details', 'pb-json-node');
  details.open = depth < OPEN_DEPTH;
  details.append(
    h(
      'summary',
      '',
      label,
      h('span', 'pb-json-punct', open),
      h('span', 'pb-json-count', ` ${entries.length} ${Array.isArray(v) ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'key' : 'keys'} `),
      h('span', 'pb-json-punct', close),
    ),
  );
  const children = h('div', 'pb-json-children');
  let shown = 0;
  const more = h('button', 'pb-btn pb-json-more');
  more.type = 'button';
  more.hidden = true;
  const page = (): void => {
    const next = entries.slice(shown, shown + PAGE);
    more.before(...next.map(([k, x]) => node(k, x, depth + 1)));
    shown += next.length;
    more.hidden = shown >= entries.length;
    more.textContent = `Show ${Math.min(PAGE, entries.length - shown)} more of ${entries.length - shown}`;
  };
  children.append(more);
  // Children are built when first opened, so a huge collapsed value costs nothing.
  let built = false;
  const build = (): void => {
    if (built) return;
    built = true;
    page();
  };
  more.addEventListener('click', page);
  details.addEventListener('toggle', () => details.open && build());
  if (details.open) build();
  details.append(children);
  return details;
}

export const jsonRenderer = inPlaceRenderer({ id: 'json', mimeTypes: [MIME.json], rank: 50, safe: true }, (element, item) => {
  const box = h('div', 'pb-json');
  const draw = (data: Json): void => {
    box.replaceChildren(
      h(
        'div',
        'pb-tools',
        copyButton('Copy', 'Copy as JSON', () => JSON.stringify(data, null, 2)),
      ),
      node(null, data, 0),
    );
  };
  draw(item.data);
  element.append(box);
  return { show: (next) => draw(next.data), dispose: () => box.remove() };
});
