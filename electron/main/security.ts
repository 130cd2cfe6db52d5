/**
 * Security defaults for every web contents the app creates (the team's SECURITY.md, "Electron"): sandbox
 * everywhere, navigation only within the app origin, no new windows, no webviews, permissions
 * and downloads denied unless the policy allows them, and external links only after a click.
 */
import { app, session, shell, type WebContents } from 'electron';
import { hasFreshGesture, isActivatingInput, mayDownload, mayGrantPermission, mayNavigate } from './security-policy.ts';

/** When each web contents last saw a click or key press; read by {@link openExternalAfterGesture}. */
const lastGesture = new WeakMap<WebContents, number>();

function refuse(what: string, url: string): void {
  process.stderr.write(`probebook: blocked ${what}: ${url.slice(0, 200)}\n`);
}

function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    if (!mayNavigate(event.url, true)) {
      event.preventDefault();
      refuse('navigation', event.url);
    }
  });
  contents.on('will-frame-navigate', (event) => {
    if (!mayNavigate(event.url, event.isMainFrame)) {
      event.preventDefault();
      refuse('frame navigation', event.url);
    }
  });
  contents.on('will-redirect', (event) => {
    if (!mayNavigate(event.url, event.isMainFrame)) {
      event.preventDefault();
      refuse('redirect', event.url);
    }
  });
  // New windows come only from main (one per notebook); links open through the bridge.
  contents.setWindowOpenHandler(({ url }) => {
    refuse('new window', url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    refuse('webview', contents.getURL());
  });
  contents.on('input-event', (_event, input) => {
    if (isActivatingInput(input.type)) lastGesture.set(contents, Date.now());
  });
}

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(mayGrantPermission(permission, { url: details.requestingUrl }));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => mayGrantPermission(permission, { origin: requestingOrigin }));
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_request, callback) => callback({}));
  ses.on('will-download', (event, item) => {
    if (!mayDownload(item.getURL())) {
      event.preventDefault();
      refuse('download', item.getURL());
    }
  });
}

/** Call first, before `ready`: sandboxes every renderer and hardens each web contents as it appears. */
export function setupSecurityDefaults(): void {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  void app.whenReady().then(hardenSession);
}

/**
 * Opens an already validated http(s) URL in the system browser, if `contents` saw a click or key
 * press just before: a compromised page cannot open links on its own.
 */
export async function openExternalAfterGesture(contents: WebContents, url: string): Promise<void> {
  if (!hasFreshGesture(lastGesture.get(contents), Date.now())) {
    throw new Error(`Links open only from a click or key press; ${url} was not opened.`);
  }
  await shell.openExternal(url);
}
