import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downloadBlockedReason, electronDownloadHost, planStart, usesProxy, type StartFacts } from './start-plan.ts';

const desktop: StartFacts = {
  forceBrowser: false,
  euid: 1000,
  hasDisplay: true,
  hasElectronPackage: true,
  electronBinary: '/p/node_modules/electron/dist/electron',
  downloadBlocked: null,
  installFailure: undefined,
};

function browserMessage(facts: Partial<StartFacts>): string {
  const plan = planStart({ ...desktop, ...facts });
  assert.equal(plan.kind, 'browser');
  return plan.kind === 'browser' ? plan.message : '';
}

test('runs the desktop app where its binary is installed', () => {
  assert.deepEqual(planStart(desktop), { kind: 'electron', binary: '/p/node_modules/electron/dist/electron' });
});

test('tries the installer once when the binary is missing and the network may reach it', () => {
  assert.deepEqual(planStart({ ...desktop, electronBinary: null }), { kind: 'install' });
});

test('falls back to browser mode saying Electron is not installed, and why', () => {
  const missing = { electronBinary: null };
  assert.equal(
    browserMessage({ ...missing, downloadBlocked: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set' }),
    'Electron is not installed (its binary is not downloaded, and ELECTRON_SKIP_BINARY_DOWNLOAD is set); starting browser mode instead (probebook serve).',
  );
  assert.match(
    browserMessage({ ...missing, installFailure: 'getaddrinfo ENOTFOUND github.com' }),
    /^Electron is not installed \(downloading its binary failed: getaddrinfo ENOTFOUND github\.com; retry with: node node_modules\/electron\/install\.js\); starting browser mode instead/,
  );
  assert.match(browserMessage({ ...missing, installFailure: null }), /^Electron is not installed \(its installer finished but no binary is there/);
  assert.match(
    browserMessage({ ...missing, hasElectronPackage: false }),
    /^Electron is not installed \(the electron package is missing.*npm install electron\)/,
  );
});

test('never tries to download twice in one start', () => {
  const plan = planStart({ ...desktop, electronBinary: null, installFailure: 'timeout' });
  assert.equal(plan.kind, 'browser');
});

test('root, a missing display and --browser choose browser mode before anything is downloaded', () => {
  const asRoot = browserMessage({ euid: 0, electronBinary: null });
  assert.match(asRoot, /does not run as root.*starting browser mode instead/);
  assert.doesNotMatch(asRoot, /--allow-root|\n/, 'one message, and no flag to find: browser mode as root just starts');
  assert.match(browserMessage({ euid: 0 }), /does not run as root/, 'even with the binary installed');
  assert.match(browserMessage({ hasDisplay: false, electronBinary: null }), /no graphical display \(DISPLAY and WAYLAND_DISPLAY are unset\)/);
  assert.match(browserMessage({ forceBrowser: true }), /--browser/);
});

test('the installer may not download when told not to or when offline', () => {
  assert.equal(downloadBlockedReason({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, true), 'ELECTRON_SKIP_BINARY_DOWNLOAD is set');
  assert.match(downloadBlockedReason({}, false) ?? '', /unreachable/);
  assert.equal(downloadBlockedReason({}, true), null);
});

test('probes the host the installer would download from', () => {
  assert.equal(electronDownloadHost({}), 'github.com');
  assert.equal(electronDownloadHost({ ELECTRON_MIRROR: 'https://npmmirror.com/mirrors/electron/' }), 'npmmirror.com');
  assert.equal(electronDownloadHost({ ELECTRON_MIRROR: 'not a url' }), 'github.com');
  assert.equal(usesProxy({ HTTPS_PROXY: 'http://proxy:3128' }), true);
  assert.equal(usesProxy({}), false);
});
