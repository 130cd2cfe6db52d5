/**
 * `probebook start [FILE.ipynb ...] [--browser] [serve options]` (what `npm start` runs) and
 * `probebook open FILE.ipynb`: the Electron desktop app where its binary is installed (trying
 * electron's own installer once if the network may reach it), otherwise browser mode via
 * `probebook serve`, saying why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { readCommandArgs } from './command-args.ts';
import { downloadBlockedReason, electronDownloadHost, planStart, usesProxy, type StartFacts } from './start-plan.ts';

export const START_USAGE = `Usage: probebook start [FILE.ipynb ...] [--browser] [serve options]

Opens the notebooks in the Probebook desktop app (Electron). Where Electron cannot run (not
installed, no display, running as root) it says why and starts browser mode (probebook serve)
with the same arguments instead.

Options:
  --browser    use browser mode even where the desktop app could run
  -h, --help   show this help
Other options (--port, --host, --no-browser) are passed to probebook serve.`;

/** How long electron's installer may take to download its binary before we fall back. */
export const INSTALL_TIMEOUT_MS = 90_000;
/** How long the reachability probe of the download host may take. */
export const PROBE_TIMEOUT_MS = 3_000;

export interface StartDeps {
  /** Browser mode: `probebook serve` with these arguments. */
  serve(argv: string[]): Promise<number>;
  /** Runs the Electron binary with arguments; resolves with its exit code. */
  runElectron(binary: string, args: string[]): Promise<number>;
  /** Runs electron's installer; resolves with null on success or the reason it failed. */
  installElectron(packageDir: string): Promise<string | null>;
  /** Whether a TCP connection to host:443 opens within the probe timeout. */
  reachable(host: string): Promise<boolean>;
  /** The probebook package root (holds node_modules and dist). */
  root: string;
  env: NodeJS.ProcessEnv;
  euid: number | undefined;
  stderr: NodeJS.WritableStream;
  stdout: NodeJS.WritableStream;
}

/** The probebook package folder, found upwards from this module (source or bundle). */
export function findPackageRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'probebook') return dir;
  }
  throw new Error(`Cannot find the probebook package folder above ${from}; is the installation complete?`);
}

/** The Electron executable of the electron package, when its binary is installed (as its index.js finds it). */
export function findElectronBinary(packageDir: string, env: NodeJS.ProcessEnv): string | null {
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const binary = env.ELECTRON_OVERRIDE_DIST_PATH ? join(env.ELECTRON_OVERRIDE_DIST_PATH, relative) : join(packageDir, 'dist', relative);
  return existsSync(binary) ? binary : null;
}

/** Environment for the Electron app: without variables that would turn it into Node or load hooks. */
export function electronEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = { ...env };
  delete clean.ELECTRON_RUN_AS_NODE;
  delete clean.NODE_OPTIONS;
  return clean;
}

/** Splits `start`'s arguments: notebooks for the app, the rest (minus --browser) for serve. */
export function parseStartArgs(argv: string[]): { help: boolean; browser: boolean; files: string[]; serveArgs: string[] } {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: false,
    allowPositionals: true,
    options: {
      browser: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      port: { type: 'string' },
      host: { type: 'string' },
    },
  });
  return {
    help: values.help === true,
    browser: values.browser === true,
    files: positionals,
    serveArgs: argv.filter((a) => a !== '--browser'),
  };
}

function defaultDeps(): StartDeps {
  return {
    serve: async (argv) => (await import('./serve.ts')).serveCommand(argv),
    runElectron: async (binary, args) => {
      const result = await execa(binary, args, { stdio: 'inherit', env: electronEnv(process.env), extendEnv: false, reject: false });
      return result.exitCode ?? 1;
    },
    installElectron: async (packageDir) => {
      const result = await execa(process.execPath, [join(packageDir, 'install.js')], {
        cwd: packageDir,
        timeout: INSTALL_TIMEOUT_MS,
        reject: false,
        stdin: 'ignore',
      });
      if (result.timedOut) return `it took longer than ${INSTALL_TIMEOUT_MS / 1000} s`;
      // install.js prints the error's stack; its first line says what went wrong.
      if (result.exitCode !== 0)
        return String(result.stderr || result.stdout || result.shortMessage || 'unknown error')
          .trim()
          .split('\n')[0]!;
      return null;
    },
    reachable: (host) =>
      new Promise((resolve) => {
        const socket = connect({ host, port: 443, timeout: PROBE_TIMEOUT_MS });
        const done = (ok: boolean) => {
          socket.destroy();
          resolve(ok);
        };
        socket.once('connect', () => done(true));
        socket.once('timeout', () => done(false));
        socket.once('error', () => done(false));
      }),
    root: findPackageRoot(import.meta.dirname),
    env: process.env,
    euid: process.geteuid?.(),
    stderr: process.stderr,
    stdout: process.stdout,
  };
}

export async function startCommand(argv: string[], overrides: Partial<StartDeps> = {}): Promise<number> {
  const deps: StartDeps = { ...defaultDeps(), ...overrides };
  const args = readCommandArgs('start', START_USAGE, deps, () => parseStartArgs(argv));
  if (typeof args === 'number') return args;
  const packageDir = join(deps.root, 'node_modules', 'electron');
  const facts: StartFacts = {
    forceBrowser: args.browser,
    euid: deps.euid,
    hasDisplay: Boolean(deps.env.DISPLAY || deps.env.WAYLAND_DISPLAY),
    hasElectronPackage: existsSync(join(packageDir, 'package.json')),
    electronBinary: findElectronBinary(packageDir, deps.env),
    downloadBlocked: null,
    installFailure: undefined,
  };
  let plan = planStart(facts);
  if (plan.kind === 'install') {
    const reachable = usesProxy(deps.env) || (await deps.reachable(electronDownloadHost(deps.env)));
    facts.downloadBlocked = downloadBlockedReason(deps.env, reachable);
    if (facts.downloadBlocked === null) {
      deps.stderr.write('Electron is not downloaded yet; running its installer once (node node_modules/electron/install.js)…\n');
      facts.installFailure = await deps.installElectron(packageDir);
      facts.electronBinary = findElectronBinary(packageDir, deps.env);
    }
    plan = planStart(facts);
  }
  if (plan.kind === 'electron') {
    const main = join(deps.root, 'dist', 'electron', 'main.js');
    if (!existsSync(main)) {
      deps.stderr.write(`The desktop app is not built (${main} is missing); run: npm run build\n`);
      return 2;
    }
    return deps.runElectron(plan.binary, [main, '--', ...args.files]);
  }
  if (plan.kind === 'install') throw new Error('start: the installer step did not settle (planStart returned install twice)');
  deps.stderr.write(`${plan.message}\n`);
  return deps.serve(args.serveArgs);
}
