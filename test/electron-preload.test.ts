/**
 * The built preload (dist layout, CommonJS) run in a VM with stand-ins for the two Electron
 * objects it may use, since the Electron binary is not installed here. Proves the bundle needs
 * nothing but `electron`, exposes only the bridge's named functions, and hands the host port to
 * the app origin only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import vm from 'node:vm';
import * as esbuild from 'esbuild';
import { BRIDGE_PORT_MESSAGE, type ProbebookBridge } from '../core/common/bridge.ts';
import { IPC, PORT_CHANNEL } from '../electron/shared/ipc-channels.ts';

const root = resolve(import.meta.dirname, '..');

async function preloadSource(): Promise<string> {
  const { targets } = (await import(pathToFileURL(join(root, 'build/targets/electron.mjs')).href)) as { targets(root: string): esbuild.BuildOptions[] };
  const options = targets(root).find((o) => (o.outExtension as Record<string, string>)['.js'] === '.cjs');
  assert.ok(options, 'the preload target exists');
  const result = await esbuild.build({ ...options, write: false, sourcemap: false, logLevel: 'error' });
  return result.outputFiles[0]!.text;
}

interface FakePort {
  closed: boolean;
  close(): void;
}

function load(source: string, origin: string, userActive = true) {
  const listeners = new Map<string, (event: { ports: FakePort[] }, data: unknown) => void>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const posted: { data: unknown; targetOrigin: string; transfer: unknown[] }[] = [];
  const exposed = new Map<string, unknown>();
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (name: string, api: unknown) => exposed.set(name, api) },
    ipcRenderer: {
      on: (channel: string, listener: (event: { ports: FakePort[] }, data: unknown) => void) => listeners.set(channel, listener),
      invoke: async (channel: string, ...args: unknown[]) => {
        invoked.push({ channel, args });
        // Main posts the port after answering, as over real IPC: connect() must wait for it.
        if (channel === IPC.connect) setImmediate(deliverPort);
        return null;
      },
    },
  };
  const port: FakePort = { closed: false, close: () => void (port.closed = true) };
  const deliverPort = () => listeners.get(PORT_CHANNEL)?.({ ports: [port] }, { type: BRIDGE_PORT_MESSAGE, bridgeVersion: 1 });
  const sandboxRequire = (name: string) => {
    required.push(name);
    if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
    return electron;
  };
  const window = {
    location: { origin },
    postMessage: (data: unknown, targetOrigin: string, transfer: unknown[]) => posted.push({ data, targetOrigin, transfer }),
  };
  const context = vm.createContext({
    require: sandboxRequire,
    module: { exports: {} },
    exports: {},
    window,
    navigator: { userActivation: { isActive: userActive } },
    process: { platform: 'linux' },
    queueMicrotask,
    Promise,
    TypeError,
    Error,
  });
  vm.runInContext(source, context);
  return { exposed, invoked, posted, port, required, deliverPort };
}

test('the preload bundle requires nothing but electron and exposes only the bridge', async () => {
  const { exposed, required } = load(await preloadSource(), 'app://probebook');
  assert.deepEqual([...new Set(required)], ['electron']);
  assert.deepEqual([...exposed.keys()], ['probebookBridge']);
  const bridge = exposed.get('probebookBridge') as Record<string, unknown>;
  assert.deepEqual(Object.keys(bridge).sort(), [
    'bridgeVersion',
    'connect',
    'exportPdf',
    'launchFile',
    'openExternal',
    'openFileDialog',
    'openNotebookWindow',
    'platform',
    'saveFileDialog',
  ]);
  for (const [name, value] of Object.entries(bridge)) {
    if (name !== 'bridgeVersion' && name !== 'platform') assert.equal(typeof value, 'function', name);
  }
  assert.equal(bridge.platform, 'linux');
});

test('connect() resolves once the host port was posted to the app origin', async () => {
  const { exposed, invoked, posted, port } = load(await preloadSource(), 'app://probebook');
  const bridge = exposed.get('probebookBridge') as ProbebookBridge;
  await bridge.connect();
  assert.deepEqual(invoked, [{ channel: IPC.connect, args: [] }]);
  assert.equal(posted.length, 1);
  // The message object comes from the VM's realm: compare its fields, not its prototype.
  assert.equal(JSON.stringify(posted[0]!.data), JSON.stringify({ type: BRIDGE_PORT_MESSAGE, bridgeVersion: 1 }));
  assert.equal(posted[0]!.targetOrigin, 'app://probebook');
  assert.equal(posted[0]!.transfer.length, 1);
  assert.equal(posted[0]!.transfer[0], port);
  assert.equal(port.closed, false);
});

test('a page that is not on the app origin never gets the port', async () => {
  const { posted, port, deliverPort } = load(await preloadSource(), 'https://evil.example');
  deliverPort();
  assert.deepEqual(posted, []);
  assert.equal(port.closed, true);
});

test('the bridge checks its arguments and the user gesture before calling main', async () => {
  const active = load(await preloadSource(), 'app://probebook');
  const bridge = active.exposed.get('probebookBridge') as ProbebookBridge;
  await bridge.saveFileDialog('lab.ipynb');
  await bridge.openExternal('https://docs.ebpf.io/');
  await assert.rejects(bridge.openNotebookWindow(42 as unknown as string), /path must be a string/);
  assert.throws(() => bridge.saveFileDialog({} as unknown as string), /defaultPath must be a string/);
  await bridge.exportPdf('<!doctype html>', 'lab.html', 'letter');
  assert.throws(() => bridge.exportPdf(new Uint8Array(2) as unknown as string, 'lab.html'), /html must be a string/);
  assert.deepEqual(active.invoked, [
    { channel: IPC.saveFileDialog, args: ['lab.ipynb'] },
    { channel: IPC.openExternal, args: ['https://docs.ebpf.io/'] },
    { channel: IPC.exportPdf, args: ['<!doctype html>', 'lab.html', 'letter'] },
  ]);

  const idle = load(await preloadSource(), 'app://probebook', false);
  await assert.rejects((idle.exposed.get('probebookBridge') as ProbebookBridge).openExternal('https://x.example/'), /only from a click/);
  assert.deepEqual(idle.invoked, []);
});
