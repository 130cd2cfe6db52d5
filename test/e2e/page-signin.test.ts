/**
 * Signing in from the redirect file `probebook serve` opens, in Chromium with a profile on disk:
 * the page loads signed in, and the token is in none of the browser's history (its session
 * history, and no file of its profile once it has closed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, canRunPageTests } from '../support/page-browser.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { labFolder, repoRoot } from '../support/probebook-serve.ts';

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

test('the browser opened on the redirect file signs in, and its history and profile never hold the token', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  writeNotebook(dir, 'lab.ipynb', [{ source: 'echo signed in' }]);
  // A stand-in xdg-open: serve writes the redirect file and hands it over; the test opens it itself.
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'xdg-open'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_TEST_CONTEXT' && k !== 'XDG_RUNTIME_DIR') env[k] = v;
  Object.assign(env, { PATH: `${bin}:${process.env.PATH}`, DISPLAY: ':0', XDG_STATE_HOME: join(dir, '.state') });
  const args = ['bin/probebook.mjs', 'serve', join(dir, 'lab.ipynb'), '--port', '0'];
  if (process.geteuid?.() === 0) args.push('--allow-root');
  const serve = execa(process.execPath, args, { cwd: repoRoot, env, extendEnv: false, buffer: false, reject: false, stdin: 'ignore' });
  t.after(async () => {
    serve.kill('SIGTERM');
    await serve;
  });
  let stderr = '';
  serve.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    serve.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /Probebook is serving .* at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void serve.then((r) => reject(new Error(`serve exited (${r.exitCode ?? r.signal}) before printing its URL: ${stderr}`)));
  });
  const token = new URL(url).searchParams.get('token')!;
  const redirect = join(dir, '.state/probebook/run', `open-${serve.pid}.html`);
  assert.ok(existsSync(redirect), `serve wrote ${redirect}`);
  assert.equal(statSync(redirect).mode & 0o777, 0o600);

  const profile = mkdtempSync(join(tmpdir(), 'pb-chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS }).catch((error: Error) => {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  });
  let open = true;
  // One hook, in this order: a browser still running would write into a profile being removed.
  t.after(async () => {
    if (open) await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const seen: string[] = [];
  page.on('response', (r) => seen.push(`${r.status()} ${r.request().method()} ${r.url()}`));
  page.on('console', (m) => seen.push(`console ${m.type()}: ${m.text()}`));
  await page.goto(`file://${redirect}`);
  await page.waitForSelector('.pb-cell', { timeout: 20_000 }).catch((error: Error) => {
    throw new Error(`${error.message}\nthe page at ${page.url()} saw:\n${seen.join('\n')}\nserve's stderr: ${stderr}`);
  });
  assert.equal(new URL(page.url()).search, '?open=lab.ipynb', 'the page opened the notebook, signed in');
  assert.equal(existsSync(redirect), false, 'the redirect file is gone once the browser signed in with it');

  const cdp = await context.newCDPSession(page);
  const { entries } = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string; userTypedURL: string }[] };
  for (const entry of entries) {
    assert.equal(entry.url.includes(token) || entry.userTypedURL.includes(token), false, `history entry ${entry.url} (${entry.userTypedURL}) holds the token`);
  }
  open = false;
  await context.close();
  // Chromium writes its History database, session files and caches at the latest when it closes.
  const files = filesUnder(profile);
  assert.ok(
    files.some((f) => f.endsWith('/Default/History')),
    'Chromium kept a history database',
  );
  const holding = files.filter((f) => readFileSync(f).includes(token));
  assert.deepEqual(holding, [], 'no file of the browser profile holds the token');
});
