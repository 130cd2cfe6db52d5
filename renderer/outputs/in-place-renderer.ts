/**
 * The shape most renderers share, written once: draw the item when the output first renders,
 * then show each new version in that same drawing (a display update keeps a table's sort, a
 * tree's open nodes, a frame's plot) instead of rendering afresh. The error boundary around all
 * of it is {@link OutputView}'s.
 */
import type { OutputItem } from '../../core/common/notebook/model.ts';
import type { ItemView, OutputRenderer, RenderContext, Theme } from './registry.ts';

/** What `mount` returns: how the drawing shows the item's next versions, follows the theme and goes away. */
export interface InPlaceDrawing {
  show(next: OutputItem, ctx: RenderContext): void;
  setTheme?(theme: Theme): void;
  dispose?(): void;
}

/**
 * A renderer whose `mount` draws the first version of the item into the output's element; later
 * versions of the same MIME type go to the drawing's `show` (another MIME type of the family, say
 * an SVG after a PNG, renders afresh).
 *
 * @example
 * export const markdownRenderer = inPlaceRenderer({ id: 'markdown', mimeTypes: [MIME.markdown], rank: 40, safe: true }, (element, item) => {
 *   const box = h('div', 'pb-markdown', markdown(item.data));
 *   element.append(box);
 *   return { show: (next) => box.replaceChildren(markdown(next.data)), dispose: () => box.remove() };
 * });
 */
export function inPlaceRenderer(
  about: Pick<OutputRenderer, 'id' | 'mimeTypes' | 'rank' | 'safe'>,
  mount: (element: HTMLElement, item: OutputItem, ctx: RenderContext) => InPlaceDrawing,
): OutputRenderer {
  return {
    ...about,
    render(item, element, ctx): ItemView {
      const drawing = mount(element, item, ctx);
      return {
        update(next, nextCtx) {
          if (next.mime !== item.mime) return false;
          drawing.show(next, nextCtx);
          return true;
        },
        setTheme: drawing.setTheme?.bind(drawing),
        dispose: drawing.dispose?.bind(drawing),
      };
    },
  };
}
