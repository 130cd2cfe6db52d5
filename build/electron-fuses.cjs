// Electron fuses for packaged builds, flipped by electron-builder's afterPack hook (see
// electron-builder.cjs) before anything is signed. Each one closes a way to run code in the app
// other than its own packaged main script. CommonJS because electron-builder require()s hooks.
const { join } = require('node:path');
const { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } = require('@electron/fuses');
// The states as stored in the wire; @electron/fuses uses but does not re-export them.
const { FuseState } = require('@electron/fuses/dist/constants');

/** @type {import('@electron/fuses').FuseV1Config} */
const FUSES = {
  version: FuseVersion.V1,
  // ELECTRON_RUN_AS_NODE would turn the app into a plain Node interpreter for anyone.
  [FuseV1Options.RunAsNode]: false,
  // Cookies (none expected) are encrypted with the OS keyring like Chrome's.
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS could preload arbitrary code into main.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  // --inspect would open a debugger port into main.
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // app.asar is checked against its embedded hash (enforced on macOS and Windows today).
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  // Main loads only from app.asar, never from a loose app/ folder planted beside it.
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  // The page is served from app://, so file:// needs none of its legacy privileges.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** The file that holds the fuse wire inside a packed app, per platform. */
function fuseTarget(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') {
    return join(appOutDir, `${packager.appInfo.productFilename}.app`);
  }
  const exe = packager.executableName ?? packager.appInfo.productFilename;
  return join(appOutDir, electronPlatformName === 'win32' ? `${exe}.exe` : exe);
}

/** electron-builder afterPack hook: flips {@link FUSES}, then reads them back and fails the build on any mismatch. */
async function afterPack(context) {
  const target = fuseTarget(context);
  await flipFuses(target, FUSES);
  const wire = await getCurrentFuseWire(target);
  const wrong = Object.entries(FUSES)
    .filter(([key]) => key !== 'version')
    .filter(([key, on]) => wire[key] !== (on ? FuseState.ENABLE : FuseState.DISABLE))
    .map(([key]) => FuseV1Options[key]);
  if (wrong.length) throw new Error(`Electron fuses not set in ${target}: ${wrong.join(', ')}`);
}

module.exports = { FUSES, afterPack };
