/**
 * The layer rule of DESIGN.md, as code: `core/common` ← `core/node` ← `electron`;
 * `core/common` ← `renderer`. Nothing imports `electron/` or `renderer/` from outside, and
 * `core/common` imports neither Node nor DOM modules. `npm test` fails on any violation.
 */
import { builtinModules } from 'node:module';
import { dirname, join, normalize } from 'node:path';

export type Layer = 'core/common' | 'core/node' | 'electron' | 'renderer' | 'other';

/** Which layers each layer may import (itself included). */
const ALLOWED: Record<Exclude<Layer, 'other'>, Layer[]> = {
  'core/common': ['core/common'],
  'core/node': ['core/common', 'core/node'],
  electron: ['core/common', 'core/node', 'electron'],
  renderer: ['core/common', 'renderer'],
};

/** Packages `core/common` may use: pure JavaScript, no Node or DOM. */
const COMMON_PACKAGES = new Set(['lossless-json']);
/** Packages that need the DOM; the Node side must not load them. */
const DOM_PACKAGES = new Set(['monaco-editor', 'plotly.js-dist-min', 'dompurify']);
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * The privilege boundary inside `core/node`: the session side (unprivileged, owns documents and
 * trust) reaches the kernel host (root) only through its client and the protocol, and the kernel
 * host knows nothing of sessions.
 */
const SESSION = 'core/node/session/';
const KERNEL_HOST = 'core/node/kernel-host/';
const KERNEL_HOST_CLIENT = `${KERNEL_HOST}kernel-host-client.ts`;

function boundaryViolation(from: string, to: string): string | null {
  if (from.startsWith(SESSION) && to.startsWith(KERNEL_HOST) && to !== KERNEL_HOST_CLIENT)
    return `the session side reaches the kernel host only through ${KERNEL_HOST_CLIENT}`;
  if (from.startsWith(KERNEL_HOST) && to.startsWith(SESSION)) return 'the kernel host (root) may not import the session side';
  return null;
}

function layerOf(path: string): Layer {
  const p = normalize(path);
  if (p.startsWith('core/common/')) return 'core/common';
  if (p.startsWith('core/node/')) return 'core/node';
  if (p.startsWith('electron/')) return 'electron';
  if (p.startsWith('renderer/')) return 'renderer';
  return 'other';
}

/** Import specifiers of a TypeScript source: static, type-only, re-exports and dynamic imports. */
export function importsOf(source: string): string[] {
  const specs: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) specs.push(m[1]!);
  return specs;
}

export interface Violation {
  file: string;
  specifier: string;
  reason: string;
}

/** Checks files (paths relative to the repository root) against the layer rule. */
export function findLayerViolations(files: { path: string; source: string }[]): Violation[] {
  const out: Violation[] = [];
  for (const { path, source } of files) {
    const from = layerOf(path);
    if (from === 'other') continue;
    const isTest = /\.test\.ts$/.test(path);
    for (const spec of importsOf(source)) {
      if (spec.startsWith('.')) {
        const resolved = normalize(join(dirname(path), spec));
        const target = layerOf(resolved);
        // Tests beside the code may use the shared test support.
        if (isTest && resolved.startsWith('test/')) continue;
        if (!ALLOWED[from].includes(target)) {
          out.push({ file: path, specifier: spec, reason: `${from} may not import ${target}` });
        }
        const boundary = boundaryViolation(normalize(path), resolved);
        if (boundary) out.push({ file: path, specifier: spec, reason: boundary });
        continue;
      }
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (from === 'core/common' && !isTest) {
        if (NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(pkg)) {
          out.push({ file: path, specifier: spec, reason: 'core/common may not import Node modules' });
        } else if (!COMMON_PACKAGES.has(pkg)) {
          out.push({ file: path, specifier: spec, reason: `core/common may not import package ${pkg} (allowed: ${[...COMMON_PACKAGES].join(', ')})` });
        }
      }
      if (from === 'renderer' && !isTest && (NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(pkg))) {
        out.push({ file: path, specifier: spec, reason: 'renderer may not import Node modules' });
      }
      if ((from === 'core/node' || from === 'core/common') && DOM_PACKAGES.has(pkg)) {
        out.push({ file: path, specifier: spec, reason: `${from} may not import the DOM package ${pkg}` });
      }
      if (from !== 'electron' && pkg === 'electron') {
        out.push({ file: path, specifier: spec, reason: `only electron/ may import electron` });
      }
    }
  }
  return out;
}
