import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentTypeOf, readAppFile, resolveAppPath } from './app-files.ts';
import { CONTENT_SECURITY_POLICY } from './csp.ts';
import { OUTPUT_FRAME_CSP } from '../../core/common/output-frames.ts';

const ROOT = '/srv/pb/renderer';

test('maps app URLs to files under the renderer folder', () => {
  assert.deepEqual(resolveAppPath(ROOT, 'app://probebook/'), { ok: true, path: `${ROOT}/index.html` });
  assert.deepEqual(resolveAppPath(ROOT, 'app://probebook/index.html?x=1#y'), { ok: true, path: `${ROOT}/index.html` });
  assert.deepEqual(resolveAppPath(ROOT, 'app://probebook/assets/monaco%20worker.js'), { ok: true, path: `${ROOT}/assets/monaco worker.js` });
  assert.deepEqual(resolveAppPath(ROOT, 'app://probebook/assets/'), { ok: true, path: `${ROOT}/assets/index.html` });
});

test('rejects path traversal in every spelling', () => {
  for (const url of [
    'app://probebook/..%2f..%2fetc%2fpasswd',
    'app://probebook/%2e%2e%2f%2e%2e%2fsecret',
    'app://probebook/assets/..%2F..%2F..%2Fsecret',
    'app://probebook/..%2f',
  ]) {
    const result = resolveAppPath(ROOT, url);
    assert.equal(result.ok, false, url);
    assert.equal(!result.ok && result.status, 403, url);
  }
  // The URL parser itself removes dot segments between real slashes (%2e%2e included) before we see them.
  assert.deepEqual(resolveAppPath(ROOT, 'app://probebook/a/../../../etc/passwd'), { ok: true, path: `${ROOT}/etc/passwd` });
  assert.deepEqual(resolveAppPath(ROOT, 'app://probebook/%2e%2e/%2E%2E/etc/passwd'), { ok: true, path: `${ROOT}/etc/passwd` });
});

test('rejects other origins, NUL bytes, backslashes and broken escapes', () => {
  const cases: [string, number][] = [
    ['app://evil/index.html', 403],
    ['https://probebook/index.html', 403],
    ['app://probebook/a%00.html', 400],
    ['app://probebook/..%5c..%5cwin.ini', 400],
    ['app://probebook/%E0%A4%A', 400],
  ];
  for (const [url, status] of cases) {
    const result = resolveAppPath(ROOT, url);
    assert.equal(!result.ok && result.status, status, url);
  }
});

test('names content types by extension and never leaves them to sniffing', () => {
  assert.equal(contentTypeOf('/x/index.html'), 'text/html; charset=utf-8');
  assert.equal(contentTypeOf('/x/editor.worker.JS'), 'text/javascript; charset=utf-8');
  assert.equal(contentTypeOf('/x/codicon.ttf'), 'font/ttf');
  assert.equal(contentTypeOf('/x/unknown.bin'), 'application/octet-stream');
});

test('serves real files with the CSP, and refuses missing files, folders and symlink escapes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-app-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'renderer');
  mkdirSync(join(root, 'assets', 'sub'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Probebook</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'root password');
  symlinkSync(join(dir, 'secret.txt'), join(root, 'assets', 'leak.txt'));
  symlinkSync(join(root, 'assets', 'app.js'), join(root, 'assets', 'alias.js'));

  const index = await readAppFile(root, 'app://probebook/');
  assert.equal(index.status, 200);
  assert.equal(String(index.body), '<!doctype html><title>Probebook</title>');
  assert.equal(index.headers['Content-Type'], 'text/html; charset=utf-8');
  assert.equal(index.headers['Content-Security-Policy'], CONTENT_SECURITY_POLICY);
  assert.equal(index.headers['X-Content-Type-Options'], 'nosniff');

  const alias = await readAppFile(root, 'app://probebook/assets/alias.js');
  assert.equal(alias.status, 200, 'a symlink that stays inside the root is fine');
  assert.equal(String(alias.body), 'console.log(1)');

  const leak = await readAppFile(root, 'app://probebook/assets/leak.txt');
  assert.equal(leak.status, 403);
  assert.doesNotMatch(String(leak.body), /root password/);

  assert.equal((await readAppFile(root, 'app://probebook/nope.js')).status, 404);
  assert.equal((await readAppFile(root, 'app://probebook/index.html/x')).status, 404);
  const folder = await readAppFile(root, 'app://probebook/assets/sub');
  assert.equal(folder.status, 404);
  const traversal = await readAppFile(root, 'app://probebook/..%2fsecret.txt');
  assert.equal(traversal.status, 403);
  assert.doesNotMatch(String(traversal.body), /root password/);
  assert.equal(traversal.headers['Content-Security-Policy'], CONTENT_SECURITY_POLICY, 'errors carry the CSP too');
});

test('the output frames are served with the frame CSP, everything else with the page CSP', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-app-frames-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'renderer');
  mkdirSync(join(root, 'outputs'), { recursive: true });
  for (const f of ['plot-frame.html', 'html-frame.html', 'output-frame.js']) writeFileSync(join(root, 'outputs', f), 'x');
  writeFileSync(join(root, 'plot-frame.html'), 'not a frame: wrong folder');
  for (const f of ['plot-frame.html', 'html-frame.html']) {
    assert.equal((await readAppFile(root, `app://probebook/outputs/${f}`)).headers['Content-Security-Policy'], OUTPUT_FRAME_CSP, f);
  }
  assert.equal((await readAppFile(root, 'app://probebook/outputs/output-frame.js')).headers['Content-Security-Policy'], CONTENT_SECURITY_POLICY);
  assert.equal((await readAppFile(root, 'app://probebook/plot-frame.html')).headers['Content-Security-Policy'], CONTENT_SECURITY_POLICY);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-eval/, 'the page itself never gets eval');
});
