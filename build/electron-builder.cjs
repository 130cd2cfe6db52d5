// electron-builder configuration for the desktop packages (Linux: AppImage and deb).
//   npm run build && npx electron-builder --config build/electron-builder.cjs --linux AppImage deb
// electron-builder is not a dependency (it downloads tools and Electron itself); install it where
// packages are made. Fuses are flipped by the afterPack hook in electron-fuses.cjs.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { afterPack } = require('./electron-fuses.cjs');
const { parseDesktopEntry } = require('./linux/desktop-entry.cjs');

const NOTEBOOK_MIME = 'application/x-ipynb+json';

const desktopFile = parseDesktopEntry(readFileSync(join(__dirname, 'linux', 'probebook.desktop'), 'utf8'));
// electron-builder writes Exec, Icon and Type for where each package installs the app.
const { Exec: _exec, Icon: _icon, Type: _type, ...desktopEntry } = desktopFile;

/** @type {import('electron-builder').Configuration} */
const config = {
  appId: 'io.probebook.Probebook',
  productName: 'Probebook',
  executableName: 'probebook',
  copyright: 'Probebook contributors, MIT License',
  directories: { output: 'dist/packages', buildResources: 'build' },
  // Main and preload are self-contained bundles; the page is static files.
  extraMetadata: { main: 'dist/electron/main.js' },
  files: [
    'package.json',
    'dist/electron/**',
    'dist/renderer/**',
    'dist/node/**',
    '!**/*.map',
    // Bundled into dist/renderer at build time; the packaged app never loads them from node_modules.
    '!node_modules/{monaco-editor,plotly.js-dist-min,dompurify,marked}/**',
  ],
  asar: true,
  // The kernel host runs as root under the system `node` (RunAsNode is fused off), which cannot
  // read inside app.asar: its bundle and runtime packages stay outside the archive.
  asarUnpack: ['dist/node/**', 'node_modules/**'],
  afterPack,
  fileAssociations: [{ ext: 'ipynb', name: 'Jupyter Notebook', description: 'Jupyter notebook', mimeType: NOTEBOOK_MIME, role: 'Editor' }],
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Development',
    synopsis: 'Notebooks for Linux networking and eBPF labs',
    mimeTypes: [NOTEBOOK_MIME],
    desktop: { entry: desktopEntry },
  },
  deb: {
    // Cells use these tools; bpftrace and tcpdump are what labs need first. The rest the doctor offers.
    recommends: ['bpftrace', 'tcpdump', 'iproute2', 'iptables', 'pkexec'],
  },
};

// Only the configuration: electron-builder rejects unknown top-level properties.
module.exports = config;
