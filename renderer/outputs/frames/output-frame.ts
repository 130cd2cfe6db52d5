/**
 * Runs inside a sandboxed output frame (opaque origin). Draws what the page sends: a plotly
 * figure (with `window.Plotly` from plotly.min.js, loaded by plot-frame.html) or already
 * sanitised HTML; reports its height; answers PNG/SVG export requests with a data URL. Talks only
 * to `window.parent`, and only in the shapes of frame-protocol.ts.
 */
import { parseToFrame, type FromFrame, type FrameTheme } from './frame-protocol.ts';
import { prepareFigure, themeBackground } from './figure.ts';

interface PlotlyApi {
  react(el: HTMLElement, data: unknown[], layout: unknown, config: unknown): Promise<unknown>;
  relayout(el: HTMLElement, update: unknown): Promise<unknown>;
  toImage(el: HTMLElement, opts: { format: 'png' | 'svg'; scale?: number; width?: number; height?: number }): Promise<string>;
  Plots: { resize(el: HTMLElement): void };
}

const Plotly = (window as unknown as { Plotly?: PlotlyApi }).Plotly;
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
  if (!Plotly) throw new Error('plotly.js did not load in the output frame (plotly.min.js missing beside plot-frame.html).');
  lastFigure = figure;
  const { figure: f, notes } = prepareFigure(figure, theme, gl);
  let note = root.querySelector<HTMLElement>('.note');
  let plot = root.querySelector<HTMLElement>('.plot');
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
  await Plotly.react(plot, f.data, f.layout, f.config);
  drawn = true;
  send({ type: 'pb-rendered', note: notes.join(' ') });
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
