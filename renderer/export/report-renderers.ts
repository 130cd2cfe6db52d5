/**
 * The two renderers an exported report draws differently from the app, registered over the app's
 * (same ids): a report is one file with no frames to load.
 * - plotly figures are drawn in the report's own document by the plotly.js inlined in it (no
 *   sandboxed frame document to load). The report's CSP (report-html.ts) lets only its own
 *   scripts run and nothing load, so a figure's labels cannot run or fetch anything; without
 *   `'unsafe-eval'` WebGL traces are drawn as SVG, which is what a printed report wants anyway.
 * - HTML outputs of an untrusted notebook, which the app shows sanitised in a sandboxed frame,
 *   are sanitised as tightly as markdown of an untrusted notebook (no `<style>`, no inline
 *   styles, no ids that define globals) and drawn in a shadow root: no script ever runs, as in the app.
 */
import { MIME } from '../../core/common/mime.ts';
import type { Json } from '../../core/common/notebook/model.ts';
import { h } from '../outputs/dom.ts';
import { prepareFigure } from '../outputs/frames/figure.ts';
import { sanitizeForPage } from '../outputs/html/sanitize.ts';
import { inPlaceRenderer } from '../outputs/in-place-renderer.ts';
import type { OutputRenderer } from '../outputs/registry.ts';

interface PlotlyApi {
  react(el: HTMLElement, data: unknown[], layout: unknown, config: unknown): Promise<unknown>;
  toImage(el: HTMLElement, opts: { format: 'png'; scale?: number; width?: number; height?: number }): Promise<string>;
}

function plotly(): PlotlyApi | undefined {
  return (window as unknown as { Plotly?: PlotlyApi }).Plotly;
}

/** Figures drawn so far, in document order, for images (PNG fallbacks, Markdown export). */
const drawnFigures = new Set<HTMLElement>();

/** Every figure element the report has drawn. */
export function reportFigures(): HTMLElement[] {
  return [...drawnFigures].filter((el) => el.isConnected);
}

/** A drawn figure as a PNG data URL, at its size in the report, `scale` pixels per CSS pixel. */
export function figurePng(el: HTMLElement, scale: number): Promise<string> {
  const api = plotly();
  if (!api) return Promise.reject(new Error('plotly.js is not in this report'));
  return api.toImage(el, { format: 'png', scale, width: el.clientWidth || 800, height: el.clientHeight || 420 });
}

const reportPlotly = inPlaceRenderer({ id: 'plotly', mimeTypes: [MIME.plotly], rank: 12, safe: true }, (element, item, ctx) => {
  const note = h('div', 'pb-frame-status');
  note.hidden = true;
  const plot = h('div', 'pb-report-plot');
  const wrap = h('div', 'pb-plot', note, plot);
  element.append(wrap);
  const draw = (data: Json): void => {
    const api = plotly();
    try {
      if (!api) throw new Error('plotly.js is not in this report');
      const { figure, notes } = prepareFigure(data, ctx.theme, false);
      note.textContent = notes.join(' ');
      note.hidden = !notes.length;
      // No interaction chrome in a report: static on paper, hover still works on screen.
      const config = { ...figure.config, responsive: true, displayModeBar: false };
      void api.react(plot, figure.data, figure.layout, config).then(
        () => {
          drawnFigures.add(plot);
          plot.dataset['pbDrawn'] = 'true';
        },
        (err: unknown) => fail(err),
      );
    } catch (err) {
      fail(err);
    }
  };
  const fail = (err: unknown): void => {
    note.hidden = false;
    note.textContent = `The plot could not be drawn: ${err instanceof Error ? err.message : String(err)}`;
    note.classList.add('pb-frame-error');
    plot.dataset['pbDrawn'] = 'error';
  };
  draw(item.data);
  return { show: (next) => draw(next.data), dispose: () => wrap.remove() };
});

function htmlText(data: Json): string {
  return typeof data === 'string' ? data : Array.isArray(data) ? data.join('') : String(data ?? '');
}

const reportUntrustedHtml = inPlaceRenderer({ id: 'html-frame', mimeTypes: [MIME.html], rank: 32, safe: true }, (element, item) => {
  const host = h('div', 'pb-html');
  element.append(host);
  const root = host.attachShadow({ mode: 'open' });
  const draw = (data: Json): void => root.replaceChildren(sanitizeForPage(htmlText(data), false));
  draw(item.data);
  return { show: (next) => draw(next.data), dispose: () => host.remove() };
});

export const REPORT_RENDERERS: readonly OutputRenderer[] = [reportPlotly, reportUntrustedHtml];
