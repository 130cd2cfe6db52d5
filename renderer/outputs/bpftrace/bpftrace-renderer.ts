/**
 * `application/vnd.probebook.bpftrace+json`: one print of one bpftrace map. Keyed maps and
 * stats render as sortable, filterable tables with magnitude bars (one column per key part);
 * keyless scalars as a single value; hist/lhist as bar charts labelled like bpftrace (one per
 * key, biggest first), each with PNG download, bpftrace-style text copy and a bucket table.
 */
import { MIME } from '../../../core/common/mime.ts';
import type { BpftraceMapPayload, HistBucket } from '../../../core/common/parsers/bpftrace/types.ts';
import { HistChart } from '../charts/hist-chart.ts';
import { chartToPng } from '../charts/svg.ts';
import { secondsLabel } from '../charts/ticks.ts';
import { button, copyButton, download, fileNameOf, flashButton, h } from '../dom.ts';
import { inPlaceRenderer } from '../in-place-renderer.ts';
import { TableViewer } from '../table/table-view.ts';
import { histText } from './hist-labels.ts';
import { histTable, histTotal, mapTable, payloadSummary, valueText } from './map-model.ts';

/** Histograms drawn before "Show all keys". */
const HIST_KEYS_SHOWN = 6;

/** Checks the shape before drawing, so a damaged file gives a readable error. */
export function asPayload(data: unknown): BpftraceMapPayload {
  const p = data as BpftraceMapPayload;
  if (!p || typeof p !== 'object' || typeof p.name !== 'string' || !Array.isArray(p.entries) || !['map', 'hist', 'stats'].includes(p.kind)) {
    throw new Error('not a bpftrace map payload (expected { name, kind: map|hist|stats, entries: [...] })');
  }
  return p;
}

/** A PNG download button for a chart. */
export function pngButton(chart: { svg: SVGSVGElement }, name: string): HTMLButtonElement {
  const b = button('PNG', 'Download this chart as PNG', () => {
    chartToPng(chart.svg).then(
      (blob) => download(`${fileNameOf(name, 'chart')}.png`, blob),
      (err: unknown) => {
        flashButton(b, 'PNG failed');
        b.title = err instanceof Error ? err.message : String(err);
      },
    );
  });
  return b;
}

/** "+12.0 s · print 13" for repeated prints; "" for a single one. */
function printInfo(p: BpftraceMapPayload): string {
  const at = Number.isFinite(p.runStart) && Number.isFinite(p.time) ? `+${secondsLabel((p.time - p.runStart!) / 1000)}` : '';
  const nth = p.printIndex > 0 ? `print ${p.printIndex + 1}` : '';
  return [at, nth].filter(Boolean).join(' · ');
}

/** Draws one payload into `parent`; `update` redraws it in place (tables keep sort and filter). */
export class PayloadView {
  readonly element: HTMLElement;
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private table: TableViewer | null = null;
  private charts: HistChart[] = [];
  private shape = '';
  private showAllKeys = false;

  constructor(
    parent: HTMLElement,
    payload: BpftraceMapPayload,
    private readonly withHeader = true,
  ) {
    this.head = h('div', 'pb-bt-head');
    this.body = h('div', 'pb-bt-body');
    this.element = h('div', 'pb-bt', this.withHeader ? this.head : null, this.body);
    parent.append(this.element);
    this.update(payload);
  }

  update(p: BpftraceMapPayload): void {
    if (this.withHeader) {
      this.head.replaceChildren(h('span', 'pb-bt-name', p.name), h('span', 'pb-bt-kind', payloadSummary(p)), h('span', 'pb-bt-when', printInfo(p)));
    }
    const shape = `${p.kind}:${p.keyless}`;
    if (shape === this.shape && this.table && p.kind !== 'hist' && !(p.kind === 'map' && p.keyless)) {
      this.table.setModel(mapTable(p));
      return;
    }
    this.shape = shape;
    this.clear();
    if (p.kind === 'hist') this.drawHists(p);
    else if (p.kind === 'map' && p.keyless) this.drawScalar(p);
    else this.table = new TableViewer(this.body, mapTable(p));
  }

  dispose(): void {
    this.clear();
    this.element.remove();
  }

  private clear(): void {
    for (const c of this.charts) c.dispose();
    this.charts = [];
    this.table = null;
    this.body.replaceChildren();
  }

  private drawScalar(p: BpftraceMapPayload): void {
    const e = p.entries[0];
    const text = e && e.value.type === 'scalar' ? valueText(e.value.value) : '';
    this.body.append(
      h(
        'div',
        'pb-bt-scalar',
        h('span', 'pb-bt-scalar-value', text || '(empty)'),
        copyButton('Copy', 'Copy the value', () => text),
      ),
    );
  }

  private drawHists(p: BpftraceMapPayload): void {
    const hists = p.entries
      .filter((e) => e.value.type === 'hist')
      .map((e) => ({ key: e.key.join(', ') || e.rawKey, buckets: (e.value as { buckets: HistBucket[] }).buckets }));
    if (!hists.length) {
      this.body.append(h('div', 'pb-empty', `${p.name} is empty: no values were recorded.`));
      return;
    }
    if (!p.keyless) hists.sort((a, b) => histTotal(b.buckets) - histTotal(a.buckets));
    const shown = this.showAllKeys ? hists : hists.slice(0, HIST_KEYS_SHOWN);
    for (const { key, buckets } of shown) {
      const box = h('div', 'pb-bt-hist');
      this.body.append(box);
      const title = p.keyless ? p.name : `${p.name}[${key}]`;
      const tableBox = h('div', 'pb-bt-hist-table');
      tableBox.hidden = true;
      const chart = new HistChart(box, buckets, p.keyless ? undefined : `[${key}] · ${histTotal(buckets)} values`);
      this.charts.push(chart);
      let tableMade = false;
      const toggle = button('Table', 'Show the buckets as a table', () => {
        if (!tableMade) {
          new TableViewer(tableBox, histTable(buckets));
          tableMade = true;
        }
        tableBox.hidden = !tableBox.hidden;
        chart.element.hidden = !tableBox.hidden;
        toggle.textContent = tableBox.hidden ? 'Table' : 'Chart';
      });
      box.prepend(
        h(
          'div',
          'pb-tools pb-tools-inline',
          toggle,
          copyButton('Text', 'Copy as bpftrace prints it', () => `${title}:\n${histText(buckets)}\n`),
          pngButton(chart, title),
        ),
      );
      box.append(tableBox);
    }
    if (hists.length > shown.length) {
      const more = button(`Show all ${hists.length} keys`, 'Draw a histogram for every key', () => {
        this.showAllKeys = true;
        this.update(p);
      });
      more.classList.add('pb-table-more');
      this.shape = '';
      this.body.append(more);
    }
  }
}

export const bpftraceRenderer = inPlaceRenderer({ id: 'bpftrace', mimeTypes: [MIME.bpftrace], rank: 15, safe: true }, (element, item) => {
  const view = new PayloadView(element, asPayload(item.data));
  return { show: (next) => view.update(asPayload(next.data)), dispose: () => view.dispose() };
});
