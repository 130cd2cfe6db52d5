/**
 * `text/html`. Trusted notebooks: sanitised with DOMPurify and shown in a shadow root, so the
 * output's own `<style>` cannot restyle the app (unsafe renderer: trusted only). Untrusted
 * notebooks: sanitised too, then shown in a sandboxed opaque-origin frame (safe renderer).
 * Script in HTML outputs never runs in either case.
 */
import { MIME } from '../../../core/common/mime.ts';
import { h } from '../dom.ts';
import { SandboxedFrame } from '../frames/frame-host.ts';
import { inPlaceRenderer } from '../in-place-renderer.ts';
import type { Theme } from '../registry.ts';
import { sanitizeToFragment, sanitizeToString } from './sanitize.ts';

/** Base look of HTML outputs inside their shadow root (pandas-style tables included). */
const SHADOW_CSS = `
:host { display: block; color: var(--pb-out-fg); font: 13px/1.45 var(--pb-font-ui, system-ui, sans-serif); overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--pb-border); padding: 2px 8px; text-align: left; }
thead th { background: var(--pb-out-head-bg); }
a { color: var(--pb-link); }
img { max-width: 100%; }
pre, code { font-family: var(--pb-font-mono, ui-monospace, monospace); }
`;

function text(data: unknown): string {
  return typeof data === 'string' ? data : Array.isArray(data) ? data.join('') : String(data ?? '');
}

export const htmlRenderer = inPlaceRenderer({ id: 'html', mimeTypes: [MIME.html], rank: 30, safe: false }, (element, item) => {
  const host = h('div', 'pb-html');
  element.append(host);
  const root = host.attachShadow({ mode: 'open' });
  const draw = (html: string): void => {
    const style = document.createElement('style');
    style.textContent = SHADOW_CSS;
    root.replaceChildren(style, sanitizeToFragment(html));
  };
  draw(text(item.data));
  return { show: (next) => draw(text(next.data)), dispose: () => host.remove() };
});

export const htmlFrameRenderer = inPlaceRenderer({ id: 'html-frame', mimeTypes: [MIME.html], rank: 32, safe: true }, (element, item, ctx) => {
  const frame = new SandboxedFrame(element, {
    src: new URL('html-frame.html', ctx.assets.frameBase).href,
    title: 'HTML output of an untrusted notebook',
    signal: ctx.signal,
    initialHeight: 40,
    onMessage: (msg) => {
      if (msg.type === 'pb-error') element.append(h('div', 'pb-frame-status pb-frame-error', `This HTML output could not be shown: ${msg.message}`));
    },
  });
  const draw = (data: unknown, theme: Theme): void => frame.post({ type: 'pb-render', kind: 'html', html: sanitizeToString(text(data)), theme });
  draw(item.data, ctx.theme);
  return {
    show: (next, nextCtx) => draw(next.data, nextCtx.theme),
    setTheme: (theme) => frame.post({ type: 'pb-theme', theme }),
    dispose: () => frame.dispose(),
  };
});
