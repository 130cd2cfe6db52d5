// `probebook run` saves figures with a PNG beside them, drawn by plotly in Debian's Chromium, so
// Jupyter, GitHub and nbconvert show the plot; the file stays trusted for whoever ran it. Without
// Chromium the run still saves, and says once how to get the fallbacks.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { MIME } from '../../core/common/mime.ts';
import { parseNotebook } from '../../core/common/notebook/ipynb.ts';
import { runCommand } from '../../core/node/commands/run.ts';
import { createLocalExecutor } from '../../core/node/run/local-executor.ts';
import { CleanupLedger } from '../../core/node/session/cleanup-ledger.ts';
import { TrustStore } from '../../core/node/session/trust.ts';
import { hasTool, needs } from '../support/needs.ts';
import { CHROMIUM } from '../support/page-browser.ts';

const NOTEBOOK = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    {
      id: 'plot',
      cell_type: 'code',
      metadata: { probebook: { language: 'typescript' } },
      execution_count: null,
      outputs: [],
      source: "plot([{ type: 'bar', x: ['a', 'b', 'c'], y: [3, 1, 2] }], { title: 'Bars' });",
    },
  ],
};

async function run(t: TestContext, env: Record<string, string>): Promise<{ file: string; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pb-run-fallbacks-'));
  const saved = { ...process.env };
  Object.assign(process.env, { XDG_STATE_HOME: join(dir, 'state'), ...env });
  t.after(() => {
    for (const k of ['XDG_STATE_HOME', ...Object.keys(env)]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'plot.ipynb');
  writeFileSync(file, JSON.stringify(NOTEBOOK));
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c) => (err += c));
  const code = await runCommand([file, '--inplace', '-q'], {
    executor: createLocalExecutor(),
    ledger: new CleanupLedger(join(dir, 'runs')),
    stderr,
    stdout: new PassThrough(),
  });
  assert.equal(code, 0, err);
  return { file, err };
}

test('a run saves its figures with PNG fallbacks and the file stays trusted', async (t) => {
  if (!needs(t, { check: () => (hasTool(CHROMIUM) ? null : `Chromium at ${CHROMIUM} (apt install chromium)`) })) return;
  const { file, err } = await run(t, {});
  assert.match(err, /drew 1 figure as PNG/);
  const nb = parseNotebook(readFileSync(file, 'utf8'), file);
  const output = nb.cells[0]!.outputs.find((o) => o.items.some((i) => i.mime === MIME.plotly));
  assert.ok(output, 'the figure');
  const png = output.items.find((i) => i.mime === MIME.png);
  assert.ok(png && Buffer.from(String(png.data), 'base64').subarray(1, 4).toString() === 'PNG');
  assert.ok(new TrustStore().isTrusted(nb), 'the run signed the file it wrote, fallbacks and all');
});

test('without Chromium the run saves its figures as they are and says how to get fallbacks', async (t) => {
  const { file, err } = await run(t, { PROBEBOOK_CHROMIUM: '/nonexistent/chromium' });
  assert.equal(err.match(/sudo apt install chromium/g)?.length, 1, err);
  assert.match(err, /probebook export NOTEBOOK\.ipynb --to ipynb --inplace/);
  const nb = parseNotebook(readFileSync(file, 'utf8'), file);
  assert.ok(nb.cells[0]!.outputs.some((o) => o.items.some((i) => i.mime === MIME.plotly)));
  assert.ok(!nb.cells[0]!.outputs.some((o) => o.items.some((i) => i.mime === MIME.png)));
});
