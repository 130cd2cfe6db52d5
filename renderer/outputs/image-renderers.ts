/**
 * Images: PNG/JPEG/GIF from base64, and SVG — always as `<img src="data:…">`, never inline SVG,
 * so an SVG's scripts and external loads cannot run. Jupyter's `metadata[mime].width/height`
 * size them. Each has a "Save" button.
 */
import { MIME } from '../../core/common/mime.ts';
import type { Json } from '../../core/common/notebook/model.ts';
import { button, download, h } from './dom.ts';
import { inPlaceRenderer } from './in-place-renderer.ts';
import type { RenderContext } from './registry.ts';

const EXT: Record<string, string> = { [MIME.png]: 'png', [MIME.jpeg]: 'jpg', [MIME.gif]: 'gif', [MIME.svg]: 'svg' };

function text(data: Json): string {
  return typeof data === 'string' ? data : Array.isArray(data) ? data.join('') : '';
}

/** A data URL for the item; throws when base64 data is not base64. */
function imageUrl(mime: string, data: Json): string {
  if (mime === MIME.svg) return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text(data))}`;
  const b64 = text(data).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length === 0) throw new Error(`${mime} data is not base64`);
  return `data:${mime};base64,${b64}`;
}

function size(ctx: RenderContext, mime: string): { width?: number; height?: number } {
  const meta = ctx.output.metadata?.[mime];
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return {};
  const num = (v: Json | undefined): number | undefined => (typeof v === 'number' && v > 0 ? v : undefined);
  return { width: num(meta['width']), height: num(meta['height']) };
}

export const imageRenderer = inPlaceRenderer(
  { id: 'image', mimeTypes: [MIME.png, MIME.jpeg, MIME.gif, MIME.svg], rank: 25, safe: true },
  (element, item, ctx) => {
    const img = h('img', 'pb-image');
    img.alt = 'Image output';
    img.decoding = 'async';
    img.referrerPolicy = 'no-referrer';
    const draw = (data: Json): void => {
      img.src = imageUrl(item.mime, data);
      const { width, height } = size(ctx, item.mime);
      if (width) img.width = width;
      if (height) img.height = height;
    };
    draw(item.data);
    const save = button('Save', 'Save this image', () => download(`image.${EXT[item.mime] ?? 'bin'}`, img.src));
    element.append(h('div', 'pb-image-wrap', h('div', 'pb-tools', save), img));
    return { show: (next) => draw(next.data) };
  },
);
