import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gonePid } from '../../../test/support/gone-pid.ts';
import { processStartTime } from '../process/process-identity.ts';
import { serverInfoDir, ServerInfoFiles, sweepStaleServerFiles } from './server-info.ts';

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-info-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const URL_ = 'http://127.0.0.1:4000/?token=SECRET-token_1&open=lab.ipynb';

test('without XDG_RUNTIME_DIR the files go to run/ in the state directory, 0600 in a 0700 folder', (t) => {
  const home = scratch(t);
  const files = new ServerInfoFiles({ XDG_STATE_HOME: join(home, 'state') });
  t.after(() => files.removeAll());
  assert.equal(files.dir, join(home, 'state/probebook/run'));
  assert.equal(files.warning, undefined);
  assert.equal(statSync(files.dir).mode & 0o777, 0o700);
  const info = files.writeInfo(URL_, '/labs');
  assert.equal(info, join(files.dir, `server-${process.pid}.json`));
  assert.equal(statSync(info).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(readFileSync(info, 'utf8')), { url: URL_, folder: '/labs', pid: process.pid, startTime: processStartTime(process.pid) });
  const redirect = files.writeRedirect(URL_);
  assert.equal(statSync(redirect).mode & 0o777, 0o600);
  files.removeAll();
  assert.deepEqual(readdirSync(files.dir), []);
});

test('an XDG_RUNTIME_DIR of ours is used; one that others can use or that is a link is passed over, saying why', (t) => {
  const home = scratch(t);
  const runtime = join(home, 'runtime');
  mkdirSync(runtime, { mode: 0o700 });
  assert.deepEqual(serverInfoDir({ XDG_RUNTIME_DIR: runtime, XDG_STATE_HOME: join(home, 'state') }), { dir: join(runtime, 'probebook') });
  chmodSync(runtime, 0o777);
  const open = serverInfoDir({ XDG_RUNTIME_DIR: runtime, XDG_STATE_HOME: join(home, 'state') });
  assert.equal(open.dir, join(home, 'state/probebook/run'));
  assert.match(
    open.warning!,
    new RegExp(
      `^XDG_RUNTIME_DIR \\(${runtime}\\) is not used: other users can use it \\(mode 0777; it must be 0700\\); the server-info file goes to ${open.dir} instead\\.$`,
    ),
  );
  chmodSync(runtime, 0o700);
  symlinkSync(runtime, join(home, 'link'));
  assert.match(serverInfoDir({ XDG_RUNTIME_DIR: join(home, 'link'), XDG_STATE_HOME: join(home, 'state') }).warning!, /is not used: it is a symbolic link/);
});

test('a run/ folder that is not ours alone is refused with its path and the fault', (t) => {
  const home = scratch(t);
  mkdirSync(join(home, 'state/probebook/run'), { recursive: true, mode: 0o700 });
  chmodSync(join(home, 'state/probebook/run'), 0o777);
  assert.throws(
    () => new ServerInfoFiles({ XDG_STATE_HOME: join(home, 'state') }),
    (error: Error) =>
      error.message.startsWith(`${join(home, 'state/probebook/run')} is not safe for the server's access token: other users can use it (mode 0777`),
  );
});

test('a file or link already at the name is never written into or followed', (t) => {
  const home = scratch(t);
  const files = new ServerInfoFiles({ XDG_STATE_HOME: join(home, 'state') });
  t.after(() => files.removeAll());
  // A live pid's file that is not JSON looks half-written, so the sweep leaves it: the write must refuse it.
  writeFileSync(files.infoFile, 'planted');
  assert.throws(
    () => files.writeInfo(URL_, '/labs'),
    (error: Error) => error.message.startsWith(`cannot create ${files.infoFile} for the server's access token: EEXIST`),
  );
  assert.equal(readFileSync(files.infoFile, 'utf8'), 'planted');
  const target = join(home, 'target');
  writeFileSync(target, 'mine');
  symlinkSync(target, files.redirectFile);
  assert.throws(() => files.writeRedirect(URL_), /EEXIST/);
  assert.equal(readFileSync(target, 'utf8'), 'mine');
  files.removeAll();
  assert.ok(existsSync(files.infoFile), 'removeAll removes only the files it wrote');
});

test("stale files go: a gone pid's, a reused pid's, a redirect without its server; live and unknown ones stay", async (t) => {
  const dir = scratch(t);
  const dead = await gonePid();
  const me = process.pid;
  const write = (name: string, content: string) => writeFileSync(join(dir, name), content);
  write(`server-${dead}.json`, JSON.stringify({ url: URL_, pid: dead, startTime: '1' }));
  write(`open-${dead}.html`, 'form');
  // pid 1 runs, but not the process that started at tick 1 and wrote this.
  write('server-1.json', JSON.stringify({ url: URL_, pid: 1, startTime: '1' }));
  write('open-1.html', 'form');
  write(`server-${me}.json`, JSON.stringify({ url: URL_, pid: me, startTime: processStartTime(me) }));
  write(`open-${me}.html`, 'form');
  write(`server-${me}-2.json`, '{"url": "half-writ');
  write(`open-${process.ppid}.html`, 'form of a live pid without a server file');
  write('notes.txt', 'not ours to judge');
  const removed = sweepStaleServerFiles(dir).sort();
  assert.deepEqual(removed, [`open-${dead}.html`, 'open-1.html', `open-${process.ppid}.html`, `server-${dead}.json`, 'server-1.json'].sort());
  assert.deepEqual(readdirSync(dir).sort(), [`open-${me}.html`, `server-${me}-2.json`, `server-${me}.json`, 'notes.txt'].sort());
});

test('two servers in one process get their own names', (t) => {
  const home = scratch(t);
  const a = new ServerInfoFiles({ XDG_STATE_HOME: join(home, 'state') });
  const b = new ServerInfoFiles({ XDG_STATE_HOME: join(home, 'state') });
  t.after(() => (a.removeAll(), b.removeAll()));
  a.writeInfo(URL_, '/a');
  b.writeInfo(URL_, '/b');
  assert.deepEqual(readdirSync(a.dir).sort(), [`server-${process.pid}-2.json`, `server-${process.pid}.json`]);
});

test('the redirect page POSTs the token in a form; no URL in it carries the token', (t) => {
  const home = scratch(t);
  const files = new ServerInfoFiles({ XDG_STATE_HOME: join(home, 'state') });
  t.after(() => files.removeAll());
  const page = readFileSync(files.writeRedirect(URL_), 'utf8');
  assert.match(page, /<form method="post" action="http:\/\/127\.0\.0\.1:4000\/login\?open=lab\.ipynb">/);
  assert.match(page, /<input type="hidden" name="token" value="SECRET-token_1">/);
  assert.match(page, /document\.forms\[0\]\.submit\(\)/);
  assert.doesNotMatch(page, /token=/);
  files.removeRedirect();
  assert.equal(existsSync(files.redirectFile), false);
});
