import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseEnvironment, cellEnvironment, sanePath } from './base-env.ts';

test('the base environment keeps identity, locale and proxies and drops the rest', () => {
  const env = baseEnvironment({
    HOME: '/root',
    USER: 'root',
    LANG: 'de_DE.UTF-8',
    LC_TIME: 'C',
    https_proxy: 'http://p:3128',
    SUDO_USER: 'ana',
    NODE_OPTIONS: '--inspect',
    ELECTRON_RUN_AS_NODE: '1',
    npm_config_prefix: '/x',
    SECRET_TOKEN: 's',
    PATH: '/usr/bin',
  });
  assert.deepEqual(Object.keys(env).sort(), ['HOME', 'LANG', 'LC_TIME', 'LOGNAME', 'PATH', 'PROBEBOOK', 'SHELL', 'SUDO_USER', 'TERM', 'USER', 'https_proxy']);
  assert.equal(env.LANG, 'de_DE.UTF-8');
  assert.equal(env.TERM, 'xterm-256color');
  assert.equal(env.PROBEBOOK, '1');
});

test('a missing locale becomes C.UTF-8, and a missing HOME or USER is filled in', () => {
  const env = baseEnvironment({ PATH: '/bin' });
  assert.equal(env.LANG, 'C.UTF-8');
  assert.ok(env.HOME && env.USER && env.LOGNAME);
  assert.equal(baseEnvironment({ LC_ALL: 'C' }).LANG, undefined, 'LC_ALL already sets the locale');
});

test('PATH finds root tools and never runs relative or node_modules binaries', () => {
  assert.equal(
    sanePath('/usr/bin:.:bin::/work/node_modules/.bin:/opt/x/bin:/usr/bin'),
    '/usr/bin:/opt/x/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin:/bin',
  );
  assert.equal(sanePath(undefined), '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
});

test('cell variables are added on top of the base', () => {
  const env = cellEnvironment({ N: '5', TERM: 'dumb' }, { PATH: '/bin' });
  assert.equal(env.N, '5');
  assert.equal(env.TERM, 'dumb');
});

test("a cell's variables cannot replace the sane PATH (PATH=. would run the folder's own ./ip as root)", () => {
  const env = cellEnvironment({ PATH: '.:/tmp/evil', IFACE: 'lo' }, { PATH: '/usr/bin:.' });
  assert.equal(env.PATH, '/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin:/bin');
  assert.equal(env.IFACE, 'lo');
});
