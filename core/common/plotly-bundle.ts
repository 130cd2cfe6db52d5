/**
 * Which plotly.js bundle draws a figure: the cartesian one (plotly.js-cartesian-dist-min, a third
 * of the full one) when every trace is one of its types, else the full one. The output frame loads
 * that bundle; an exported report inlines it.
 */

/** Trace types of plotly's cartesian bundle. */
const CARTESIAN_TRACES = new Set([
  'bar',
  'box',
  'contour',
  'heatmap',
  'histogram',
  'histogram2d',
  'histogram2dcontour',
  'image',
  'pie',
  'scatter',
  'scatterternary',
  'violin',
]);

/** `cartesian` when every trace's type (default `scatter`) is in the cartesian bundle, else `full`. */
export function plotlyBundleFor(traces: readonly unknown[]): 'cartesian' | 'full' {
  return traces.every((trace) => {
    const type = trace && typeof trace === 'object' ? (trace as Record<string, unknown>)['type'] : undefined;
    return CARTESIAN_TRACES.has(String(type ?? 'scatter'));
  })
    ? 'cartesian'
    : 'full';
}
