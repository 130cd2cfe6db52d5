/**
 * The output renderer registry (after JupyterLab's rendermime): renderers declare the MIME types
 * they draw, a `rank` (lower is preferred) and a `safe` flag. An untrusted notebook's outputs may
 * use only safe renderers. {@link RendererRegistry.select} picks the best (item, renderer) pair
 * of an output.
 */
import type { Output, OutputItem } from '../../core/common/notebook/model.ts';
import type { OutputServices } from './services.ts';

export type Theme = 'light' | 'dark';

/** Where the sandboxed frame documents (plots, untrusted HTML) are served. */
export interface OutputAssets {
  /** Absolute URL of the folder holding `plot-frame.html`, `html-frame.html` and their scripts. */
  frameBase: string;
}

/** What a renderer gets besides the item and its element. */
export interface RenderContext {
  /** Aborted when the output is replaced or removed: stop timers, fetches, frame listeners. */
  signal: AbortSignal;
  /** Whether the notebook is trusted (outputs produced on this machine, or trusted by the user). */
  trusted: boolean;
  theme: Theme;
  /** The whole output, e.g. to read its `metadata`, `time` or other items. */
  output: Output;
  assets: OutputAssets;
  /** What the page around may do for a renderer (absent in an export or the harness). */
  services: OutputServices;
}

/**
 * A live rendering of one item. Optional methods let the view update in place; without them the
 * output is rendered again.
 */
export interface ItemView {
  /** Adds stream text (only for stream items). */
  append?(text: string): void;
  /** Shows a new version of the item; return false to ask for a fresh render instead. */
  update?(item: OutputItem, ctx: RenderContext): boolean;
  setTheme?(theme: Theme): void;
  /** Draws pending appends now (tests, printing); normally they are drawn once per animation frame. */
  flush?(): void;
  /** Error location of an error output, for the page to mark the editor line. */
  errorLocation?: { line: number; column?: number; endLine?: number; endColumn?: number } | null;
  dispose?(): void;
}

/**
 * A renderer of one MIME family.
 *
 * @example
 * registry.register({
 *   id: 'plain', mimeTypes: ['text/plain'], rank: 90, safe: true,
 *   render(item, el) { el.textContent = String(item.data); },
 * });
 */
export interface OutputRenderer {
  id: string;
  mimeTypes: readonly string[];
  /** Lower is preferred when an output has several items (JupyterLab's convention). */
  rank: number;
  /** May render data from untrusted notebooks (no script, no unsanitised HTML in the page). */
  safe: boolean;
  // biome-ignore lint/suspicious/noConfusingVoidType: a renderer that draws once returns nothing at all
  render(item: OutputItem, element: HTMLElement, ctx: RenderContext): ItemView | void | Promise<ItemView | void>;
  dispose?(element: HTMLElement): void;
}

export type Selection = { renderer: OutputRenderer; item: OutputItem } | { renderer: null; reason: string };

export class RendererRegistry {
  private readonly renderers = new Map<string, OutputRenderer>();

  /** Adds a renderer (replacing one with the same id). Returns a function that removes it. */
  register(renderer: OutputRenderer): () => void {
    this.renderers.set(renderer.id, renderer);
    return () => {
      if (this.renderers.get(renderer.id) === renderer) this.renderers.delete(renderer.id);
    };
  }

  list(): OutputRenderer[] {
    return [...this.renderers.values()];
  }

  /** The preferred renderer for a MIME type, or undefined. */
  rendererFor(mime: string, trusted: boolean): OutputRenderer | undefined {
    let best: OutputRenderer | undefined;
    for (const r of this.renderers.values()) {
      if (!r.mimeTypes.includes(mime) || (!trusted && !r.safe)) continue;
      if (!best || r.rank < best.rank) best = r;
    }
    return best;
  }

  /** The best (item, renderer) of an output; ties go to the item that comes first in the bundle. */
  select(output: Output, trusted: boolean): Selection {
    let pick: { renderer: OutputRenderer; item: OutputItem } | null = null;
    for (const item of output.items) {
      const r = this.rendererFor(item.mime, trusted);
      if (r && (!pick || r.rank < pick.renderer.rank)) pick = { renderer: r, item };
    }
    if (pick) return pick;
    const mimes = output.items.map((i) => i.mime).join(', ') || 'no data';
    const blocked = output.items.some((i) => this.rendererFor(i.mime, true));
    return {
      renderer: null,
      reason: blocked
        ? `This output (${mimes}) is shown only in trusted notebooks. Trust the notebook to show it.`
        : `Probebook cannot show this output (${mimes}).`,
    };
  }
}
