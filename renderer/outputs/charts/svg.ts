/**
 * Building and exporting the built-in SVG charts. Charts are drawn from data with DOM calls
 * (never from markup), coloured by CSS classes so they follow the theme; PNG export inlines the
 * computed colours and fonts, then rasterises through an <img> and a canvas.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** `svg('rect', { x: 1 }, child…)`: an SVG element with attributes and children. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

const INLINED = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'visibility',
] as const;

/** A standalone copy of a chart: computed styles written as attributes, a background rect first. */
function standaloneSvg(chart: SVGSVGElement, background: string): string {
  const copy = chart.cloneNode(true) as SVGSVGElement;
  const src = [chart, ...chart.querySelectorAll('*')];
  const dst = [copy, ...copy.querySelectorAll('*')];
  src.forEach((el, i) => {
    const cs = getComputedStyle(el);
    const target = dst[i]!;
    for (const p of INLINED) {
      const v = cs.getPropertyValue(p);
      if (v) target.setAttribute(p, v);
    }
    target.removeAttribute('class');
  });
  const { width, height } = chart.getBoundingClientRect();
  copy.setAttribute('xmlns', SVG_NS);
  copy.setAttribute('width', String(Math.ceil(width)));
  copy.setAttribute('height', String(Math.ceil(height)));
  const bg = document.createElementNS(SVG_NS, 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', background);
  copy.insertBefore(bg, copy.firstChild);
  return new XMLSerializer().serializeToString(copy);
}

/** Rasterises a chart to PNG at `scale` × its on-screen size. */
export async function chartToPng(chart: SVGSVGElement, scale = 2): Promise<Blob> {
  const host = chart.closest('.pb-outputs') ?? chart.parentElement ?? chart;
  const background = getComputedStyle(host).getPropertyValue('--pb-out-bg').trim() || '#ffffff';
  const text = standaloneSvg(chart, background);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const { width, height } = chart.getBoundingClientRect();
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.ceil(width * scale));
    canvas.height = Math.max(1, Math.ceil(height * scale));
    const g = canvas.getContext('2d');
    if (!g) throw new Error('This browser cannot draw on a canvas, so the chart cannot be saved as PNG.');
    g.scale(scale, scale);
    g.drawImage(img, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The chart could not be encoded as PNG.'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Calls `draw(width)` now and whenever the element's width changes; returns a stop function. */
export function onWidth(element: HTMLElement, draw: (width: number) => void): () => void {
  let last = -1;
  const run = (): void => {
    const w = Math.floor(element.clientWidth) || 640;
    if (w === last) return;
    last = w;
    draw(w);
  };
  run();
  if (typeof ResizeObserver === 'undefined') return () => {};
  const ro = new ResizeObserver(() => run());
  ro.observe(element);
  return () => ro.disconnect();
}
