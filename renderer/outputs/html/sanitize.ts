/**
 * One DOMPurify instance for outputs (its hooks are ours alone): scripts, event handlers,
 * `javascript:` URLs, forms, frames and inline SVG/MathML are removed; links open outside the app.
 * HTML that goes into the app's own page (markdown cells, markdown outputs) is held tighter, see
 * {@link sanitizeForPage}.
 */
import createDOMPurify from 'dompurify';

let purifier: ReturnType<typeof createDOMPurify> | null = null;

function instance(): ReturnType<typeof createDOMPurify> {
  if (purifier) return purifier;
  purifier = createDOMPurify(window);
  purifier.addHook('afterSanitizeAttributes', (node) => {
    if (node instanceof HTMLAnchorElement && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
  return purifier;
}

const FORBID_TAGS = ['form', 'input', 'button', 'textarea', 'select', 'iframe', 'frame', 'object', 'embed', 'base', 'meta', 'link'];
const FORBID_ATTR = ['srcset', 'formaction', 'action'];

const CONFIG = {
  // HTML only: no inline SVG or MathML from outputs (the team's SECURITY.md: no inline untrusted SVG).
  USE_PROFILES: { html: true },
  FORBID_TAGS,
  FORBID_ATTR,
};

/** Sanitised HTML as a fragment, ready to append (into a shadow root: see {@link sanitizeForPage} for the page itself). */
export function sanitizeToFragment(html: string): DocumentFragment {
  return instance().sanitize(html, { ...CONFIG, RETURN_DOM_FRAGMENT: true });
}

/** Sanitised HTML as a string (sent into sandboxed frames). */
export function sanitizeToString(html: string): string {
  return instance().sanitize(html, CONFIG);
}

/**
 * Sanitised HTML for the app's own document (markdown cells, `text/markdown` outputs), where
 * markup without any script can still reach the app:
 * - `<style>` would restyle the whole app (hide the trust banner or the code in the trust
 *   question, lay a cover over the page): removed, and untrusted notebooks lose inline styles
 *   too (a `position: fixed` box is a cover as well);
 * - an `id` or `name` defines a property of `window` (DOM clobbering, e.g.
 *   `<a id="__probebook_canary">`): prefixed with `user-content-`, as GitHub does;
 * - the app's own classes (`pb-…`) and `data-` attributes would imitate its chrome (a status bar
 *   saying "Trusted", a banner): removed.
 */
export function sanitizeForPage(html: string, trusted: boolean): DocumentFragment {
  const fragment = instance().sanitize(html, {
    ...CONFIG,
    FORBID_TAGS: [...FORBID_TAGS, 'style'],
    FORBID_ATTR: trusted ? FORBID_ATTR : [...FORBID_ATTR, 'style'],
    SANITIZE_NAMED_PROPS: true,
    ALLOW_DATA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
  });
  for (const el of fragment.querySelectorAll('[class]')) {
    for (const name of [...el.classList]) if (name.startsWith('pb-')) el.classList.remove(name);
    if (!el.classList.length) el.removeAttribute('class');
  }
  // In-notebook links (`#Section`, Jupyter's heading anchors) stay in the page; the notebook view
  // scrolls to them (notebook-anchors.ts).
  for (const a of fragment.querySelectorAll<HTMLAnchorElement>('a[href^="#"]')) {
    a.removeAttribute('target');
    a.removeAttribute('rel');
  }
  return fragment;
}
