/**
 * A bpftrace histogram as a horizontal bar chart, laid out like bpftrace's own text output
 * (bucket label, count, bar), labelled exactly as bpftrace labels buckets. SVG, so it saves as PNG.
 */
import type { HistBucket } from '../../../core/common/parsers/bpftrace/types.ts';
import { bucketLabels, countOf } from '../bpftrace/hist-labels.ts';
import { h } from '../dom.ts';
import { onWidth, svg } from './svg.ts';

const ROW = 18;
const CHAR = 7.3;

export class HistChart {
  readonly element: HTMLElement;
  readonly svg: SVGSVGElement;
  private buckets: readonly HistBucket[];
  private readonly stop: () => void;
  private width = 640;

  constructor(parent: HTMLElement, buckets: readonly HistBucket[], caption?: string) {
    this.buckets = buckets;
    this.svg = svg('svg', { class: 'pb-chart pb-hist', role: 'img' });
    this.element = h('figure', 'pb-chart-wrap', caption ? h('figcaption', 'pb-chart-caption', caption) : null, this.svg);
    parent.append(this.element);
    this.stop = onWidth(this.element, (w) => {
      this.width = w;
      this.draw();
    });
  }

  update(buckets: readonly HistBucket[]): void {
    this.buckets = buckets;
    this.draw();
  }

  dispose(): void {
    this.stop();
    this.element.remove();
  }

  private draw(): void {
    const b = this.buckets;
    const labels = bucketLabels(b);
    const counts = b.map(countOf);
    const total = counts.reduce((s, c) => s + c, 0);
    const max = Math.max(1, ...counts);
    const labelW = Math.ceil(Math.max(4, ...labels.map((l) => l.length)) * CHAR) + 8;
    const countW = Math.ceil(Math.max(3, ...b.map((x) => String(x.count).length)) * CHAR) + 12;
    const barX = labelW + countW + 8;
    const barMax = Math.max(40, Math.min(this.width, 900) - barX - 8);
    const height = Math.max(1, b.length) * ROW + 4;
    const width = barX + barMax + 8;
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.svg.setAttribute('aria-label', `Histogram with ${b.length} buckets, ${total} values`);
    const rows = b.map((bucket, i) => {
      const y = i * ROW + 2;
      const w = counts[i]! > 0 ? Math.max(1, (counts[i]! / max) * barMax) : 0;
      const pct = total ? ((counts[i]! / total) * 100).toFixed(1) : '0.0';
      return svg(
        'g',
        { class: 'pb-hist-row' },
        svg('title', {}, `${labels[i]}: ${bucket.count} (${pct}%)`),
        svg('rect', { class: 'pb-hist-hit', x: 0, y, width, height: ROW }),
        svg('text', { class: 'pb-chart-label', x: labelW - 4, y: y + ROW - 5, 'text-anchor': 'end' }, labels[i]!),
        svg('text', { class: 'pb-chart-value', x: labelW + countW, y: y + ROW - 5, 'text-anchor': 'end' }, String(bucket.count)),
        svg('rect', { class: 'pb-hist-track', x: barX, y: y + 3, width: barMax, height: ROW - 6, rx: 2 }),
        svg('rect', { class: 'pb-hist-bar', x: barX, y: y + 3, width: w, height: ROW - 6, rx: 2 }),
      );
    });
    this.svg.replaceChildren(...rows);
    if (!b.length) this.svg.append(svg('text', { class: 'pb-chart-label', x: 4, y: 14 }, 'No values (every bucket is empty).'));
  }
}
