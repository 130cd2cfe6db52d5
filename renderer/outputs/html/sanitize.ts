/**
 * One DOMPurify instance for outputs (its hooks are ours alone): scripts, event handlers,
 * `javascript:` URLs, forms, frames and inline SVG/MathML are removed; links open outside the app.
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

const CONFIG = {
  // HTML only: no inline SVG or MathML from outputs (SECURITY.md: no inline untrusted SVG).
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['form', 'input', 'button', 'textarea', 'select', 'iframe', 'frame', 'object', 'embed', 'base', 'meta', 'link'],
  FORBID_ATTR: ['srcset', 'formaction', 'action'],
};

/** Sanitised HTML as a fragment, ready to append. */
export function sanitizeToFragment(html: string): DocumentFragment {
  return instance().sanitize(html, { ...CONFIG, RETURN_DOM_FRAGMENT: true });
}

/** Sanitised HTML as a string (sent into sandboxed frames). */
export function sanitizeToString(html: string): string {
  return instance().sanitize(html, CONFIG);
}
