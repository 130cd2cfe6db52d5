/**
 * The prints of one bpftrace map printed again and again (an `interval` probe) shown as one live
 * line chart over time (top-N keys, seconds since the run start) next to the latest print.
 * Grows in place as prints arrive. The output area creates it from {@link groupMapPrints}.
 */
import type { Output } from '../../../core/common/notebook/model.ts';
import { LineChart } from '../charts/line-chart.ts';
import { secondsLabel } from '../charts/ticks.ts';
import { h } from '../dom.ts';
import { asPayload, PayloadView, pngButton } from './bpftrace-renderer.ts';
import { bpftracePayloadOf, MapSeries, metricLabel } from './map-series.ts';
import { MIME } from '../../../core/common/mime.ts';
import { payloadSummary } from './map-model.ts';

const TOP_CHOICES = [5, 10, 20, 50];

export class MapSeriesView {
  readonly element: HTMLElement;
  readonly name: string;
  private series: MapSeries;
  private outputs: Output[] = [];
  private readonly head: HTMLElement;
  private readonly chart: LineChart;
  private readonly latestBox: HTMLElement;
  private latest: PayloadView | null = null;
  private readonly tools: HTMLElement;
  private top = 10;
  private frame = 0;

  constructor(parent: HTMLElement, name: string, outputs: readonly Output[]) {
    this.name = name;
    this.series = new MapSeries(name);
    this.head = h('div', 'pb-bt-head');
    const chartBox = h('div', 'pb-bt-series-chart');
    this.latestBox = h('div', 'pb-bt-series-latest');
    this.element = h('div', 'pb-output pb-bt pb-bt-series', this.head, h('div', 'pb-bt-series-grid', chartBox, this.latestBox));
    this.element.dataset['mapSeries'] = name;
    parent.append(this.element);
    this.chart = new LineChart(chartBox, 'value');
    const select = h('select', 'pb-select');
    select.title = 'How many keys to draw (the largest latest values)';
    for (const n of TOP_CHOICES) {
      const o = h('option', '', `top ${n}`);
      o.value = String(n);
      o.selected = n === this.top;
      select.append(o);
    }
    select.addEventListener('change', () => {
      this.top = Number(select.value);
      this.draw();
    });
    this.tools = h('div', 'pb-tools pb-tools-inline', select, pngButton(this.chart, `${name.replace(/^@/, '') || 'map'}-over-time`));
    for (const o of outputs) this.push(o);
    this.draw();
  }

  /** The ids of the outputs shown here. */
  get outputIds(): string[] {
    return this.outputs.map((o) => o.outputId);
  }

  /** Adds the next print (drawn on the next animation frame, so a burst draws once). */
  add(output: Output): void {
    this.push(output);
    if (!this.frame)
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.draw();
      });
  }

  /** A print changed: rebuild the series from all prints. */
  replace(output: Output): void {
    const i = this.outputs.findIndex((o) => o.outputId === output.outputId);
    if (i === -1) return;
    this.outputs[i] = output;
    this.series = new MapSeries(this.name);
    for (const o of this.outputs) {
      const p = bpftracePayloadOf(o);
      if (p) this.series.add(p);
    }
    this.draw();
  }

  flush(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.draw();
  }

  dispose(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.chart.dispose();
    this.latest?.dispose();
    this.element.remove();
  }

  private push(output: Output): void {
    const item = output.items.find((i) => i.mime === MIME.bpftrace);
    const p = asPayload(item?.data);
    this.outputs.push(output);
    this.series.add(p);
  }

  private draw(): void {
    const s = this.series;
    const latest = s.latest;
    if (!latest) return;
    const span = s.times.length ? s.times[s.times.length - 1]! : 0;
    const partial = s.partialLast();
    const partialNote =
      partial && `the last print covers ${secondsLabel(partial.covered)} of a ${secondsLabel(partial.interval)} interval (bpftrace's print at exit)`;
    const when = h('span', 'pb-bt-when', `${s.prints} prints · ${secondsLabel(span)}${partial ? ' · last one partial (dashed)' : ''}`);
    if (partialNote) when.title = partialNote;
    this.head.replaceChildren(h('span', 'pb-bt-name', this.name), h('span', 'pb-bt-kind', payloadSummary(latest)), when, h('span', 'pb-spacer'), this.tools);
    const keys = s.topKeys(this.top, partial?.index ?? s.times.length);
    this.chart.setData(
      {
        times: s.times,
        series: keys.map((k) => ({ name: k.key.join(', ') || (latest.keyless ? this.name : k.rawKey), values: k.values })),
        ...(partial ? { partialFrom: partial.index, partialNote: partialNote! } : {}),
      },
      metricLabel(s.kind),
    );
    if (this.latest) this.latest.update(latest);
    else this.latest = new PayloadView(this.latestBox, latest, false);
  }
}
