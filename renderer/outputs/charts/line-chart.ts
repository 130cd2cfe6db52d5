/**
 * A line chart over time for the built-in live charts (bpftrace maps printed by `interval`):
 * nice axes, one coloured line per series, a legend that hides/shows series, and a hover
 * crosshair listing every value at the nearest time. SVG, so it saves as PNG; long series are
 * reduced to min/max per pixel column.
 */
import { h } from '../dom.ts';
import { onWidth, svg } from './svg.ts';
import { compactNumber, niceTicks, secondsLabel } from './ticks.ts';

export interface LineSeries {
  name: string;
  values: readonly (number | null)[];
}

export interface LineData {
  /** X values in seconds, ascending. */
  times: readonly number[];
  series: readonly LineSeries[];
  /**
   * Index of the first point that covers only part of its interval (bpftrace's print at exit):
   * the line reaches it dashed, its dot is hollow and the tooltip says `partialNote`.
   */
  partialFrom?: number;
  partialNote?: string;
}

const HEIGHT = 220;
const M = { left: 56, right: 14, top: 10, bottom: 26 };
const PALETTE = 10;

export class LineChart {
  readonly element: HTMLElement;
  readonly svg: SVGSVGElement;
  private data: LineData = { times: [], series: [] };
  private readonly hidden = new Set<string>();
  private readonly legend: HTMLElement;
  private readonly tip: HTMLElement;
  private readonly stop: () => void;
  private width = 640;
  private yLabel: string;
  private scale: { x: (t: number) => number; y: (v: number) => number } | null = null;

  constructor(parent: HTMLElement, yLabel: string) {
    this.yLabel = yLabel;
    this.svg = svg('svg', { class: 'pb-chart pb-line-chart', role: 'img', height: HEIGHT });
    this.legend = h('div', 'pb-legend');
    this.tip = h('div', 'pb-tip');
    this.tip.hidden = true;
    this.element = h('figure', 'pb-chart-wrap pb-line-wrap', h('div', 'pb-chart-stage', this.svg, this.tip), this.legend);
    parent.append(this.element);
    this.svg.addEventListener('pointermove', (ev) => this.hover(ev));
    this.svg.addEventListener('pointerleave', () => this.unhover());
    this.stop = onWidth(this.element, (w) => {
      this.width = w;
      this.draw();
    });
  }

  setData(data: LineData, yLabel = this.yLabel): void {
    this.data = data;
    this.yLabel = yLabel;
    this.draw();
  }

  dispose(): void {
    this.stop();
    this.element.remove();
  }

  private visible(): { s: LineSeries; color: number }[] {
    return this.data.series.map((s, i) => ({ s, color: i % PALETTE })).filter((x) => !this.hidden.has(x.s.name));
  }

  /** Where the partial points start (the number of points when none is partial). */
  private partialFrom(): number {
    const p = this.data.partialFrom;
    const n = this.data.times.length;
    return p !== undefined && p >= 1 && p < n ? p : n;
  }

  private draw(): void {
    const { times } = this.data;
    const width = Math.max(200, this.width);
    const plotW = width - M.left - M.right;
    const plotH = HEIGHT - M.top - M.bottom;
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
    const shown = this.visible();
    let lo = 0;
    let hi = 0;
    for (const { s } of shown) for (const v of s.values) if (v !== null) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const yTicks = niceTicks(lo, hi, 4);
    const y0 = yTicks[0] ?? 0;
    const y1 = yTicks[yTicks.length - 1] ?? 1;
    // Time starts at the run start (0 s) when the series is measured from it.
    const t0 = Math.min(0, times[0] ?? 0);
    const t1 = times.length > 1 ? times[times.length - 1]! : t0 + 1;
    const x = (t: number): number => M.left + ((t - t0) / (t1 - t0 || 1)) * plotW;
    const y = (v: number): number => M.top + plotH - ((v - y0) / (y1 - y0 || 1)) * plotH;
    this.scale = { x, y };
    const parts: SVGElement[] = [];
    for (const v of yTicks) {
      parts.push(svg('line', { class: 'pb-grid', x1: M.left, x2: M.left + plotW, y1: y(v), y2: y(v) }));
      parts.push(svg('text', { class: 'pb-chart-tick', x: M.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, compactNumber(v)));
    }
    for (const t of niceTicks(t0, t1, Math.max(2, Math.floor(plotW / 90))).filter((t) => t >= t0 && t <= t1)) {
      parts.push(svg('line', { class: 'pb-axis-tick', x1: x(t), x2: x(t), y1: M.top + plotH, y2: M.top + plotH + 4 }));
      parts.push(svg('text', { class: 'pb-chart-tick', x: x(t), y: HEIGHT - 8, 'text-anchor': 'middle' }, secondsLabel(t)));
    }
    parts.push(svg('line', { class: 'pb-axis', x1: M.left, x2: M.left + plotW, y1: M.top + plotH, y2: M.top + plotH }));
    parts.push(
      svg(
        'text',
        { class: 'pb-chart-axis-title', x: 12, y: M.top + plotH / 2, transform: `rotate(-90 12 ${M.top + plotH / 2})`, 'text-anchor': 'middle' },
        this.yLabel,
      ),
    );
    const dots = times.length <= 60;
    const cut = this.partialFrom();
    for (const { s, color } of shown) {
      const d = pathOf(times.slice(0, cut), s.values.slice(0, cut), x, y, plotW);
      parts.push(svg('path', { class: `pb-series pb-series-${color}`, d, fill: 'none' }));
      if (cut < times.length) {
        const tail = pathOf(times.slice(cut - 1), s.values.slice(cut - 1), x, y, plotW);
        parts.push(svg('path', { class: `pb-series pb-series-${color} pb-series-partial`, d: tail, fill: 'none' }));
      }
      if (dots) {
        s.values.forEach((v, i) => {
          if (v !== null)
            parts.push(svg('circle', { class: `pb-dot pb-series-${color}${i >= cut ? ' pb-dot-partial' : ''}`, cx: x(times[i]!), cy: y(v), r: 2.5 }));
        });
      }
    }
    parts.push(svg('line', { class: 'pb-crosshair', x1: 0, x2: 0, y1: M.top, y2: M.top + plotH, visibility: 'hidden' }));
    this.svg.replaceChildren(...parts);
    this.svg.setAttribute('aria-label', `Line chart of ${this.data.series.length} series over ${secondsLabel(t1 - t0)}`);
    this.drawLegend();
  }

  private drawLegend(): void {
    const items = this.data.series.map((s, i) => {
      const b = h('button', `pb-legend-item${this.hidden.has(s.name) ? ' pb-off' : ''}`, h('span', `pb-swatch pb-series-${i % PALETTE}`), s.name || '(no key)');
      b.type = 'button';
      b.title = this.hidden.has(s.name) ? 'Show this series' : 'Hide this series';
      b.addEventListener('click', () => {
        if (this.hidden.has(s.name)) this.hidden.delete(s.name);
        else this.hidden.add(s.name);
        this.draw();
      });
      return b;
    });
    this.legend.replaceChildren(...items);
  }

  private hover(ev: PointerEvent): void {
    const { times } = this.data;
    if (!times.length || !this.scale) return;
    const rect = this.svg.getBoundingClientRect();
    const px = ev.clientX - rect.left;
    let best = 0;
    for (let i = 1; i < times.length; i++) if (Math.abs(this.scale.x(times[i]!) - px) < Math.abs(this.scale.x(times[best]!) - px)) best = i;
    const cx = this.scale.x(times[best]!);
    const line = this.svg.querySelector('.pb-crosshair');
    line?.setAttribute('x1', String(cx));
    line?.setAttribute('x2', String(cx));
    line?.setAttribute('visibility', 'visible');
    const rows = this.visible()
      .map(({ s, color }) => ({ name: s.name, v: s.values[best] ?? null, color }))
      .sort((a, b) => (b.v ?? -Infinity) - (a.v ?? -Infinity))
      .map((r) =>
        h(
          'div',
          'pb-tip-row',
          h('span', `pb-swatch pb-series-${r.color}`),
          h('span', 'pb-tip-name', r.name || '(no key)'),
          h('span', 'pb-tip-value', r.v === null ? '—' : r.v.toLocaleString('en-US', { maximumFractionDigits: 3 })),
        ),
      );
    const head = h('div', 'pb-tip-head', `+${secondsLabel(times[best]!)}`);
    const partial = best >= this.partialFrom() ? [h('div', 'pb-tip-note', this.data.partialNote ?? 'part of an interval')] : [];
    this.tip.replaceChildren(head, ...partial, ...rows);
    this.tip.hidden = false;
    const left = cx + 12 + 180 > rect.width ? cx - 12 - 180 : cx + 12;
    this.tip.style.left = `${Math.max(0, left)}px`;
  }

  private unhover(): void {
    this.tip.hidden = true;
    this.svg.querySelector('.pb-crosshair')?.setAttribute('visibility', 'hidden');
  }
}

/** An SVG path through the points, broken at gaps, reduced to min/max per pixel when dense. */
function pathOf(times: readonly number[], values: readonly (number | null)[], x: (t: number) => number, y: (v: number) => number, plotW: number): string {
  const out: string[] = [];
  let pen = false;
  const dense = values.length > plotW * 2;
  let col = -1;
  let cMin = 0;
  let cMax = 0;
  const flush = (): void => {
    if (col < 0) return;
    out.push(`${pen ? 'L' : 'M'}${col},${y(cMax).toFixed(1)}L${col},${y(cMin).toFixed(1)}`);
    pen = true;
  };
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      flush();
      col = -1;
      pen = false;
      continue;
    }
    const px = x(times[i]!);
    if (!dense) {
      out.push(`${pen ? 'L' : 'M'}${px.toFixed(1)},${y(v).toFixed(1)}`);
      pen = true;
      continue;
    }
    const c = Math.round(px);
    if (c !== col) {
      flush();
      col = c;
      cMin = cMax = v;
    } else [cMin, cMax] = [Math.min(cMin, v), Math.max(cMax, v)];
  }
  if (dense) flush();
  return out.join('') || 'M0,0';
}
