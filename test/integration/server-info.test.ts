/**
 * Where `probebook serve` keeps its access token (the server-info and browser redirect files), as a
 * real victim user against a real attacker user (both created here, removed afterwards) who
 * prepares `/tmp/probebook-UID` or an `XDG_RUNTIME_DIR` before serve starts.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTool, isRoot, needs } from '../support/needs.ts';
import { repoRoot } from '../support/root.ts';

interface User {
  name: string;
  uid: number;
  gid: number;
}

const requirements = {
  root: true,
  tools: ['useradd', 'userdel', 'setpriv'],
  check: () => (existsSync(join(repoRoot, 'dist/node/cli.js')) ? null : 'the built CLI (npm run build)'),
};
const created: string[] = [];
let victim: User;
let attacker: User;
/** The victim's home (0700, theirs), with a notebook folder `lab` and a file `notes.txt` of theirs. */
let home = '';
/** A folder holding a stand-in `xdg-open` that only says it was called, so no real browser starts. */
let stubBin = '';
/** The predictable folder the old code used for the victim. */
let guessable = '';

function makeUser(prefix: string): User {
  const name = `${prefix}${process.pid}`;
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  created.push(name);
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { name, uid: id('-u'), gid: id('-g') };
}

before(() => {
  if (!isRoot || !hasTool('useradd') || !hasTool('setpriv')) return;
  victim = makeUser('pbvictim');
  attacker = makeUser('pbattack');
  home = mkdtempSync(join(tmpdir(), 'pb-victim-home-'));
  mkdirSync(join(home, 'lab'));
  writeFileSync(join(home, 'notes.txt'), 'mine\n');
  for (const path of [home, join(home, 'lab'), join(home, 'notes.txt')]) chownSync(path, victim.uid, victim.gid);
  stubBin = mkdtempSync(join(tmpdir(), 'pb-stub-bin-'));
  chmodSync(stubBin, 0o755);
  writeFileSync(join(stubBin, 'xdg-open'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  guessable = join(tmpdir(), `probebook-${victim.uid}`);
});

after(() => {
  for (const path of [home, stubBin, guessable]) if (path) rmSync(path, { recursive: true, force: true });
  for (const name of created) execFileSync('userdel', [name]);
});

/** Runs a command as `user` (setpriv, no supplementary groups); returns its stdout. */
function as(user: User, command: string[]): string {
  return execFileSync('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', ...command], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

/** The attacker's moves before serve starts; the folder is removed after the test. */
function attackerPrepares(t: TestContext, script: string): void {
  rmSync(guessable, { recursive: true, force: true });
  t.after(() => rmSync(guessable, { recursive: true, force: true }));
  as(attacker, ['/bin/sh', '-c', script]);
}

/** What the attacker can read of every file in a folder (name → content, or the link's target). */
function attackerView(dir: string): Record<string, string> {
  const view: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    view[name] = lstatSync(path).isSymbolicLink() ? `-> ${readlinkSync(path)}` : as(attacker, ['cat', path]);
  }
  return view;
}

/** Entries directly in /tmp that belong to the victim (the home excepted). */
function victimEntriesInTmp(): string[] {
  return readdirSync(tmpdir())
    .map((name) => join(tmpdir(), name))
    .filter((path) => path !== home && lstatSync(path, { throwIfNoEntry: false })?.uid === victim.uid)
    .sort();
}

interface Serving {
  pid: number;
  url: string;
  token: string;
  stderr(): string;
  /** Sends `signal` and resolves once the process has exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
  exited: Promise<void>;
}

/**
 * Starts `probebook serve ~/lab` as the victim. The process waits on a line of stdin before it
 * becomes serve, so `prepare` runs knowing the pid serve will have (as an attacker guessing pids would).
 */
async function serveAsVictim(
  t: TestContext,
  options: { env?: Record<string, string>; browser?: boolean; prepare?: (pid: number) => void } = {},
): Promise<Serving> {
  const env: Record<string, string> = {
    PATH: `${stubBin}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    USER: victim.name,
    LOGNAME: victim.name,
    LANG: 'C.UTF-8',
    ...options.env,
  };
  if (options.browser) env.DISPLAY = ':0';
  const args = [process.execPath, join(repoRoot, 'bin/probebook.mjs'), 'serve', join(home, 'lab'), '--port', '0', ...(options.browser ? [] : ['--no-browser'])];
  const child: ChildProcess = spawn(
    'setpriv',
    [`--reuid=${victim.uid}`, `--regid=${victim.gid}`, '--clear-groups', '--', '/bin/sh', '-c', 'read go && exec "$@"', 'sh', ...args],
    { cwd: home, env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const pid = child.pid!;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  // The one process started here, by its pid.
  t.after(async () => {
    if (running) process.kill(pid, 'SIGKILL');
    await exited;
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  options.prepare?.(pid);
  child.stdin!.write('go\n');
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /Probebook is serving .* at (http:\/\/\S+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`serve exited before printing its URL.\nstdout: ${stdout}\nstderr: ${stderr}`)));
  });
  return {
    pid,
    url,
    token: new URL(url).searchParams.get('token')!,
    stderr: () => stderr,
    exited,
    stop: async (signal) => {
      process.kill(pid, signal);
      await exited;
    },
  };
}

const stateRun = () => join(home, '.local/state/probebook/run');

/** The server-info file in the victim's own folder: theirs, 0600, in a 0700 folder of theirs. */
function assertOwnInfoFile(dir: string, serving: Serving): void {
  const folder = lstatSync(dir);
  assert.ok(folder.isDirectory() && !folder.isSymbolicLink(), `${dir} is a real folder`);
  assert.equal(folder.uid, victim.uid, `${dir} belongs to the victim`);
  assert.equal(folder.mode & 0o777, 0o700, `${dir} is 0700`);
  const file = join(dir, `server-${serving.pid}.json`);
  const info = lstatSync(file);
  assert.ok(info.isFile(), `${file} is a regular file`);
  assert.equal(info.uid, victim.uid);
  assert.equal(info.mode & 0o777, 0o600);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { url: string; pid: number };
  assert.equal(parsed.url, serving.url);
  assert.equal(parsed.pid, serving.pid);
  assert.throws(() => as(attacker, ['cat', file]), 'the attacker cannot read it');
}

test("another user's world-writable /tmp/probebook-UID and server-PID.json files learn nothing", async (t) => {
  if (!needs(t, requirements)) return;
  const before = victimEntriesInTmp();
  const serving = await serveAsVictim(t, {
    browser: true,
    prepare: (pid) =>
      attackerPrepares(
        t,
        `set -e; umask 0; mkdir -m 0777 ${guessable}; cd ${guessable}; touch server-${pid}.json open-${pid}.html; chmod 0666 server-${pid}.json open-${pid}.html`,
      ),
  });
  const seen = attackerView(guessable);
  assert.deepEqual(seen, { [`open-${serving.pid}.html`]: '', [`server-${serving.pid}.json`]: '' }, "serve wrote nothing into the attacker's files");
  assert.equal(JSON.stringify(seen).includes(serving.token), false);
  assertOwnInfoFile(stateRun(), serving);
  assert.deepEqual(victimEntriesInTmp(), before, 'serve created nothing in /tmp');
  await serving.stop('SIGTERM');
});

test("a symlink in another user's /tmp/probebook-UID is not followed", async (t) => {
  if (!needs(t, requirements)) return;
  const notes = join(home, 'notes.txt');
  const serving = await serveAsVictim(t, {
    browser: true,
    prepare: (pid) =>
      attackerPrepares(t, `set -e; mkdir -m 0777 ${guessable}; cd ${guessable}; ln -s ${notes} server-${pid}.json; ln -s ${notes} open-${pid}.html`),
  });
  assert.equal(readFileSync(notes, 'utf8'), 'mine\n', "the victim's file was not overwritten through the link");
  assert.deepEqual(Object.keys(attackerView(guessable)), [`open-${serving.pid}.html`, `server-${serving.pid}.json`]);
  assertOwnInfoFile(stateRun(), serving);
  await serving.stop('SIGTERM');
  assert.equal(readFileSync(notes, 'utf8'), 'mine\n', 'nor removed or replaced at exit');
});

test('an XDG_RUNTIME_DIR that another user owns, or that is open to others, is not used', async (t) => {
  if (!needs(t, requirements)) return;
  for (const [owner, mode] of [
    [attacker, 0o777],
    [victim, 0o777],
    [attacker, 0o700],
  ] as const) {
    const runtime = mkdtempSync(join(tmpdir(), 'pb-runtime-'));
    t.after(() => rmSync(runtime, { recursive: true, force: true }));
    chownSync(runtime, owner.uid, owner.gid);
    chmodSync(runtime, mode);
    const serving = await serveAsVictim(t, { env: { XDG_RUNTIME_DIR: runtime } });
    const what = `XDG_RUNTIME_DIR of ${owner.name}, mode ${mode.toString(8)}`;
    assert.deepEqual(readdirSync(runtime), [], `${what}: nothing written into it`);
    assertOwnInfoFile(stateRun(), serving);
    assert.match(serving.stderr(), new RegExp(`XDG_RUNTIME_DIR \\(${runtime}\\) is not used`), `${what}: serve says why`);
    await serving.stop('SIGTERM');
  }
});

test("the user's own XDG_RUNTIME_DIR (0700) holds the files", async (t) => {
  if (!needs(t, requirements)) return;
  const runtime = mkdtempSync(join(tmpdir(), 'pb-runtime-'));
  t.after(() => rmSync(runtime, { recursive: true, force: true }));
  chownSync(runtime, victim.uid, victim.gid);
  const serving = await serveAsVictim(t, { env: { XDG_RUNTIME_DIR: runtime } });
  assertOwnInfoFile(join(runtime, 'probebook'), serving);
  assert.equal(serving.stderr(), '');
  await serving.stop('SIGTERM');
  assert.deepEqual(readdirSync(join(runtime, 'probebook')), []);
});

test('the files of a killed serve are removed by the next start; those of a running one stay', async (t) => {
  if (!needs(t, requirements)) return;
  const live = await serveAsVictim(t, { browser: true });
  const killed = await serveAsVictim(t, { browser: true });
  const names = (s: Serving) => [`open-${s.pid}.html`, `server-${s.pid}.json`];
  await killed.stop('SIGKILL');
  const left = readdirSync(stateRun());
  for (const name of [...names(live), ...names(killed)]) assert.ok(left.includes(name), `${name} is there before the next start`);
  const next = await serveAsVictim(t, { browser: true });
  assert.deepEqual(readdirSync(stateRun()).sort(), [...names(live), ...names(next)].sort());
  await next.stop('SIGTERM');
  await live.stop('SIGTERM');
});

test('the files are removed on SIGTERM, on Ctrl-C and on POST /api/shutdown', async (t) => {
  if (!needs(t, requirements)) return;
  for (const how of ['SIGTERM', 'SIGINT', 'shutdown'] as const) {
    const serving = await serveAsVictim(t, { browser: true });
    const files = [`open-${serving.pid}.html`, `server-${serving.pid}.json`].map((name) => join(stateRun(), name));
    for (const file of files) assert.ok(existsSync(file), `${file} exists while serving`);
    if (how === 'shutdown') {
      await shutdown(serving);
      await serving.exited;
    } else await serving.stop(how);
    for (const file of files) assert.equal(existsSync(file), false, `${file} is gone after ${how}`);
  }
  assert.deepEqual(readdirSync(stateRun()), []);
  assert.equal(statSync(stateRun()).mode & 0o777, 0o700);
});

/** Signs in with the token, then POSTs /api/shutdown with the cookies and the XSRF token. */
async function shutdown(serving: Serving): Promise<void> {
  const url = new URL(serving.url);
  const port = Number(url.port);
  const login = await http(port, `/?token=${serving.token}`);
  const cookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!);
  const xsrf = cookies.find((c) => c.startsWith('probebook_xsrf_'))!.split('=')[1]!;
  const res = await http(port, '/api/shutdown', { method: 'POST', headers: { Cookie: cookies.join('; '), Origin: url.origin, 'X-XSRF-Token': xsrf } });
  assert.equal(res.status, 202);
}

function http(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { Host: `127.0.0.1:${port}`, ...options.headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
