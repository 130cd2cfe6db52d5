import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandFor, elevationPlan, invokingUser } from './elevation.ts';

const entry = ['/opt/probebook/dist/node/kernel-host.js'];
const args = ['--parent-pid', '42', '--user-uid', '1000', '--user-gid', '1000'];

test('each method is an argument array: sudo never prompts, nothing is a shell string', () => {
  assert.deepEqual(commandFor('root', '/usr/bin/node', entry, args), { file: '/usr/bin/node', args: [...entry, ...args] });
  assert.deepEqual(commandFor('sudo', '/usr/bin/node', entry, args), { file: 'sudo', args: ['-n', '--', '/usr/bin/node', ...entry, ...args] });
  assert.deepEqual(commandFor('pkexec', '/usr/bin/node', entry, args), { file: 'pkexec', args: ['/usr/bin/node', ...entry, ...args] });
  assert.deepEqual(commandFor('setpriv', '/usr/bin/node', entry, [], { uid: 1000, gid: 100, name: 'ann', home: '/home/ann' }), {
    file: 'setpriv',
    args: ['--reuid=1000', '--regid=100', '--init-groups', '--', '/usr/bin/node', ...entry],
  });
  assert.equal(commandFor('setpriv', '/usr/bin/node', entry, [], { uid: 4242, gid: 4242, name: null, home: null }).args[2], '--clear-groups');
});

test('the plan: root needs no elevation; others try sudo -n, then pkexec', () => {
  assert.deepEqual(elevationPlan(), process.geteuid?.() === 0 ? ['root'] : ['sudo', 'pkexec']);
});

test('the invoking user is the one sudo or pkexec names, else this process', () => {
  assert.deepEqual({ ...invokingUser({ SUDO_UID: '0', SUDO_GID: '0' }), name: null, home: null }, { uid: 0, gid: 0, name: null, home: null });
  assert.equal(invokingUser({ SUDO_UID: '1234', SUDO_GID: '99' }).gid, 99);
  assert.equal(invokingUser({ PKEXEC_UID: '0' }).name, 'root');
  assert.equal(invokingUser({}).uid, process.getuid!());
  assert.equal(invokingUser({ SUDO_UID: 'not-a-number' }).uid, process.getuid!());
});
