/**
 * A markdown cell as people read it: marked (GitHub-flavoured) then DOMPurify, held as tight as
 * markdown outputs ({@link sanitizeForPage}): `<style>` never reaches the page (it would restyle
 * the app), untrusted notebooks lose inline styles too, ids cannot define window globals.
 */
import { marked } from 'marked';
import { h } from '../outputs/dom.ts';
import { sanitizeForPage } from '../outputs/html/sanitize.ts';

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
  element.replaceChildren(sanitizeForPage(html, trusted));
}
