/**
 * How `npm start` / `probebook open` runs the app: the Electron app where it can run, otherwise
 * browser mode, saying why. Pure decisions over plain facts, so each path is unit-tested.
 */

/** What `start` found out about this machine and invocation. */
export interface StartFacts {
  /** `--browser` was given. */
  forceBrowser: boolean;
  /** `process.geteuid()`, undefined where it does not exist. */
  euid: number | undefined;
  /** `$DISPLAY` or `$WAYLAND_DISPLAY` is set. */
  hasDisplay: boolean;
  /** node_modules/electron exists (its package; the binary comes separately). */
  hasElectronPackage: boolean;
  /** The Electron executable, when its binary is installed. */
  electronBinary: string | null;
  /** Why electron's installer must not run, or null when it may (`ELECTRON_SKIP_BINARY_DOWNLOAD`, offline). */
  downloadBlocked: string | null;
  /** The installer already ran in this invocation; its failure, or null if it succeeded. */
  installFailure: string | null | undefined;
}

export type StartPlan =
  | { kind: 'electron'; binary: string }
  /** Run electron's own installer once (`node node_modules/electron/install.js`), then plan again. */
  | { kind: 'install' }
  | { kind: 'browser'; message: string };

const BROWSER_MODE = 'starting browser mode instead (probebook serve)';

/** The next step for `start`. */
export function planStart(facts: StartFacts): StartPlan {
  if (facts.forceBrowser) return { kind: 'browser', message: 'Browser mode (--browser): starting probebook serve' };
  if (facts.euid === 0) {
    return {
      kind: 'browser',
      message:
        `The desktop app does not run as root (Chromium's sandbox would have to be turned off); ${BROWSER_MODE}. ` +
        'For the desktop app, start it as your own user: it asks for root once, when a cell needs it.',
    };
  }
  if (!facts.hasDisplay) {
    return { kind: 'browser', message: `There is no graphical display (DISPLAY and WAYLAND_DISPLAY are unset); ${BROWSER_MODE}.` };
  }
  if (facts.electronBinary !== null) return { kind: 'electron', binary: facts.electronBinary };
  if (!facts.hasElectronPackage) {
    return notInstalled('the electron package is missing from node_modules; install it with: npm install electron');
  }
  if (facts.installFailure === undefined && facts.downloadBlocked === null) return { kind: 'install' };
  if (facts.installFailure) {
    return notInstalled(`downloading its binary failed: ${facts.installFailure}; retry with: node node_modules/electron/install.js`);
  }
  if (facts.installFailure === null) return notInstalled('its installer finished but no binary is there; reinstall with: npm install electron');
  return notInstalled(`its binary is not downloaded, and ${facts.downloadBlocked}`);
}

function notInstalled(why: string): StartPlan {
  return { kind: 'browser', message: `Electron is not installed (${why}); ${BROWSER_MODE}.` };
}

/** Why electron's installer must not try to download, or null when it may. */
export function downloadBlockedReason(env: NodeJS.ProcessEnv, reachable: boolean): string | null {
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD) return 'ELECTRON_SKIP_BINARY_DOWNLOAD is set';
  if (!reachable) return 'its download server is unreachable from here';
  return null;
}

/** The host electron's installer downloads from (`ELECTRON_MIRROR` or GitHub). */
export function electronDownloadHost(env: NodeJS.ProcessEnv): string {
  const mirror = env.ELECTRON_MIRROR ?? env.npm_config_electron_mirror;
  if (mirror) {
    try {
      return new URL(mirror).hostname;
    } catch {
      // A malformed mirror makes the installer fail with its own message; probe GitHub meanwhile.
    }
  }
  return 'github.com';
}

/** Whether the environment routes downloads through a proxy (then a direct probe proves nothing). */
export function usesProxy(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.HTTPS_PROXY || env.https_proxy || env.ELECTRON_GET_USE_PROXY || env.GLOBAL_AGENT_HTTPS_PROXY);
}
