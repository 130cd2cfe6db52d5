import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheControl, entityTag, notModified, StaticFiles } from './static-files.ts';

test('hashed build files are cached for good; everything else is revalidated', () => {
  assert.equal(cacheControl('/chunks/chunk-QW4NMQL3.js'), 'max-age=31536000, immutable');
  assert.equal(cacheControl('/chunks/markdown-cell-URMUT3UC.js.map'), 'max-age=31536000, immutable');
  assert.equal(cacheControl('/assets/codicon-LTRFOK3N.ttf'), 'max-age=31536000, immutable');
  for (const path of [
    '/',
    '/index.html',
    '/app.js',
    '/editor.js',
    '/editor.css',
    '/outputs/plotly.min.js',
    '/workers/ts.worker.js',
    '/chunks/unhashed.js',
    '/chunks/x-QW4NMQL3.js/../../index.html',
  ]) {
    assert.equal(cacheControl(path), 'no-cache', path);
  }
});

test('entity tags follow size and time, and If-None-Match compares them weakly', () => {
  const tag = entityTag(1234, 1_700_000_000_123.7);
  assert.equal(tag, 'W/"4d2-18bcfe5687b"');
  assert.notEqual(entityTag(1235, 1_700_000_000_123), tag);
  assert.notEqual(entityTag(1234, 1_700_000_001_123), tag);
  assert.equal(notModified(undefined, tag), false);
  assert.equal(notModified(tag, tag), true);
  assert.equal(notModified('"4d2-18bcfe5687b"', tag), true, 'a strong form of the same tag');
  assert.equal(notModified(`W/"other", ${tag}`, tag), true, 'one of a list');
  assert.equal(notModified('*', tag), true);
  assert.equal(notModified('W/"4d2-18bcfe5687c"', tag), false);
});

async function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a file comes with its tag, a 304 when the tag still matches, and the whole file again once it changed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-static-'));
  const outside = mkdtempSync(join(tmpdir(), 'pb-static-outside-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });
  mkdirSync(join(dir, 'chunks'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1);');
  writeFileSync(join(dir, 'chunks/chunk-ABCDEF12.js'), 'export const x = 1;');
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'link.txt'));
  const files = new StaticFiles(dir);
  const server = createServer((req, res) => void files.serve(new URL(req.url ?? '/', 'http://x').pathname, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;

  const first = await get(port, '/app.js');
  assert.equal(first.status, 200);
  assert.equal(first.body, 'console.log(1);');
  assert.equal(first.headers['cache-control'], 'no-cache');
  assert.equal(first.headers['content-type'], 'text/javascript; charset=utf-8');
  const etag = first.headers.etag!;
  assert.match(etag, /^W\/"[0-9a-f]+-[0-9a-f]+"$/);

  const again = await get(port, '/app.js', { 'If-None-Match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body, '');
  assert.equal(again.headers.etag, etag);
  assert.ok(again.headers['content-security-policy'], 'a 304 keeps the CSP');

  writeFileSync(join(dir, 'app.js'), 'console.log(22);');
  utimesSync(join(dir, 'app.js'), new Date(), new Date(Date.now() + 5000));
  const changed = await get(port, '/app.js', { 'If-None-Match': etag });
  assert.equal(changed.status, 200, 'a rebuilt file is sent again');
  assert.equal(changed.body, 'console.log(22);');
  assert.notEqual(changed.headers.etag, etag);

  const chunk = await get(port, '/chunks/chunk-ABCDEF12.js');
  assert.equal(chunk.headers['cache-control'], 'max-age=31536000, immutable');
  assert.equal((await get(port, '/')).body, '<!doctype html><title>page</title>');
  // No way out of the folder, with or without a matching tag.
  for (const path of ['/../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/link.txt', '/chunks%2f..%2f..%2fetc%2fpasswd']) {
    const res = await get(port, path, { 'If-None-Match': '*' });
    assert.equal(res.status, 404, path);
  }
});
