import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { findLayerViolations, importsOf } from './layers.ts';

const root = resolve(import.meta.dirname, '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) sources(full, out);
    else if (/\.(ts|tsx|mts)$/.test(e.name)) out.push(relative(root, full));
  }
  return out;
}

test('no layer imports upward and core/common imports neither Node nor DOM modules', () => {
  const files = ['core', 'electron', 'renderer'].flatMap((d) => sources(join(root, d)));
  assert.ok(files.length > 0);
  const violations = findLayerViolations(files.map((path) => ({ path, source: readFileSync(join(root, path), 'utf8') })));
  assert.deepEqual(violations, []);
});

test('the layer check catches upward imports, Node modules in core/common and DOM packages in core/node', () => {
  const violations = findLayerViolations([
    { path: 'core/common/a.ts', source: `import { readFile } from 'node:fs';\nimport x from '../node/cli.ts';` },
    { path: 'core/common/b.ts', source: `import type { T } from "fs";` },
    { path: 'core/node/c.ts', source: `import * as monaco from 'monaco-editor';\nimport { w } from '../../renderer/app/main.ts';` },
    { path: 'renderer/d.ts', source: `export { x } from '../core/node/cli.ts';\nconst m = await import('node:path');` },
    { path: 'core/node/e.ts', source: `import { app } from 'electron';` },
    { path: 'electron/main/f.ts', source: `import { run } from '../../core/node/cli.ts';\nimport { app } from 'electron';` },
  ]);
  const summary = violations.map((v) => `${v.file} ${v.specifier}`).sort();
  assert.deepEqual(summary, [
    'core/common/a.ts ../node/cli.ts',
    'core/common/a.ts node:fs',
    'core/common/b.ts fs',
    'core/node/c.ts ../../renderer/app/main.ts',
    'core/node/c.ts monaco-editor',
    'core/node/e.ts electron',
    'renderer/d.ts ../core/node/cli.ts',
    'renderer/d.ts node:path',
  ]);
});

test('the session side reaches the kernel host only through its client; the kernel host never imports the session side', () => {
  const violations = findLayerViolations([
    {
      path: 'core/node/session/a.ts',
      source: `import { KernelHostClient } from '../kernel-host/kernel-host-client.ts';\nimport { KernelHost } from '../kernel-host/kernel-host.ts';`,
    },
    { path: 'core/node/kernel-host/b.ts', source: `import { TrustStore } from '../session/trust.ts';\nimport { readLines } from './ndjson.ts';` },
    { path: 'core/node/commands/c.ts', source: `import { KernelHost } from '../kernel-host/kernel-host.ts';` },
  ]);
  assert.deepEqual(violations.map((v) => `${v.file} ${v.specifier}`).sort(), [
    'core/node/kernel-host/b.ts ../session/trust.ts',
    'core/node/session/a.ts ../kernel-host/kernel-host.ts',
  ]);
});

test('import scanning sees static, type-only, side-effect, re-export and dynamic imports', () => {
  const specs = importsOf(`import a from 'a';\nimport type { B } from "b";\nimport 'c';\nexport * from './d.ts';\nconst e = await import('e');`);
  assert.deepEqual(specs.sort(), ['./d.ts', 'a', 'b', 'c', 'e']);
});

test('core/common type-checks without Node or DOM typings', () => {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.common.json')], { stdio: 'pipe' });
});
