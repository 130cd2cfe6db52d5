/**
 * `text/markdown` with marked (GitHub-flavoured), sanitised with DOMPurify before it reaches the
 * page, so it is safe for untrusted notebooks too.
 */
import { marked } from 'marked';
import { MIME } from '../../core/common/mime.ts';
import { h } from './dom.ts';
import { sanitizeToFragment } from './html/sanitize.ts';
import type { ItemView, OutputRenderer } from './registry.ts';

function draw(el: HTMLElement, data: unknown): void {
  const source = typeof data === 'string' ? data : Array.isArray(data) ? data.join('') : String(data ?? '');
  const html = marked.parse(source, { async: false, gfm: true });
  el.replaceChildren(sanitizeToFragment(html));
}

export const markdownRenderer: OutputRenderer = {
  id: 'markdown',
  mimeTypes: [MIME.markdown],
  rank: 40,
  safe: true,
  render(item, element): ItemView {
    const box = h('div', 'pb-markdown');
    element.append(box);
    draw(box, item.data);
    return {
      update(next) {
        draw(box, next.data);
        return true;
      },
      dispose: () => box.remove(),
    };
  },
};
