import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_EXTERNAL_URL_LENGTH,
  USER_GESTURE_WINDOW_MS,
  externalHttpUrl,
  hasFreshGesture,
  isActivatingInput,
  mayDownload,
  mayGrantPermission,
  mayNavigate,
} from './security-policy.ts';

test('the page navigates only within the app origin', () => {
  assert.equal(mayNavigate('app://probebook/index.html', true), true);
  assert.equal(mayNavigate('app://probebook/index.html?path=%2Ftmp%2Fa.ipynb', true), true);
  for (const url of [
    'https://example.com/',
    'file:///etc/passwd',
    'about:blank',
    'about:srcdoc',
    'blob:app://probebook/1',
    'javascript:alert(1)',
    'app://probebook.evil/',
  ]) {
    assert.equal(mayNavigate(url, true), false, url);
  }
});

test('output frames may also be blank, srcdoc or app blobs, but never the network or files', () => {
  for (const url of ['about:blank', 'about:srcdoc', 'blob:app://probebook/4f1c', 'app://probebook/frame.html']) {
    assert.equal(mayNavigate(url, false), true, url);
  }
  for (const url of ['https://plot.ly/', 'blob:https://evil.example/1', 'data:text/html,<script>1</script>', 'file:///home', 'about:config']) {
    assert.equal(mayNavigate(url, false), false, url);
  }
});

test('grants only clipboard writes, and only to the app origin', () => {
  assert.equal(mayGrantPermission('clipboard-sanitized-write', { url: 'app://probebook/index.html' }), true);
  assert.equal(mayGrantPermission('clipboard-sanitized-write', { origin: 'app://probebook' }), true);
  assert.equal(mayGrantPermission('clipboard-sanitized-write', { origin: 'null' }), false, 'opaque output frame');
  assert.equal(mayGrantPermission('clipboard-sanitized-write', { url: 'https://evil.example/' }), false);
  assert.equal(mayGrantPermission('clipboard-sanitized-write', {}), false);
  for (const permission of ['clipboard-read', 'media', 'geolocation', 'notifications', 'openExternal', 'fileSystem', 'hid', 'serial', 'usb', 'unknown']) {
    assert.equal(mayGrantPermission(permission, { url: 'app://probebook/index.html' }), false, permission);
    assert.equal(mayGrantPermission(permission, { origin: 'app://probebook' }), false, permission);
  }
});

test('external links must be plain http(s) URLs', () => {
  assert.equal(externalHttpUrl('https://github.com/bpftrace/bpftrace'), 'https://github.com/bpftrace/bpftrace');
  assert.equal(externalHttpUrl('http://EXAMPLE.com/a b'), 'http://example.com/a%20b');
  for (const raw of [
    'file:///etc/passwd',
    'javascript:alert(1)',
    'app://probebook/index.html',
    'smb://host/share',
    'https://user:pw@example.com/',
    'https://',
    '/relative',
    '',
    `https://example.com/${'a'.repeat(MAX_EXTERNAL_URL_LENGTH)}`,
    42,
    null,
    { href: 'https://example.com' },
  ]) {
    assert.equal(externalHttpUrl(raw), null, String(raw).slice(0, 60));
  }
});

test('downloads only what the page made itself', () => {
  assert.equal(mayDownload('blob:app://probebook/6c1e'), true);
  assert.equal(mayDownload('data:image/png;base64,iVBORw0KGgo='), true);
  assert.equal(mayDownload('https://evil.example/payload.deb'), false);
  assert.equal(mayDownload('blob:https://evil.example/1'), false);
  assert.equal(mayDownload('file:///etc/shadow'), false);
});

test('a click or key press counts as a user gesture for a few seconds only', () => {
  assert.equal(isActivatingInput('mouseUp'), true);
  assert.equal(isActivatingInput('keyDown'), true);
  assert.equal(isActivatingInput('mouseMove'), false);
  assert.equal(isActivatingInput('mouseWheel'), false);
  const now = 1_000_000;
  assert.equal(hasFreshGesture(undefined, now), false);
  assert.equal(hasFreshGesture(now - 10, now), true);
  assert.equal(hasFreshGesture(now - USER_GESTURE_WINDOW_MS, now), true);
  assert.equal(hasFreshGesture(now - USER_GESTURE_WINDOW_MS - 1, now), false);
  assert.equal(hasFreshGesture(now + 1000, now), false, 'a gesture from the future is a clock problem, not a gesture');
});
