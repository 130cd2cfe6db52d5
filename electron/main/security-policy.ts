/**
 * What the app lets its pages do, as pure decisions so each is unit-tested: navigation, new
 * windows, permissions, external links and downloads. `security.ts` wires them into Electron.
 * Everything not explicitly allowed here is denied.
 */
import { isAppOrigin, isAppUrl } from '../shared/app-origin.ts';

/** Longest URL we hand to the system browser; real links are far shorter. */
export const MAX_EXTERNAL_URL_LENGTH = 2048;

/**
 * Whether a frame may navigate to `url`. The top frame stays on the app origin; subframes (the
 * sandboxed output frames) may also be `about:blank`/`about:srcdoc` or a blob the app made.
 */
export function mayNavigate(url: string, isMainFrame: boolean): boolean {
  if (isAppUrl(url)) return true;
  if (isMainFrame) return false;
  if (url === 'about:blank' || url === 'about:srcdoc') return true;
  return url.startsWith('blob:') && isAppUrl(url.slice('blob:'.length));
}

/** Permissions the page may get, and only on the app origin: copying tables and charts. */
const GRANTABLE_PERMISSIONS = new Set(['clipboard-sanitized-write']);

/**
 * Whether to grant `permission`. Deny by default: only the app's own page (its origin, never an
 * output frame, whose origin is opaque) gets the few permissions it uses.
 */
export function mayGrantPermission(permission: string, requester: { origin?: string; url?: string }): boolean {
  if (!GRANTABLE_PERMISSIONS.has(permission)) return false;
  if (requester.url !== undefined) return isAppUrl(requester.url);
  return requester.origin !== undefined && isAppOrigin(requester.origin);
}

/**
 * The URL to open in the system browser, or null when `raw` is not a plain http(s) URL (no
 * `file:`, `javascript:`, custom schemes, credentials or absurd lengths).
 */
export function externalHttpUrl(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_EXTERNAL_URL_LENGTH) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  if (parsed.username !== '' || parsed.password !== '' || parsed.hostname === '') return null;
  return parsed.href;
}

/**
 * Whether the page may download `url`: only what it made itself (chart PNGs, CSV exports as
 * blob: or data: URLs), never a file fetched from the network.
 */
export function mayDownload(url: string): boolean {
  if (url.startsWith('data:')) return true;
  return url.startsWith('blob:') && isAppUrl(url.slice('blob:'.length));
}

/** How long after a click or key press the page may still open a link (Chromium uses ~5 s). */
export const USER_GESTURE_WINDOW_MS = 5000;

const ACTIVATING_INPUTS = new Set(['mouseDown', 'mouseUp', 'keyDown', 'rawKeyDown', 'gestureTap', 'touchEnd']);

/** Whether an input event (Electron's `InputEvent.type`) counts as a user gesture. */
export function isActivatingInput(type: string): boolean {
  return ACTIVATING_INPUTS.has(type);
}

/** Whether the last user gesture (epoch ms, or undefined for none) is recent enough at `now`. */
export function hasFreshGesture(lastGestureAt: number | undefined, now: number): boolean {
  return lastGestureAt !== undefined && now >= lastGestureAt && now - lastGestureAt <= USER_GESTURE_WINDOW_MS;
}
