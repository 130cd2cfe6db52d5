/**
 * The cell views of one notebook, in the document's order. A long notebook paints its first
 * screens, then makes the rest in slices after the first paint; cells draw their outputs and
 * highlighting when they come near the viewport; at most a few Monaco editors exist at a time.
 */
import { h } from '../outputs/dom.ts';
import { type CellHost, CellView } from './cell-view.ts';
import { whenHighlighterReady } from './editor/monaco-loader.ts';
import { firstSlice } from './first-slice.ts';

/** Editors kept alive; older ones go back to static text. */
const MAX_EDITORS = 8;
/** Cells made per slice after the first paint. */
const SLICE = 120;

export class CellList {
  readonly element = h('div', 'pb-cells');
  private readonly views = new Map<string, CellView>();
  private readonly observer: IntersectionObserver;
  private readonly resizeObserver: ResizeObserver;
  /** Cells made so far; a long notebook paints its first screens, then makes the rest in slices (after the first paint). */
  private renderLimit: number;
  private sliceTimer: ReturnType<typeof setTimeout> | null = null;
  /** Outputs and markdown are drawn from the first frame after the cells painted (see startRevealing). */
  private revealing = false;
  private building = false;
  private readonly unobserved: Element[] = [];

  /** `synced`: the views were made, removed or reordered to match the document. */
  constructor(
    private readonly host: CellHost,
    private readonly synced: () => void,
  ) {
    this.renderLimit = firstSlice(host.doc.cells, window.innerHeight);
    this.observer = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          if (!e.isIntersecting) continue;
          this.observer.unobserve(e.target);
          this.views.get((e.target as HTMLElement).dataset['cellId']!)?.reveal();
        }
      },
      { rootMargin: '800px 0px' },
    );
    this.resizeObserver = new ResizeObserver(() => {
      for (const v of this.views.values()) v.editor.layout();
    });
    this.resizeObserver.observe(this.element);
    whenHighlighterReady(() => {
      for (const v of this.views.values()) if (v.revealed) v.editor.highlight();
    });
  }

  get(cellId: string): CellView | undefined {
    return this.views.get(cellId);
  }

  has(cellId: string): boolean {
    return this.views.has(cellId);
  }

  all(): IterableIterator<CellView> {
    return this.views.values();
  }

  /** A long notebook makes its cells in slices after the first paint: makes a cell (and those above it) now. */
  makeUpTo(cellId: string): void {
    if (this.views.has(cellId)) return;
    const index = this.host.doc.indexOf(cellId);
    if (index < this.renderLimit) return;
    this.renderLimit = index + 1;
    this.sync();
  }

  /** Creates, removes and orders cell views to match the document. */
  sync(): void {
    const doc = this.host.doc;
    const ids = new Set(doc.cells.map((c) => c.id));
    for (const [id, view] of this.views) {
      if (ids.has(id)) continue;
      this.observer.unobserve(view.element);
      view.dispose();
      this.views.delete(id);
    }
    let ref = this.element.firstElementChild;
    const cells = doc.cells.slice(0, this.renderLimit);
    for (const cell of cells) {
      let view = this.views.get(cell.id);
      if (!view) {
        view = new CellView(cell.id, this.host);
        if (this.host.locked) view.setLocked(true);
        this.views.set(cell.id, view);
        if (this.revealing) this.observer.observe(view.element);
        else this.unobserved.push(view.element);
      }
      if (view.element !== ref) this.element.insertBefore(view.element, ref);
      else ref = ref.nextElementSibling;
    }
    // Views past the limit that exist (made before a change shifted them): kept, after the others.
    if (this.building && doc.cells.length > this.renderLimit && !this.sliceTimer) {
      this.sliceTimer = setTimeout(() => {
        this.sliceTimer = null;
        this.renderLimit += SLICE;
        this.sync();
      }, 0);
    }
    this.synced();
  }

  /**
   * Starts drawing outputs and markdown of cells near the viewport. The page calls it once the
   * cells have painted, so the first paint does not wait for renderers.
   */
  startRevealing(): void {
    if (this.revealing) return;
    this.revealing = true;
    // Scrolling before the editor has loaded (when the rest is made anyway) makes the rest now.
    if (this.host.doc.cells.length > this.renderLimit) window.addEventListener('scroll', () => this.buildRest(), { once: true, passive: true });
    for (const el of this.unobserved.splice(0)) if (el.isConnected) this.observer.observe(el);
  }

  /** Makes the cells past the first slice, a slice per task (the page calls it once the editor has loaded). */
  buildRest(): void {
    if (this.building) return;
    this.building = true;
    this.sync();
  }

  /** An editor was focused: the least recently used ones beyond the budget go back to static text. */
  releaseOldEditors(): void {
    const withEditors = [...this.views.values()].filter((v) => v.editor.hasEditor && !v.editor.hasFocus);
    if (withEditors.length < MAX_EDITORS) return;
    withEditors.sort((a, b) => a.editor.lastUsed - b.editor.lastUsed);
    for (const v of withEditors.slice(0, withEditors.length - MAX_EDITORS + 1)) v.editor.release();
  }

  dispose(): void {
    this.observer.disconnect();
    this.resizeObserver.disconnect();
    if (this.sliceTimer) clearTimeout(this.sliceTimer);
    for (const v of this.views.values()) v.dispose();
    this.views.clear();
  }
}
