/**
 * `application/vnd.plotly.v1+json` figures, always in a sandboxed frame (trusted or not): one
 * code path, plotly's 4.8 MB and its globals stay out of the page, and WebGL traces (whose regl
 * layer needs `eval`) run under the frame's own CSP instead of weakening the app's. The frame
 * follows the theme, resizes with the output, and updates in place (`Plotly.react`). PNG/SVG
 * buttons ask the frame for an image and save it from the page.
 */
import { MIME } from '../../core/common/mime.ts';
import type { Json } from '../../core/common/notebook/model.ts';
import { button, download, flashButton, h } from './dom.ts';
import { SandboxedFrame } from './frames/frame-host.ts';
import type { FromFrame } from './frames/frame-protocol.ts';
import { inPlaceRenderer } from './in-place-renderer.ts';

let nextRequest = 1;

function figureHeight(data: Json): number {
  const layout = data && typeof data === 'object' && !Array.isArray(data) ? data['layout'] : null;
  const hgt = layout && typeof layout === 'object' && !Array.isArray(layout) ? layout['height'] : null;
  return typeof hgt === 'number' && hgt > 0 ? Math.min(hgt, 2000) : 420;
}

// Safe: the figure runs only inside an opaque-origin sandboxed frame with no bridge to the app.
export const plotlyRenderer = inPlaceRenderer({ id: 'plotly', mimeTypes: [MIME.plotly], rank: 12, safe: true }, (element, item, ctx) => {
  const status = h('div', 'pb-frame-status', 'Loading plot…');
  const pending = new Map<number, { format: 'png' | 'svg'; button: HTMLButtonElement }>();
  const onMessage = (msg: FromFrame): void => {
    if (msg.type === 'pb-rendered') {
      status.textContent = msg.note;
      status.hidden = !msg.note;
      wrap.classList.add('pb-plot-ready');
    } else if (msg.type === 'pb-error') {
      status.hidden = false;
      status.textContent = `The plot could not be drawn: ${msg.message}`;
      status.classList.add('pb-frame-error');
    } else if (msg.type === 'pb-image') {
      const req = pending.get(msg.requestId);
      if (!req) return;
      pending.delete(msg.requestId);
      download(`plot.${req.format}`, msg.dataUrl);
      flashButton(req.button, 'Saved');
    }
  };
  const exportAs = (format: 'png' | 'svg', b: HTMLButtonElement): void => {
    const requestId = nextRequest++;
    pending.set(requestId, { format, button: b });
    frame.post({ type: 'pb-export', requestId, format });
  };
  const png: HTMLButtonElement = button('PNG', 'Download the plot as PNG', () => exportAs('png', png));
  const svgButton: HTMLButtonElement = button('SVG', 'Download the plot as SVG', () => exportAs('svg', svgButton));
  const wrap = h('div', 'pb-plot', h('div', 'pb-tools', png, svgButton), status);
  element.append(wrap);
  const frame = new SandboxedFrame(wrap, {
    src: new URL('plot-frame.html', ctx.assets.frameBase).href,
    title: 'Plot',
    signal: ctx.signal,
    initialHeight: figureHeight(item.data),
    onMessage,
  });
  frame.post({ type: 'pb-render', kind: 'plotly', figure: item.data, theme: ctx.theme });
  return {
    show: (next, nextCtx) => frame.post({ type: 'pb-render', kind: 'plotly', figure: next.data, theme: nextCtx.theme }),
    setTheme: (theme) => frame.post({ type: 'pb-theme', theme }),
    dispose: () => frame.dispose(),
  };
});
