/**
 * The Electron main process: a flat list of features, each set up by its own module. Main runs
 * as the user, hosts the session host in-process and never runs cells itself (the kernel host
 * does, elevated once). Bundled to dist/electron/main.js by build/targets/electron.mjs.
 */
import { app } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupIpc } from './ipc.ts';
import { launchFiles, userArgs } from './launch-args.ts';
import { setupMenus } from './menus.ts';
import { setupProtocol } from './protocol.ts';
import { rootRefusal } from './refuse-root.ts';
import { setupSecurityDefaults } from './security.ts';
import { setupSessionHost } from './session-host.ts';
import { setupSingleInstance } from './single-instance.ts';
import { setupWindows } from './windows.ts';

function main(): number | null {
  const refusal = rootRefusal(process.geteuid?.());
  if (refusal !== null) {
    process.stderr.write(`${refusal}\n`);
    return 1;
  }
  const mainScript = fileURLToPath(import.meta.url);
  const here = import.meta.dirname;
  const rendererRoot = join(here, '..', 'renderer');
  if (!existsSync(join(rendererRoot, 'index.html'))) {
    process.stderr.write(`Probebook: the page is not built (${join(rendererRoot, 'index.html')} is missing); run npm run build\n`);
    return 1;
  }
  const launch = launchFiles(userArgs(process.argv, { isPackaged: app.isPackaged, mainScript }), process.cwd());
  for (const problem of launch.problems) process.stderr.write(`probebook: ${problem}\n`);

  const instance = setupSingleInstance(launch.files, mainScript);
  if (instance === null) return null;
  setupSecurityDefaults();
  setupProtocol(rendererRoot);
  const host = setupSessionHost();
  const windows = setupWindows({ preload: join(here, 'preload.cjs'), host, files: launch.files });
  setupIpc(windows);
  setupMenus(windows);
  instance.onSecondInstance((files) => windows.openFiles(files));
  return null;
}

const exitCode = main();
if (exitCode !== null) app.exit(exitCode);
