/**
 * Elevation as a real non-root user (created here, removed afterwards): with a NOPASSWD sudo
 * rule for the kernel host, cells run as root through `sudo -n` end to end; without it (and with
 * no polkit agent) the app gets a clear error quickly instead of hanging.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot, hasTool } from '../support/needs.ts';
import { needs } from '../support/needs.ts';
import { lookupUser } from '../../core/node/kernel-host/elevation.ts';
import { kernelHostUnderTest, repoRoot, startApp } from '../support/root.ts';

const USER = 'probebook-ci';
const SUDOERS = '/etc/sudoers.d/probebook-ci-test';
let createdUser = false;
let user: { uid: number; gid: number } | null = null;
let home = '';

before(() => {
  if (!isRoot || !hasTool('useradd') || !hasTool('sudo')) return;
  if (!lookupUser(uidOf(USER) ?? -1)) {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
    createdUser = true;
  }
  const found = lookupUser(uidOf(USER)!)!;
  user = { uid: found.uid, gid: found.gid };
  home = mkdtempSync(join(tmpdir(), 'probebook-ci-home-'));
  chownSync(home, user.uid, user.gid);
});

after(() => {
  rmSync(SUDOERS, { force: true });
  if (home) rmSync(home, { recursive: true, force: true });
  if (createdUser) execFileSync('userdel', [USER]);
});

function uidOf(name: string): number | null {
  try {
    return Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return null;
  }
}

/** The env of the app run as the test user: its own HOME and state dir, nothing of root's. */
function userEnv(): NodeJS.ProcessEnv {
  return { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', HOME: home, USER, LOGNAME: USER, XDG_STATE_HOME: join(home, '.local/state'), LANG: 'C.UTF-8' };
}

/** Installs a NOPASSWD rule for exactly the kernel host (checked by visudo before it goes live). */
function installSudoRule(): void {
  const { entry, nodeArgs } = kernelHostUnderTest();
  const command = [process.execPath, ...nodeArgs, entry].join(' ');
  const temp = join(tmpdir(), `probebook-sudoers-${process.pid}`);
  writeFileSync(temp, `${USER} ALL=(root) NOPASSWD: ${command} *\n`, { mode: 0o440 });
  execFileSync('visudo', ['-cf', temp], { stdio: 'ignore' });
  renameSync(temp, SUDOERS);
}

const requirements = { root: true, tools: ['sudo', 'useradd', 'visudo', 'setpriv'] };

test('as a non-root user with a NOPASSWD rule, cells run as root through sudo -n', async (t) => {
  if (!needs(t, requirements)) return;
  installSudoRule();
  t.after(() => rmSync(SUDOERS, { force: true }));
  const app = startApp(
    [
      { cellId: 'root', language: 'shell', code: 'id -u' },
      { cellId: 'mine', language: 'shell', code: 'id -u', asUser: true },
    ],
    { uid: user!.uid, gid: user!.gid, env: userEnv() },
  );
  t.after(() => app.child.kill('SIGKILL'));
  const welcome = await app.waitFor((l) => !!l.welcome || !!l.error);
  assert.equal(welcome.error, undefined);
  assert.equal(welcome.method, 'sudo');
  assert.equal(welcome.welcome!.runAs, 'root');
  assert.equal(welcome.welcome!.userUid, user!.uid, 'the kernel host learnt the invoking user from sudo');
  await app.waitFor((l) => !!l.done);
  const out = (cellId: string) =>
    app.lines
      .filter((l) => l.cellId === cellId && l.stream === 'stdout')
      .map((l) => l.text)
      .join('')
      .trim();
  assert.equal(out('root'), '0');
  assert.equal(out('mine'), String(user!.uid), 'a user cell runs as the invoking user');
  assert.equal(await app.exited, 0);

  // The audit log is the user's own file: root wrote nothing into the user's home.
  const log = join(home, '.local/state/probebook/audit.jsonl');
  const records = readAudit(log);
  assert.deepEqual(records.map((r) => [r.cellId, r.runAs, r.uid, r.status]).sort(), [
    ['mine', 'user', user!.uid, 'ok'],
    ['root', 'root', 0, 'ok'],
  ]);
  assert.match(records[0]!.codeSha256, /^[0-9a-f]{64}$/);
  for (const file of walk(home)) assert.equal(statSync(file).uid, user!.uid, `${file} belongs to the user`);
  assert.equal(statSync(log).mode & 0o777, 0o600);

  assert.equal(doctorElevation().summary, 'passwordless sudo (sudo -n) allows the kernel host');
});

test('as a non-root user without sudo rights or a polkit agent: a clear error, no hang', async (t) => {
  if (!needs(t, requirements)) return;
  assert.equal(existsSync(SUDOERS), false);
  const started = Date.now();
  const app = startApp([{ cellId: 'root', language: 'shell', code: 'id -u' }], { uid: user!.uid, gid: user!.gid, env: userEnv() });
  t.after(() => app.child.kill('SIGKILL'));
  const failed = await app.waitFor((l) => !!l.error || !!l.welcome, 15_000);
  assert.ok(failed.error, `expected an error, got ${JSON.stringify(failed)}`);
  assert.match(failed.error, /could not get root privileges/);
  assert.match(failed.error, /sudo -n: a password is required/);
  assert.match(failed.error, /NOPASSWD/);
  assert.match(failed.error, /sudo probebook serve \(browser mode\), or sudo probebook run/);
  assert.equal(await app.exited, 1);
  assert.ok(Date.now() - started < 15_000, 'bounded time');

  const elevation = doctorElevation();
  if (existsSync('/run/dbus/system_bus_socket')) assert.match(elevation.summary, /^pkexec|^none/);
  else {
    assert.equal(elevation.status, 'fail');
    assert.match(elevation.summary, /^none: no passwordless sudo for the kernel host/);
    assert.match(elevation.hint ?? '', /NOPASSWD/);
  }
});

/** The doctor's elevation check, run as the test user. */
function doctorElevation(): { status: string; summary: string; hint?: string } {
  const script = `import { runDoctor } from ${JSON.stringify(join(repoRoot, 'core/node/doctor/run-doctor.ts'))};
    const r = await runDoctor(); console.log(JSON.stringify(r.checks.find((c) => c.id === 'elevation')));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    uid: user!.uid,
    gid: user!.gid,
    env: userEnv(),
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function readAudit(path: string): { cellId: string; runAs: string; uid: number; status: string; codeSha256: string }[] {
  return execFileSync('cat', [path], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [join(dir, e.name), ...walk(join(dir, e.name))] : [join(dir, e.name)]));
}
