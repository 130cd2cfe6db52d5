import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needs } from '../../test/support/needs.ts';
import { ownerForWrite } from './file-owner.ts';

test('as root under sudo, a new file goes to the invoking user and a replaced one keeps its owner', (t) => {
  if (!needs(t, { root: true })) return;
  const sudo = { SUDO_UID: '4321', SUDO_GID: '4322' };
  assert.deepEqual(ownerForWrite(null, sudo), { uid: 4321, gid: 4322 });
  assert.deepEqual(ownerForWrite({ uid: 1000, gid: 1001 }, sudo), { uid: 1000, gid: 1001 }, "another user's notebook stays theirs");
  assert.equal(ownerForWrite({ uid: 0, gid: 0 }, sudo), null, "root's file stays root's");
  assert.equal(ownerForWrite(null, {}), null, 'root itself, no sudo: root owns what it writes');
});
