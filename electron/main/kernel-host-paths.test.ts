import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSystemNode, kernelHostBundle } from './kernel-host-paths.ts';

test('in a checkout the kernel host is the Node bundle beside dist/electron', () => {
  assert.equal(kernelHostBundle('/src/probebook/dist/electron'), '/src/probebook/dist/node/kernel-host.js');
});

test('in a packaged app the kernel host is read from app.asar.unpacked, where a system node can read it', () => {
  assert.equal(kernelHostBundle('/opt/Probebook/resources/app.asar/dist/electron'), '/opt/Probebook/resources/app.asar.unpacked/dist/node/kernel-host.js');
  assert.equal(kernelHostBundle('/home/u/app.asar.d/dist/electron'), '/home/u/app.asar.d/dist/node/kernel-host.js', 'only a whole path part is the asar');
});

test('finds the first executable node on PATH, skipping folders and plain files', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-node-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const d of ['a', 'b', 'c', 'd']) mkdirSync(join(dir, d));
  mkdirSync(join(dir, 'a', 'node'));
  writeFileSync(join(dir, 'b', 'node'), '');
  writeFileSync(join(dir, 'c', 'node'), '#!/bin/sh\n');
  chmodSync(join(dir, 'c', 'node'), 0o755);
  writeFileSync(join(dir, 'd', 'node'), '#!/bin/sh\n');
  chmodSync(join(dir, 'd', 'node'), 0o755);
  const path = ['', join(dir, 'a'), join(dir, 'missing'), join(dir, 'b'), join(dir, 'c'), join(dir, 'd')].join(':');
  // Root may execute any file with an x bit; a mode-0644 file is still not a candidate for it.
  assert.equal(findSystemNode(path), join(dir, 'c', 'node'));
  assert.equal(findSystemNode(join(dir, 'a')), null);
  assert.equal(findSystemNode(undefined), null);
});
