/**
 * Probebook's output renderers: the public API the notebook page uses.
 *
 * - {@link createOutputArea}: all outputs of a cell, driven by protocol `OutputEdit`s (the usual entry point).
 * - {@link renderOutput}: one output into an element, as an {@link OutputView}.
 * - {@link defaultRegistry}: every built-in renderer; register more with `defaultRegistry.register(…)`.
 * - {@link configureOutputs}: where the sandboxed frame documents are served.
 * - {@link groupMapPrints} / {@link aggregateMapPrints}: bpftrace interval prints as time series.
 *
 * Include `renderer/outputs/outputs.css` in the page, and serve the files of
 * `dist/renderer/outputs/` (plot-frame.html, html-frame.html, output-frame.js/.css, plotly.min.js, plotly-cartesian.min.js)
 * beside the page; see docs/outputs.md.
 */
import { bpftraceRenderer } from './bpftrace/bpftrace-renderer.ts';
import { errorRenderer } from './error-renderer.ts';
import { eventStreamRenderer } from './events/event-stream-renderer.ts';
import { htmlFrameRenderer, htmlRenderer } from './html/html-renderers.ts';
import { imageRenderer } from './image-renderers.ts';
import { jsonRenderer } from './json-renderer.ts';
import { journeysRenderer } from './journeys/journeys-renderer.ts';
import { markdownRenderer } from './markdown-renderer.ts';
import { bpfProgramRenderer } from './packets/bpf-program-renderer.ts';
import { packetsRenderer } from './packets/packets-renderer.ts';
import { setOutputDefaults } from './output-view.ts';
import { plotlyRenderer } from './plotly-renderer.ts';
import { RendererRegistry, type OutputAssets } from './registry.ts';
import { rulesRenderer } from './rules/rules-renderer.ts';
import { tableRenderer } from './table/table-renderer.ts';
import { streamRenderers } from './text/stream-renderers.ts';

export { RendererRegistry } from './registry.ts';
export type { ItemView, OutputAssets, OutputRenderer, RenderContext, Selection, Theme } from './registry.ts';
export { OutputView, renderOutput, type RenderOptions } from './output-view.ts';
export { OutputArea, createOutputArea, type OutputAreaOptions } from './output-area.ts';
export { REVEAL_LINE_EVENT, type RevealLineDetail } from './error-renderer.ts';
export { aggregateMapPrints, bpftracePayloadOf, groupMapPrints, MapSeries, type OutputGroup } from './bpftrace/map-series.ts';
export { MapSeriesView } from './bpftrace/series-view.ts';
export { TextView } from './text/text-view.ts';

/** Every built-in renderer, in one registry. */
export const defaultRegistry = new RendererRegistry();
for (const r of [
  ...streamRenderers,
  eventStreamRenderer,
  errorRenderer,
  bpftraceRenderer,
  packetsRenderer,
  bpfProgramRenderer,
  journeysRenderer,
  rulesRenderer,
  plotlyRenderer,
  tableRenderer,
  imageRenderer,
  htmlRenderer,
  htmlFrameRenderer,
  markdownRenderer,
  jsonRenderer,
]) {
  defaultRegistry.register(r);
}

let assets: OutputAssets | null = null;

/**
 * Sets where the frame documents are served (default: `outputs/` beside the page).
 * @example configureOutputs({ frameBase: new URL('/static/outputs/', location.href).href })
 */
export function configureOutputs(options: Partial<OutputAssets>): void {
  if (options.frameBase) assets = { frameBase: new URL(options.frameBase, document.baseURI).href };
}

/** Where the frame documents are served, as configured. */
export function outputAssets(): OutputAssets {
  return assets ?? { frameBase: new URL('outputs/', document.baseURI).href };
}

setOutputDefaults({ registry: defaultRegistry, assets: outputAssets });
