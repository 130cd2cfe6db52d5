import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootRefusal } from './refuse-root.ts';

test('refuses root with the reason and what to do instead', () => {
  const message = rootRefusal(0);
  assert.ok(message);
  assert.match(message, /does not run as root/);
  assert.match(message, /--no-sandbox/);
  assert.match(message, /browser mode: probebook serve \(or npm start/);
});

test('runs for any other user, and where euid is unknown', () => {
  assert.equal(rootRefusal(1000), null);
  assert.equal(rootRefusal(undefined), null);
});
