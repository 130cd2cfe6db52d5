import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_ENTRY_URL, APP_ORIGIN, isAppOrigin, isAppUrl } from './app-origin.ts';

test('accepts URLs on the app origin', () => {
  assert.equal(APP_ORIGIN, 'app://probebook');
  for (const url of [APP_ENTRY_URL, 'app://probebook/', 'app://probebook/assets/x.js?v=1#h']) {
    assert.equal(isAppUrl(url), true, url);
  }
});

test('rejects look-alike origins that a prefix test would accept', () => {
  for (const url of [
    'app://probebook.evil.example/',
    'app://probebook@evil.example/',
    'app://user:pw@probebook/',
    'app://probebook:8080/',
    'app://probebookx/',
    'https://probebook/',
    'file:///app://probebook/',
    'app:probebook/index.html',
    'not a url',
    '',
  ]) {
    assert.equal(isAppUrl(url), false, url);
  }
});

test('rejects a non-canonical host, which Chromium never reports for a standard scheme', () => {
  assert.equal(isAppUrl('APP://PROBEBOOK/index.html'), false);
});

test('compares origins exactly', () => {
  assert.equal(isAppOrigin('app://probebook'), true);
  assert.equal(isAppOrigin('app://probebook/'), false);
  assert.equal(isAppOrigin('null'), false);
  assert.equal(isAppOrigin('http://localhost'), false);
});
