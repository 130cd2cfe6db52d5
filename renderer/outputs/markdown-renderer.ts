/**
 * `text/markdown` with marked (GitHub-flavoured), sanitised with DOMPurify before it reaches the
 * page, so it is safe for untrusted notebooks too. It is drawn in the app's own document, so it
 * gets the page's rules ({@link sanitizeForPage}): no `<style>`, no inline styles when untrusted,
 * no ids that define window globals.
 */
import { marked } from 'marked';
import { MIME } from '../../core/common/mime.ts';
import { h } from './dom.ts';
import { sanitizeForPage } from './html/sanitize.ts';
import { inPlaceRenderer } from './in-place-renderer.ts';

function draw(el: HTMLElement, data: unknown, trusted: boolean): void {
  const source = typeof data === 'string' ? data : Array.isArray(data) ? data.join('') : String(data ?? '');
  const html = marked.parse(source, { async: false, gfm: true });
  el.replaceChildren(sanitizeForPage(html, trusted));
}

export const markdownRenderer = inPlaceRenderer({ id: 'markdown', mimeTypes: [MIME.markdown], rank: 40, safe: true }, (element, item, ctx) => {
  const box = h('div', 'pb-markdown');
  element.append(box);
  draw(box, item.data, ctx.trusted);
  return { show: (next, nextCtx) => draw(box, next.data, nextCtx.trusted), dispose: () => box.remove() };
});
