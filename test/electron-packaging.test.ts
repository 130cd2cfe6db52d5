import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const config = require('../build/electron-builder.cjs');
const { FUSES, afterPack } = require('../build/electron-fuses.cjs');
const { parseDesktopEntry } = require('../build/linux/desktop-entry.cjs');
const { FuseState } = require('@electron/fuses/dist/constants');

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

/** A file laid out like an Electron binary's fuse wire: sentinel, version 1, length, all fuses as shipped. */
function fakeElectron(path: string, fuses: number[]): void {
  const wire = Buffer.from([1, fuses.length, ...fuses]);
  writeFileSync(path, Buffer.concat([Buffer.alloc(4096, 0x7f), Buffer.from(SENTINEL), wire, Buffer.alloc(4096, 0x7f)]));
}

function packContext(appOutDir: string) {
  return { appOutDir, electronPlatformName: 'linux', arch: 1, packager: { executableName: 'probebook', appInfo: { productFilename: 'Probebook' } } };
}

const EXPECTED: Record<string, number> = {
  RunAsNode: FuseState.DISABLE,
  EnableCookieEncryption: FuseState.ENABLE,
  EnableNodeOptionsEnvironmentVariable: FuseState.DISABLE,
  EnableNodeCliInspectArguments: FuseState.DISABLE,
  EnableEmbeddedAsarIntegrityValidation: FuseState.ENABLE,
  OnlyLoadAppFromAsar: FuseState.ENABLE,
  LoadBrowserProcessSpecificV8Snapshot: FuseState.DISABLE,
  GrantFileProtocolExtraPrivileges: FuseState.DISABLE,
};

test('the afterPack hook flips every fuse of the packed binary the way SECURITY.md asks', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-fuses-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const exe = join(dir, 'probebook');
  // Electron's defaults: RunAsNode, NODE_OPTIONS, inspect and file:// privileges on; the rest off.
  const shipped = [
    FuseState.ENABLE,
    FuseState.DISABLE,
    FuseState.ENABLE,
    FuseState.ENABLE,
    FuseState.DISABLE,
    FuseState.DISABLE,
    FuseState.DISABLE,
    FuseState.ENABLE,
    FuseState.ENABLE,
  ];
  fakeElectron(exe, shipped);

  await config.afterPack(packContext(dir));

  const wire = await getCurrentFuseWire(exe);
  for (const [name, state] of Object.entries(EXPECTED)) {
    assert.equal(wire[FuseV1Options[name as keyof typeof FuseV1Options]], state, name);
  }
  assert.equal(wire[8 as FuseV1Options], FuseState.ENABLE, 'a fuse newer than @electron/fuses is left as shipped');
});

test('the fuse configuration names every known fuse explicitly', () => {
  const configured = Object.keys(FUSES)
    .filter((k) => k !== 'version')
    .map((k) => FuseV1Options[Number(k)]);
  assert.deepEqual(configured.sort(), Object.keys(EXPECTED).sort());
  assert.equal(config.afterPack, afterPack);
});

test('packaging fails loudly when the binary has no fuse wire', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-fuses-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'probebook'), Buffer.alloc(1024));
  await assert.rejects(afterPack(packContext(dir)), /Could not find sentinel/);
});

test('builds an AppImage and a deb that open .ipynb files as application/x-ipynb+json', () => {
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(config.fileAssociations, [
    { ext: 'ipynb', name: 'Jupyter Notebook', description: 'Jupyter notebook', mimeType: 'application/x-ipynb+json', role: 'Editor' },
  ]);
  assert.deepEqual(config.linux.mimeTypes, ['application/x-ipynb+json']);
  assert.equal(config.linux.desktop.entry.MimeType, 'application/x-ipynb+json;');
  assert.equal(config.linux.desktop.entry.Exec, undefined, 'electron-builder writes Exec for each package');
  assert.equal(config.asar, true, 'OnlyLoadAppFromAsar needs an asar');
});

test('packs the bundles the build makes, with main pointing at the main bundle', () => {
  assert.equal(config.extraMetadata.main, 'dist/electron/main.js');
  for (const folder of ['dist/electron/**', 'dist/renderer/**', 'dist/node/**']) assert.ok(config.files.includes(folder), folder);
  const electronTarget = readFileSync(join(root, 'build/targets/electron.mjs'), 'utf8');
  assert.match(electronTarget, /entryPoints: \{ main: /);
  assert.match(electronTarget, /outdir = join\(root, 'dist\/electron'\)/);
});

test('the desktop entry is valid and associates notebooks', () => {
  const text = readFileSync(join(root, 'build/linux/probebook.desktop'), 'utf8');
  assert.match(text, /^\[Desktop Entry\]\n/);
  const entry = parseDesktopEntry(text);
  for (const key of ['Type', 'Name', 'Exec', 'Icon', 'Categories', 'MimeType']) assert.ok(entry[key], `${key} is set`);
  assert.equal(entry.Type, 'Application');
  assert.match(entry.Exec, /^probebook %[UF]$/, 'file managers pass the notebooks');
  assert.ok(entry.Categories.split(';').includes('Development'), 'a registered main category');
  for (const list of ['Categories', 'MimeType', 'Keywords']) assert.ok(entry[list].endsWith(';'), `${list} ends with ;`);
  assert.ok(entry.MimeType.split(';').includes('application/x-ipynb+json'));
});

test('parses only the [Desktop Entry] group of a desktop file', () => {
  const entry = parseDesktopEntry('# c\n[Desktop Entry]\nName = A\nExec=a %U\n\n[Desktop Action new]\nName=B\n');
  assert.deepEqual(entry, { Name: 'A', Exec: 'a %U' });
});
