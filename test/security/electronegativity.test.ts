/**
 * Electronegativity over the Electron layer, as source (electron/) and as the bundles the app
 * runs (main.js and the preload, built here from build/targets/electron.mjs). Its exit code is 0
 * even with findings, so the gate reads its SARIF: every finding must be in ACCEPTED below, with
 * the reason it is safe, and every accepted entry must still match a finding (no stale excuses).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { execa } from 'execa';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'node_modules/@doyensec/electronegativity/dist/index.js');
const electronVersion = (JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;

interface Accepted {
  rule: string;
  /** The reported file, relative to the scanned folder (`src/…` sources, `bundle/…` bundles). */
  file: RegExp;
  why: string;
}

const ACCEPTED: Accepted[] = [
  {
    rule: 'CSP_GLOBAL_CHECK',
    file: /^(src\/main\/app-files\.ts|bundle\/main\.js)$/,
    // The tool finds CSPs in <meta> tags and webRequest callbacks, and reads the one header it
    // sees assigned from a constant as "Failed to parse CSP".
    why: 'Every app:// response carries the page CSP (electron/main/csp.ts) and the two output-frame documents OUTPUT_FRAME_CSP (core/common/output-frames.ts), both constant strings set in app-files.ts; app-files.test.ts checks which file gets which, electron-csp.test.ts that Chromium enforces the page policy.',
  },
  {
    rule: 'OPEN_EXTERNAL_JS_CHECK',
    file: /^(src\/main\/security\.ts|bundle\/main\.js)$/,
    why: 'openExternal gets only URLs that externalHttpUrl() parsed as plain http(s) (ipc-payloads.ts), from our page, within seconds of a click or key press.',
  },
  {
    rule: 'AUXCLICK_JS_CHECK',
    file: /^(src\/main\/windows\.ts|src\/main\/report-pdf\.ts|bundle\/main\.js)$/,
    why: 'A middle click can only ask for a new window, and setWindowOpenHandler denies every new window (security.ts), the hidden PDF report window included (every web contents is hardened when created).',
  },
  {
    rule: 'DANGEROUS_FUNCTIONS_JS_CHECK',
    file: /^bundle\/main\.js$/,
    why: 'The one executeJavaScript (report-pdf.ts) runs a constant expression that reads whether the hidden report page has drawn (document.documentElement.dataset.pbReport); nothing from the page or a notebook is in it. setTimeout takes functions only.',
  },
  {
    rule: 'PRELOAD_JS_CHECK',
    file: /^(src\/main\/windows\.ts|bundle\/main\.js)$/,
    why: 'The preload exposes named functions only, never ipcRenderer, and posts the port to the app origin only: enforced by test/electron-lint.test.ts.',
  },
];

interface SarifResult {
  ruleId: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine?: number } } }[];
}

async function scan(folder: string, sarif: string): Promise<SarifResult[]> {
  // The release-notes check downloads Electron's release list at every run; dependency updates cover it.
  const args = [cli, '-i', folder, '-o', sarif, '-r', '-e', electronVersion, '-x', 'AvailableSecurityFixesGlobalCheck'];
  const run = await execa(process.execPath, args, { reject: false, timeout: 120_000, env: { LANG: 'en-US' } });
  assert.equal(run.exitCode, 0, `electronegativity failed:\n${run.stderr}\n${run.stdout}`);
  const log = JSON.parse(readFileSync(sarif, 'utf8')) as { runs: { results: SarifResult[] }[] };
  return log.runs.flatMap((r) => r.results);
}

test('electronegativity finds nothing in the Electron layer beyond the justified findings', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-electronegativity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(root, 'electron'), join(dir, 'scan/src'), { recursive: true, filter: (p) => !p.endsWith('.test.ts') });
  const { targets } = (await import(pathToFileURL(join(root, 'build/targets/electron.mjs')).href)) as { targets(root: string): esbuild.BuildOptions[] };
  // The scanner's parser gives up, silently, on syntax newer than ES2020 (class private fields),
  // and reads only *.js: the bundles are built for the scan lowered to ES2020, the preload as .js.
  for (const options of targets(root)) {
    await esbuild.build({
      ...options,
      outdir: join(dir, 'scan/bundle'),
      outExtension: { '.js': '.js' },
      target: 'es2020',
      supported: { 'import-meta': true, 'dynamic-import': true },
      sourcemap: false,
      logLevel: 'error',
    });
  }

  const results = await scan(join(dir, 'scan'), join(dir, 'report.sarif'));
  const located = results.map((r) => ({
    rule: r.ruleId,
    file: r.locations[0]?.physicalLocation.artifactLocation.uri ?? '',
    line: r.locations[0]?.physicalLocation.region?.startLine ?? 0,
    text: r.message.text,
  }));
  assert.ok(
    located.some((f) => f.file.startsWith('bundle/')),
    'the bundles were scanned',
  );
  const unexpected = located.filter((f) => !ACCEPTED.some((a) => a.rule === f.rule && a.file.test(f.file)));
  assert.deepEqual(unexpected, [], 'new Electronegativity findings: fix them, or justify each in ACCEPTED');
  const stale = ACCEPTED.filter((a) => !located.some((f) => a.rule === f.rule && a.file.test(f.file)));
  assert.deepEqual(
    stale.map((a) => a.rule),
    [],
    'accepted findings that no longer occur: remove them',
  );
});
