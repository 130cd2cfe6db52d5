/**
 * Runs inside a sandboxed output frame (opaque origin). Draws what the page sends: a plotly
 * figure or already sanitised HTML; reports its height; answers PNG/SVG export requests with a
 * data URL. Talks only to `window.parent`, and only in the shapes of frame-protocol.ts.
 *
 * plotly.js is loaded when the first figure arrives, as the smallest bundle that draws it: the
 * cartesian one (1.5 MB) for lines, bars, histograms and heatmaps, the full one (4.8 MB) for the
 * rest. Each frame parses its own copy (frames share no code), so this is most of a plot's cost.
 */
import { parseToFrame, type FromFrame, type FrameTheme } from './frame-protocol.ts';
import { bundleFor, prepareFigure, themeBackground } from './figure.ts';

interface PlotlyApi {
  react(el: HTMLElement, data: unknown[], layout: unknown, config: unknown): Promise<unknown>;
  relayout(el: HTMLElement, update: unknown): Promise<unknown>;
  /** Of a drawn element, or of a figure `{ data, layout, config }` (drawn off the page). */
  toImage(
    el: HTMLElement | { data: unknown[]; layout: unknown; config: unknown },
    opts: { format: 'png' | 'svg'; scale?: number; width?: number; height?: number },
  ): Promise<string>;
  Plots: { resize(el: HTMLElement): void };
  purge(el: HTMLElement): void;
}

const BUNDLE_FILES = { cartesian: 'plotly-cartesian.min.js', full: 'plotly.min.js' } as const;
let Plotly: PlotlyApi | undefined;
let loaded: 'cartesian' | 'full' | undefined;
let loading: Promise<PlotlyApi> | undefined;

/** plotly.js with what `bundle` draws: loaded once; the full bundle replaces the cartesian one when a figure needs it. */
function plotly(bundle: 'cartesian' | 'full'): Promise<PlotlyApi> {
  if (Plotly && (loaded === 'full' || loaded === bundle)) return Promise.resolve(Plotly);
  if (loading) return loading.then(() => plotly(bundle));
  loading = new Promise<PlotlyApi>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = BUNDLE_FILES[bundle];
    script.onload = () => {
      const api = (window as unknown as { Plotly?: PlotlyApi }).Plotly;
      if (!api) return reject(new Error(`plotly.js did not load in the output frame (${script.src} defines no Plotly).`));
      Plotly = api;
      loaded = bundle;
      resolve(api);
    };
    script.onerror = () => reject(new Error(`plotly.js did not load in the output frame (${BUNDLE_FILES[bundle]} missing beside plot-frame.html).`));
    document.head.append(script);
  }).finally(() => (loading = undefined));
  return loading;
}
const root = document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));
let lastFigure: unknown = null;
let theme: FrameTheme = 'light';
let drawn = false;

function send(msg: FromFrame): void {
  window.parent.postMessage(msg, '*');
}

function canUseWebGl(): boolean {
  try {
    // regl (plotly's WebGL layer) compiles its shaders' glue with Function(); a CSP without 'unsafe-eval' stops it.
    new Function('return 0')();
  } catch {
    return false;
  }
  try {
    const c = document.createElement('canvas');
    return !!(c.getContext('webgl') ?? c.getContext('experimental-webgl'));
  } catch {
    return false;
  }
}

const gl = canUseWebGl();

function applyTheme(t: FrameTheme): void {
  theme = t;
  document.documentElement.dataset['theme'] = t;
  document.body.style.background = themeBackground(t);
}

async function drawPlot(figure: unknown): Promise<void> {
  lastFigure = figure;
  const { figure: f, notes } = prepareFigure(figure, theme, gl);
  const before = Plotly;
  const api = await plotly(bundleFor(f));
  let note = root.querySelector<HTMLElement>('.note');
  let plot = root.querySelector<HTMLElement>('.plot');
  if (plot && before && before !== api) {
    // Drawn by the cartesian bundle, now redrawn by the full one: start from a clean element.
    before.purge(plot);
    plot.remove();
    plot = null;
  }
  if (!plot) {
    plot = document.createElement('div');
    plot.className = 'plot';
    root.append(plot);
  }
  if (notes.length) {
    if (!note) {
      note = document.createElement('div');
      note.className = 'note';
      root.prepend(note);
    }
    note.textContent = notes.join(' ');
  } else note?.remove();
  await api.react(plot, f.data, f.layout, f.config);
  drawn = true;
  send({ type: 'pb-rendered', note: notes.join(' ') });
}

/**
 * A figure's PNG fallback, as the report page draws it (docs/export.md): light theme, SVG traces,
 * `width` CSS pixels across and its layout's height, one pixel per CSS pixel. Drawn off the page
 * by plotly itself (`toImage` of the figure), so it does not disturb what this frame shows.
 */
async function drawFallback(requestId: number, figure: unknown, width: number): Promise<void> {
  try {
    const { figure: f } = prepareFigure(figure, 'light', false);
    const api = await plotly(bundleFor(f));
    const height = typeof f.layout['height'] === 'number' ? f.layout['height'] : 420;
    const config = { ...f.config, responsive: false, displayModeBar: false };
    const png = await api.toImage(
      { data: f.data, layout: { ...f.layout, autosize: false, width, height }, config },
      { format: 'png', width, height, scale: 1 },
    );
    send({ type: 'pb-fallback', requestId, png, width, height });
  } catch (err) {
    send({ type: 'pb-fallback', requestId, error: err instanceof Error ? err.message : String(err) });
  }
}

/** Base look of HTML outputs, inside their shadow root (the frame's stylesheet does not reach in). */
const HTML_CSS = `
:host { display: block; padding: 4px 2px; overflow-x: auto; }
table { border-collapse: collapse; }
th, td { border: 1px solid rgba(128, 128, 128, 0.35); padding: 2px 8px; text-align: left; }
img { max-width: 100%; }
a { color: var(--pb-frame-link, LinkText); }
`;

function drawHtml(html: string): void {
  // The page sanitised this with DOMPurify; the frame's opaque origin and CSP are the second wall.
  // In a shadow root, its ids and names do not become properties of window (DOM clobbering),
  // while its own <style> still styles them (pandas' Styler writes rules for its cell ids).
  const shadow = root.shadowRoot ?? root.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = HTML_CSS;
  shadow.innerHTML = html;
  shadow.prepend(style);
  drawn = true;
  send({ type: 'pb-rendered', note: '' });
}

function reportSize(): void {
  send({ type: 'pb-size', height: Math.ceil(document.documentElement.scrollHeight) });
}

window.addEventListener('message', (ev) => {
  if (ev.source !== window.parent) return;
  const msg = parseToFrame(ev.data);
  if (!msg) return;
  const run = async (): Promise<void> => {
    if (msg.type === 'pb-render') {
      applyTheme(msg.theme);
      if (msg.kind === 'plotly') await drawPlot(msg.figure);
      else drawHtml(msg.html);
    } else if (msg.type === 'pb-theme') {
      applyTheme(msg.theme);
      if (lastFigure && drawn) await drawPlot(lastFigure);
    } else if (msg.type === 'pb-export') {
      const plot = root.querySelector<HTMLElement>('.plot');
      if (!Plotly || !plot) throw new Error('There is no chart to export yet.');
      const dataUrl = await Plotly.toImage(plot, { format: msg.format, scale: msg.format === 'png' ? 2 : 1 });
      send({ type: 'pb-image', requestId: msg.requestId, dataUrl });
    } else if (msg.type === 'pb-fallback') {
      await drawFallback(msg.requestId, msg.figure, msg.width);
      return;
    }
    reportSize();
  };
  run().catch((err: unknown) => send({ type: 'pb-error', message: err instanceof Error ? err.message : String(err) }));
});

new ResizeObserver(reportSize).observe(document.documentElement);
// Plotly sizes to the frame's width; the frame is as wide as the output area.
window.addEventListener('resize', () => {
  const plot = root.querySelector<HTMLElement>('.plot');
  if (plot && Plotly && drawn) Plotly.Plots.resize(plot);
});
send({ type: 'pb-ready' });
