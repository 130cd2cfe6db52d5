/**
 * Messages between the page and a sandboxed output frame (`<iframe sandbox="allow-scripts">`
 * without `allow-same-origin`: an opaque origin, no access to the app). The page only accepts
 * messages whose source is that frame's window, and only in the shapes below: anything else is
 * dropped. Pure.
 */
import type { Json } from '../../../core/common/notebook/model.ts';

export type FrameTheme = 'light' | 'dark';

/** Page → frame. */
export type ToFrame =
  | { type: 'pb-render'; kind: 'plotly'; figure: Json; theme: FrameTheme }
  | { type: 'pb-render'; kind: 'html'; html: string; theme: FrameTheme }
  | { type: 'pb-theme'; theme: FrameTheme }
  | { type: 'pb-export'; requestId: number; format: 'png' | 'svg' }
  /** A figure's PNG fallback (docs/export.md): drawn light, as SVG traces, `width` CSS px across at scale 1. */
  | { type: 'pb-fallback'; requestId: number; figure: Json; width: number };

/** Frame → page. */
export type FromFrame =
  | { type: 'pb-ready' }
  | { type: 'pb-size'; height: number }
  | { type: 'pb-rendered'; note: string }
  | { type: 'pb-error'; message: string }
  | { type: 'pb-image'; requestId: number; dataUrl: string }
  | { type: 'pb-fallback'; requestId: number; png: string; width: number; height: number }
  | { type: 'pb-fallback'; requestId: number; error: string };

/** Tallest frame we allow, in CSS pixels (a frame cannot grow the page without bound). */
export const MAX_FRAME_HEIGHT = 5000;
const MAX_TEXT = 2000;
const MAX_IMAGE_CHARS = 64 * 1024 * 1024;
const IMAGE_PREFIXES = ['data:image/png;base64,', 'data:image/svg+xml;base64,', 'data:image/svg+xml,'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a message from a frame; returns null for anything not exactly one of {@link FromFrame}. */
export function parseFromFrame(data: unknown): FromFrame | null {
  if (!isObject(data) || typeof data['type'] !== 'string') return null;
  switch (data['type']) {
    case 'pb-ready':
      return { type: 'pb-ready' };
    case 'pb-size': {
      const height = data['height'];
      if (typeof height !== 'number' || !Number.isFinite(height) || height < 0) return null;
      return { type: 'pb-size', height: Math.min(Math.ceil(height), MAX_FRAME_HEIGHT) };
    }
    case 'pb-rendered':
      return { type: 'pb-rendered', note: typeof data['note'] === 'string' ? data['note'].slice(0, MAX_TEXT) : '' };
    case 'pb-error':
      return typeof data['message'] === 'string' ? { type: 'pb-error', message: data['message'].slice(0, MAX_TEXT) } : null;
    case 'pb-image': {
      const { requestId, dataUrl } = data;
      if (typeof requestId !== 'number' || !Number.isInteger(requestId) || typeof dataUrl !== 'string') return null;
      if (dataUrl.length > MAX_IMAGE_CHARS || !IMAGE_PREFIXES.some((p) => dataUrl.startsWith(p))) return null;
      return { type: 'pb-image', requestId, dataUrl };
    }
    case 'pb-fallback': {
      const { requestId, png, width, height, error } = data;
      if (typeof requestId !== 'number' || !Number.isInteger(requestId)) return null;
      if (typeof error === 'string') return { type: 'pb-fallback', requestId, error: error.slice(0, MAX_TEXT) };
      if (typeof png !== 'string' || png.length > MAX_IMAGE_CHARS || !png.startsWith(IMAGE_PREFIXES[0]!)) return null;
      const size = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= MAX_FRAME_HEIGHT;
      if (!size(width) || !size(height)) return null;
      return { type: 'pb-fallback', requestId, png, width, height };
    }
    default:
      return null;
  }
}

/** Validates a message from the page inside the frame. */
export function parseToFrame(data: unknown): ToFrame | null {
  if (!isObject(data)) return null;
  const theme = data['theme'] === 'dark' ? 'dark' : 'light';
  if (data['type'] === 'pb-render' && data['kind'] === 'plotly' && isObject(data['figure']))
    return { type: 'pb-render', kind: 'plotly', figure: data['figure'] as Json, theme };
  if (data['type'] === 'pb-render' && data['kind'] === 'html' && typeof data['html'] === 'string')
    return { type: 'pb-render', kind: 'html', html: data['html'], theme };
  if (data['type'] === 'pb-theme') return { type: 'pb-theme', theme };
  if (data['type'] === 'pb-export' && typeof data['requestId'] === 'number' && (data['format'] === 'png' || data['format'] === 'svg')) {
    return { type: 'pb-export', requestId: data['requestId'], format: data['format'] };
  }
  if (data['type'] === 'pb-fallback' && typeof data['requestId'] === 'number' && isObject(data['figure']) && typeof data['width'] === 'number')
    return { type: 'pb-fallback', requestId: data['requestId'], figure: data['figure'] as Json, width: data['width'] };
  return null;
}
