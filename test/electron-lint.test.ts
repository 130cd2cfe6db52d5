import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { lintElectron } from './electron-lint.ts';

const root = resolve(import.meta.dirname, '..');

function electronSources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) electronSources(full, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

function rules(path: string, source: string): string[] {
  return lintElectron([{ path, source }]).map((f) => `${f.rule}: ${f.message}`);
}

test('the Electron sources pass the lint: secure webPreferences, a sealed preload, one IPC hub', () => {
  const files = electronSources(join(root, 'electron')).map((path) => ({ path, source: readFileSync(join(root, path), 'utf8') }));
  assert.ok(files.some((f) => f.path === 'electron/preload/preload.ts'));
  assert.ok(
    files.some((f) => f.source.includes('new BrowserWindow(')),
    'the windows are linted',
  );
  assert.deepEqual(lintElectron(files), []);
});

const secureWindow = `new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, preload: p } });`;

test('catches a window with a missing, weakened or computed preference', () => {
  assert.deepEqual(rules('electron/main/w.ts', secureWindow), []);
  assert.deepEqual(rules('electron/main/w.ts', `new BrowserWindow({ width: 1 });`), [
    'web-preferences: new BrowserWindow without a literal webPreferences object',
  ]);
  assert.deepEqual(rules('electron/main/w.ts', secureWindow.replace('sandbox: true', 'sandbox: false')), [
    'web-preferences: webPreferences.sandbox must be the literal true',
  ]);
  assert.deepEqual(rules('electron/main/w.ts', secureWindow.replace('nodeIntegration: false', 'nodeIntegration: isDev')), [
    'web-preferences: webPreferences.nodeIntegration must be the literal false',
  ]);
  assert.deepEqual(rules('electron/main/w.ts', secureWindow.replace('webSecurity: true, ', '')), [
    'web-preferences: webPreferences.webSecurity must be the literal true',
  ]);
  assert.deepEqual(rules('electron/main/w.ts', secureWindow.replace('preload: p', 'webviewTag: true')), [
    'web-preferences: webPreferences.webviewTag is not allowed',
  ]);
  assert.ok(
    rules(
      'electron/main/w.ts',
      `new BrowserWindow({ webPreferences: { ...base, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true } });`,
    ).includes('web-preferences: webPreferences may not use spreads or computed keys'),
  );
  assert.ok(rules('electron/main/w.ts', `new BrowserWindow({ webPreferences: prefs });`).includes('web-preferences: webPreferences must be an object literal'));
});

const goodPreload = `
import { contextBridge, ipcRenderer } from 'electron';
ipcRenderer.on(PORT_CHANNEL, (e) => window.postMessage({}, APP_ORIGIN, [e.ports[0]]));
const bridge = { bridgeVersion: BRIDGE_VERSION, platform: process.platform, connect: () => ipcRenderer.invoke('c'), async x() {} };
contextBridge.exposeInMainWorld('probebookBridge', bridge);
`;

test('catches a preload that exposes ipcRenderer or posts the port to any origin', () => {
  const path = 'electron/preload/preload.ts';
  assert.deepEqual(rules(path, goodPreload), []);
  assert.ok(rules(path, goodPreload.replace("connect: () => ipcRenderer.invoke('c')", 'ipc: ipcRenderer')).some((r) => r.startsWith('preload-ipc')));
  assert.ok(
    rules(path, goodPreload.replace("connect: () => ipcRenderer.invoke('c')", 'send: (c, ...a) => ipcRenderer.send(c, ...a)')).some((r) =>
      r.startsWith('preload-ipc'),
    ),
    'a generic send is ipcRenderer in disguise',
  );
  assert.ok(
    rules(path, goodPreload.replace("connect: () => ipcRenderer.invoke('c')", 'on: ipcRenderer.on.bind(ipcRenderer)')).some((r) => r.startsWith('preload-ipc')),
  );
  assert.ok(rules(path, goodPreload.replace('bridge);', '{ ...bridge });')).some((r) => r.startsWith('preload-expose')));
  assert.ok(rules(path, goodPreload.replace('platform: process.platform', 'env: process.env')).some((r) => r.startsWith('preload-expose')));
  assert.ok(rules(path, goodPreload.replace('APP_ORIGIN', "'*'")).some((r) => r.startsWith('preload-port')));
  assert.ok(rules(path, `${goodPreload}contextBridge.exposeInMainWorld('other', bridge);`).some((r) => r.includes('called 2 times')));
});

test('catches IPC listeners outside the hub and windows allowed open', () => {
  assert.deepEqual(rules('electron/main/ipc.ts', `ipcMain.handle('c', f); ipcMain.removeHandler('c');`), []);
  assert.deepEqual(rules('electron/main/x.ts', `ipcMain.handle('c', f);`), ['ipc-hub: ipcMain.handle outside electron/main/ipc.ts']);
  assert.deepEqual(rules('electron/main/ipc.ts', `ipcMain.on('c', f);`), ['ipc-hub: ipcMain.on: the hub uses invoke handlers only']);
  assert.deepEqual(rules('electron/main/s.ts', `c.setWindowOpenHandler(() => ({ action: 'allow' }));`), ['window-open: setWindowOpenHandler must deny']);
});
