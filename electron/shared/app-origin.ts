/**
 * The one origin the app's page lives at. The page is served from a privileged custom scheme
 * (`app://probebook/…`), never `file://`, so every security check compares against one origin.
 */

export const APP_SCHEME = 'app';
const APP_HOST = 'probebook';
/** The page's origin as Chromium reports it (`location.origin`, `frame.origin`). */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** What a notebook window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Whether `url` is on the app's origin, by parsed comparison (never a prefix test:
 * `app://probebook.evil/` and `app://probebook@evil/` are not ours).
 */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.hostname === APP_HOST && parsed.port === '' && parsed.username === '' && parsed.password === '';
}

/** Whether an origin string (`frame.origin`, a permission's requesting origin) is the app's. */
export function isAppOrigin(origin: string): boolean {
  return origin === APP_ORIGIN;
}
