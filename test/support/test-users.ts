/**
 * Real local users for tests where users matter (sudo, ownership, another user's files): created
 * with useradd, given a private home in /tmp, and removed with their sudo rules after the test.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { execa } from 'execa';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  /** A private home folder owned by the user (removed after the test). */
  home: string;
  /** An environment of the user's own: its HOME and state folder, nothing of root's. */
  env(): Record<string, string>;
  /** Installs a sudoers rule for this user (checked by visudo first), removed after the test. */
  allowSudo(rule: string): void;
  /** Runs `file args` as this user in `cwd`, with the user's own environment; never throws on a failure. */
  run(file: string, args: string[], cwd: string): Promise<{ exitCode?: number; stdout: string; stderr: string }>;
}

function idOf(flag: '-u' | '-g', name: string): number | null {
  try {
    return Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return null;
  }
}

/**
 * Deletes a test user. `t.after` hooks run in the order they were registered, so this one runs
 * before those of what the test started as the user afterwards (a `sudo probebook serve` still
 * alive): then userdel refuses ("currently used by process"), and the user goes when the test file's
 * process exits, once those hooks have stopped everything.
 */
function deleteUser(name: string): void {
  try {
    execFileSync('userdel', [name], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch {
    process.once('exit', () => {
      try {
        execFileSync('userdel', [name], { stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (error) {
        process.stderr.write(`test user ${name} could not be deleted: ${String((error as { stderr?: unknown }).stderr ?? error)}\n`);
      }
    });
  }
}

/**
 * Creates the system user `name` (or reuses one left by a killed run) for this test. Needs root.
 *
 * @example
 * const user = createTestUser(t, 'pb-sudo-test');
 * user.allowSudo(`NOPASSWD: ${process.execPath} *`);
 */
export function createTestUser(t: TestContext, name: string): TestUser {
  let created = false;
  // The home is the user's own in /etc/passwd too: what Probebook run as root finds for the user.
  const home = mkdtempSync(join(tmpdir(), `${name}-home-`));
  if (idOf('-u', name) === null) {
    execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', home, '--shell', '/usr/sbin/nologin', name]);
    created = true;
  } else {
    execFileSync('usermod', ['--home', home, name]);
  }
  const uid = idOf('-u', name)!;
  const gid = idOf('-g', name)!;
  chownSync(home, uid, gid);
  const sudoers: string[] = [];
  t.after(() => {
    for (const file of sudoers) rmSync(file, { force: true });
    rmSync(home, { recursive: true, force: true });
    if (created) deleteUser(name);
  });
  return {
    name,
    uid,
    gid,
    home,
    env: () => ({
      PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
      HOME: home,
      USER: name,
      LOGNAME: name,
      XDG_STATE_HOME: join(home, '.local/state'),
      LANG: 'C.UTF-8',
    }),
    async run(file, args, cwd) {
      const result = await execa(file, args, { cwd, uid, gid, env: this.env(), extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000 });
      return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
    allowSudo(rule: string) {
      const file = `/etc/sudoers.d/${name.replace(/[^a-z0-9-]/g, '-')}-${sudoers.length}`;
      const temp = join(tmpdir(), `probebook-sudoers-${process.pid}-${sudoers.length}`);
      writeFileSync(temp, `${name} ALL=(root) ${rule}\n`, { mode: 0o440 });
      execFileSync('visudo', ['-cf', temp], { stdio: 'ignore' });
      renameSync(temp, file);
      sudoers.push(file);
    },
  };
}
