/**
 * A plotly figure made ready to draw: theme colours under the figure's own layout (the figure
 * wins), WebGL traces for big scatter traces, plotly's cloud/link buttons off. Pure, so it runs
 * in the frame and in unit tests alike.
 */
import { plotlyBundleFor } from '../../../core/common/plotly-bundle.ts';

type Obj = Record<string, unknown>;

export interface Figure {
  data: Obj[];
  layout: Obj;
  config: Obj;
}

/** Scatter traces with more points than this switch to `scattergl` (where WebGL works). */
export const WEBGL_POINTS = 10_000;

const THEMES = {
  light: {
    bg: '#ffffff',
    fg: '#1f2328',
    grid: '#e6e8eb',
    line: '#8c959f',
    colorway: ['#2f6fdd', '#e3692b', '#2b9a66', '#c9405a', '#8a5cd1', '#b08a1e', '#2e9bb8', '#d45fb0', '#6b7785', '#5aa02c'],
  },
  dark: {
    bg: '#1e1e1e',
    fg: '#d4d4d4',
    grid: '#333a42',
    line: '#6e7681',
    colorway: ['#5b9cff', '#ff9a5c', '#4cc38a', '#ff6b81', '#b392f0', '#e3c15a', '#56c2e0', '#f08bd0', '#9aa5b1', '#8bd35a'],
  },
} as const;

export type FigureTheme = keyof typeof THEMES;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `base` with `over` on top, recursively for plain objects (arrays and values of `over` win). */
function merge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? merge(out[k] as Obj, v) : v;
  return out;
}

/** Theme colours of the page background for a figure (also the frame's body background). */
export function themeBackground(theme: FigureTheme): string {
  return THEMES[theme].bg;
}

function pointCount(trace: Obj): number {
  const len = (v: unknown): number => (Array.isArray(v) || ArrayBuffer.isView(v) ? (v as ArrayLike<unknown>).length : 0);
  return Math.max(len(trace['x']), len(trace['y']));
}

/**
 * `title: 'text'` as `title: { text: 'text' }`, everywhere in a layout or trace (figure, axes,
 * legend, colour bars, pie). plotly.js 3 dropped the string form, and silently draws no title,
 * but plotly.py, older notebooks and most examples still write it. Data arrays are not walked.
 */
function objectTitles<T>(value: T, depth = 0): T {
  if (depth > 8) return value;
  if (Array.isArray(value)) return (value.length > 0 && isObj(value[0]) ? value.map((v) => objectTitles(v, depth + 1)) : value) as T;
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'title' && (typeof v === 'string' || typeof v === 'number') ? { text: String(v) } : objectTitles(v, depth + 1);
  }
  return out as T;
}

/**
 * The plotly bundle a prepared figure needs: `cartesian` when every trace is one of its types
 * (most lab plots: lines, bars, histograms, heatmaps), else `full` (WebGL, 3D, maps, sankey…).
 */
export function bundleFor(figure: Figure): 'cartesian' | 'full' {
  return plotlyBundleFor(figure.data);
}

/**
 * Prepares a figure `{ data, layout, config }` for drawing.
 * @param gl whether WebGL traces can be drawn here (WebGL context and `eval` for regl both work)
 */
export function prepareFigure(input: unknown, theme: FigureTheme, gl: boolean): { figure: Figure; notes: string[] } {
  if (!isObj(input) || !Array.isArray(input['data'])) throw new Error('not a plotly figure: expected { data: [...], layout?, config? }');
  const t = THEMES[theme];
  const notes: string[] = [];
  let downgraded = 0;
  const data = (input['data'] as unknown[]).filter(isObj).map((input) => {
    const trace = objectTitles(input);
    const type = trace['type'] ?? 'scatter';
    if (type === 'scatter' && pointCount(trace) > WEBGL_POINTS) {
      if (gl) return { ...trace, type: 'scattergl' };
      downgraded++;
    }
    if (type === 'scattergl' && !gl) {
      downgraded++;
      return { ...trace, type: 'scatter' };
    }
    return trace;
  });
  if (downgraded) notes.push(`WebGL is not available here, so ${downgraded} large trace${downgraded > 1 ? 's are' : ' is'} drawn as SVG (slower).`);
  // automargin: tick labels and titles of every axis (a second y axis on the right too) get room.
  const axis = { gridcolor: t.grid, zerolinecolor: t.grid, linecolor: t.line, tickcolor: t.line, automargin: true };
  const userLayout = isObj(input['layout']) ? objectTitles(input['layout'] as Obj) : {};
  const themed: Obj = {
    paper_bgcolor: t.bg,
    plot_bgcolor: t.bg,
    font: { color: t.fg, family: 'system-ui, -apple-system, "Segoe UI", sans-serif', size: 12 },
    colorway: [...t.colorway],
    margin: { l: 56, r: 20, t: userLayout['title'] ? 48 : 20, b: 44 },
    legend: { bgcolor: 'rgba(0,0,0,0)' },
    hoverlabel: { font: { family: 'ui-monospace, monospace' } },
    // A copy each: plotly writes the type it guessed for an axis back into the layout it was
    // given, so one shared object gave the y axis the x axis's type (numbers of a bar chart over
    // named categories were drawn as categories, in the order they came).
    xaxis: { ...axis },
    yaxis: { ...axis },
    autosize: true,
    height: 420,
  };
  // Every axis the figure names (xaxis2, yaxis3, …) gets the theme's axis colours and automargin
  // too, also one only a trace names (`xaxis: 'x2'` under a layout `grid`): without automargin its
  // tick labels were cut off at the figure's edge.
  for (const k of Object.keys(userLayout)) if (/^[xy]axis\d+$/.test(k)) themed[k] = { ...axis };
  for (const trace of data)
    for (const ref of [trace['xaxis'], trace['yaxis']]) {
      const m = typeof ref === 'string' ? /^([xy])(\d+)$/.exec(ref) : null;
      if (m && m[2] !== '1') themed[`${m[1]}axis${m[2]}`] = { ...axis };
    }
  const layout = merge(themed, userLayout);
  const userConfig = isObj(input['config']) ? (input['config'] as Obj) : {};
  const config: Obj = {
    ...userConfig,
    responsive: true,
    displaylogo: false,
    // Nothing may send data or link off the machine.
    showLink: false,
    showSendToCloud: false,
    showEditInChartStudio: false,
    toImageButtonOptions: { format: 'png', scale: 2, ...(isObj(userConfig['toImageButtonOptions']) ? userConfig['toImageButtonOptions'] : {}) },
  };
  return { figure: { data, layout, config }, notes };
}
