/**
 * A markdown cell as people read it: marked (GitHub-flavoured) then DOMPurify, with the same
 * sanitiser as outputs. `<style>` never reaches the page (it would restyle the app), and
 * untrusted notebooks lose inline styles too.
 */
import { marked } from 'marked';
import { h } from '../outputs/dom.ts';
import { sanitizeToFragment } from '../outputs/html/sanitize.ts';

export function renderMarkdown(element: HTMLElement, source: string, trusted: boolean): void {
  if (!source.trim()) {
    element.replaceChildren(h('p', 'pb-md-empty', 'Empty markdown cell: double-click or press Enter to write.'));
    return;
  }
  let html: string;
  try {
    html = marked.parse(source, { async: false, gfm: true });
  } catch (error) {
    element.replaceChildren(h('pre', 'pb-md-error', `This markdown could not be rendered (${(error as Error).message}):\n\n${source}`));
    return;
  }
  const fragment = sanitizeToFragment(html);
  fragment.querySelectorAll('style').forEach((s) => s.remove());
  if (!trusted) fragment.querySelectorAll('[style]').forEach((el) => el.removeAttribute('style'));
  element.replaceChildren(fragment);
}
