import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { electronEnv, findElectronBinary, findPackageRoot, parseStartArgs, startCommand, type StartDeps } from './start.ts';

const repoRoot = findPackageRoot(import.meta.dirname);

interface Calls {
  serve: string[][];
  electron: { binary: string; args: string[] }[];
  installs: number;
  probes: string[];
}

function harness(overrides: Partial<StartDeps> & { root: string }): { deps: Partial<StartDeps>; calls: Calls; stderr: () => string } {
  const calls: Calls = { serve: [], electron: [], installs: 0, probes: [] };
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const deps: Partial<StartDeps> = {
    serve: async (argv) => (calls.serve.push(argv), 0),
    runElectron: async (binary, args) => (calls.electron.push({ binary, args }), 0),
    installElectron: async () => (calls.installs++, 'getaddrinfo ENOTFOUND github.com'),
    reachable: async (host) => (calls.probes.push(host), false),
    env: { DISPLAY: ':0' },
    euid: 1000,
    stderr,
    stdout: new PassThrough(),
    ...overrides,
  };
  return { deps, calls, stderr: () => text };
}

/** A package root with node_modules/electron (no binary) and a built main.js. */
function fakeRoot(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'pb-start-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'node_modules', 'electron'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'electron', 'package.json'), '{"name":"electron"}');
  mkdirSync(join(root, 'dist', 'electron'), { recursive: true });
  writeFileSync(join(root, 'dist', 'electron', 'main.js'), '');
  return root;
}

function installBinary(root: string): string {
  const dir = join(root, 'node_modules', 'electron');
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'path.txt'), 'electron');
  writeFileSync(join(dir, 'dist', 'electron'), '#!/bin/sh\n');
  chmodSync(join(dir, 'dist', 'electron'), 0o755);
  return join(dir, 'dist', 'electron');
}

test('in this checkout, without the Electron binary, says so and starts browser mode with the same arguments', async () => {
  // The override points at nothing, so the test means the same where the binary was downloaded.
  const env = { DISPLAY: ':0', ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ELECTRON_OVERRIDE_DIST_PATH: join(tmpdir(), 'pb-no-electron-here') };
  const { deps, calls, stderr } = harness({ root: repoRoot, env });
  const code = await startCommand(['lab.ipynb', '--port', '8899', '--browser-less-flag'], deps);
  assert.equal(code, 0);
  assert.equal(
    stderr(),
    'Electron is not installed (its binary is not downloaded, and ELECTRON_SKIP_BINARY_DOWNLOAD is set); starting browser mode instead (probebook serve).\n',
  );
  assert.deepEqual(calls.serve, [['lab.ipynb', '--port', '8899', '--browser-less-flag']]);
  assert.equal(calls.installs, 0);
  assert.deepEqual(calls.electron, []);
});

test('offline, probes the download host, skips the installer and falls back', async (t) => {
  const root = fakeRoot(t);
  const { deps, calls, stderr } = harness({ root });
  assert.equal(await startCommand(['a.ipynb'], deps), 0);
  assert.deepEqual(calls.probes, ['github.com']);
  assert.equal(calls.installs, 0);
  assert.match(
    stderr(),
    /^Electron is not installed \(its binary is not downloaded, and its download server is unreachable from here\); starting browser mode instead/,
  );
  assert.deepEqual(calls.serve, [['a.ipynb']]);
});

test('online, runs the installer once; when it fails, says why and falls back', async (t) => {
  const root = fakeRoot(t);
  const { deps, calls, stderr } = harness({ root, reachable: async () => true });
  assert.equal(await startCommand([], deps), 0);
  assert.equal(calls.installs, 1);
  assert.match(stderr(), /running its installer once/);
  assert.match(stderr(), /Electron is not installed \(downloading its binary failed: getaddrinfo ENOTFOUND github\.com; retry with/);
  assert.deepEqual(calls.serve, [[]]);
});

test('when the installer brings the binary, launches Electron with the main bundle and the notebooks', async (t) => {
  const root = fakeRoot(t);
  let binary = '';
  const { deps, calls } = harness({
    root,
    reachable: async () => true,
    installElectron: async () => ((binary = installBinary(root)), null),
  });
  assert.equal(await startCommand(['a.ipynb', '--browser-less', 'b.ipynb'], deps), 0);
  assert.deepEqual(calls.electron, [{ binary, args: [join(root, 'dist/electron/main.js'), '--', 'a.ipynb', 'b.ipynb'] }]);
  assert.deepEqual(calls.serve, []);
});

test('with the binary installed, launches it straight away and returns its exit code', async (t) => {
  const root = fakeRoot(t);
  const binary = installBinary(root);
  const { deps, calls } = harness({ root, runElectron: async (b, a) => (calls.electron.push({ binary: b, args: a }), 3) });
  assert.equal(await startCommand(['x.ipynb'], deps), 3);
  assert.equal(calls.electron[0]?.binary, binary);
  assert.equal(calls.installs + calls.probes.length, 0);
});

test('--browser and a missing display go to browser mode without probing or installing', async (t) => {
  const root = fakeRoot(t);
  installBinary(root);
  for (const [argv, env, message] of [
    [['--browser', 'a.ipynb'], { DISPLAY: ':0' }, /Browser mode \(--browser\)/],
    [['a.ipynb'], {}, /no graphical display/],
  ] as const) {
    const { deps, calls, stderr } = harness({ root, env: { ...env } });
    assert.equal(await startCommand([...argv], deps), 0);
    assert.match(stderr(), message);
    assert.deepEqual(calls.serve, [['a.ipynb']]);
    assert.equal(calls.electron.length + calls.installs + calls.probes.length, 0);
  }
});

test('an unbuilt desktop app is reported with the command that builds it', async (t) => {
  const root = fakeRoot(t);
  installBinary(root);
  rmSync(join(root, 'dist'), { recursive: true });
  const { deps, calls, stderr } = harness({ root });
  assert.equal(await startCommand([], deps), 2);
  assert.match(stderr(), /not built .*main\.js is missing\); run: npm run build/);
  assert.deepEqual(calls.electron, []);
});

test('finds the binary the way electron’s index.js does, honouring ELECTRON_OVERRIDE_DIST_PATH', (t) => {
  const root = fakeRoot(t);
  const dir = join(root, 'node_modules', 'electron');
  assert.equal(findElectronBinary(dir, {}), null);
  const binary = installBinary(root);
  assert.equal(findElectronBinary(dir, {}), binary);
  assert.equal(findElectronBinary(dir, { ELECTRON_OVERRIDE_DIST_PATH: join(root, 'elsewhere') }), null);
});

test('the app gets no variables that would turn Electron into Node or preload code into it', () => {
  const env = electronEnv({ ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '--import tsx', HOME: '/home/u' });
  assert.deepEqual(env, { HOME: '/home/u' });
});

test('separates notebooks, --browser and the options meant for serve', () => {
  assert.deepEqual(parseStartArgs(['--port', '9000', 'a.ipynb', '--browser', '--allow-root']), {
    help: false,
    browser: true,
    files: ['a.ipynb'],
    serveArgs: ['--port', '9000', 'a.ipynb', '--allow-root'],
  });
  assert.equal(parseStartArgs(['-h']).help, true);
});
