/**
 * `npm start` as root (lab VMs and containers often are root): it falls back to browser mode in
 * one coherent message, says once that the server runs as root, and the URL it prints serves the
 * page with the notebook, cells running as root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { canRunPageTests, launchBrowser, newPage, openNotebook } from '../support/page-browser.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { labFolder, repoRoot, stopBeforeRemoving } from '../support/probebook-serve.ts';

test('npm start as root prints a URL that serves the page, and says once that it runs as root', async (t) => {
  if (process.geteuid?.() !== 0) return t.skip('runs as root only (it checks npm start as root)');
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  const notebook = writeNotebook(dir, 'lab.ipynb', [{ source: 'echo "uid $(id -u)"' }]);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_TEST_CONTEXT' && k !== 'DISPLAY' && k !== 'WAYLAND_DISPLAY') env[k] = v;
  env.XDG_STATE_HOME = `${dir}/.state`;
  // Trusted ahead, as `probebook trust` does, so its root cell runs without the trust question.
  await execa(process.execPath, ['bin/probebook.mjs', 'trust', notebook], { cwd: repoRoot, env, extendEnv: false });
  // Its own process group: npm does not pass SIGTERM on to the server it started.
  const start = execa('npm', ['start', '--silent', '--', notebook, '--port', '0'], {
    cwd: repoRoot,
    env,
    extendEnv: false,
    buffer: false,
    reject: false,
    stdin: 'ignore',
    detached: true,
  });
  const stop = async () => {
    try {
      process.kill(-start.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await start;
  };
  t.after(stop);
  stopBeforeRemoving(dir, stop);
  let stderr = '';
  start.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    start.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /Probebook is serving .* at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void start.then((r) => reject(new Error(`npm start exited (${r.exitCode ?? r.signal}) before printing its URL: ${stderr}`)));
  });
  assert.match(stderr, /The desktop app does not run as root .*starting browser mode instead/);
  assert.equal(stderr.match(/running as root/g)?.length, 1, `said once: ${stderr}`);
  assert.doesNotMatch(stderr, /refusing|--allow-root/);

  const { page } = await newPage(await launchBrowser(t));
  await openNotebook(page, url);
  await page.keyboard.press('Escape');
  await page.locator('.pb-cell').first().click();
  await page.keyboard.press('Shift+Enter');
  await page.getByText('uid 0').waitFor({ timeout: 20_000 });
});
