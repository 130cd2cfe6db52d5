/**
 * The lab notebooks walked through in the page as a student does it, in Debian's Chromium against the
 * real `probebook serve` (issue 17's "a walk-through of the notebooks in the page"): the shipped
 * notebook copied to a folder with small parameters (as its `probebook run` test has them), the trust
 * question answered, the setup cell run alone, Run All with its background cells waiting until ready,
 * the results drawn in the page (tables whose trend shows the effect, figures with their panels), an
 * answer typed into a question cell, saved and reopened trusted, and nothing left behind: namespaces,
 * rules, processes — also when the test fails. Screenshots: test-artifacts/screenshots/page-walk-*.png.
 */
import { type TestContext, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { needs } from '../support/needs.ts';
import { namespaces } from '../support/notebook-run.ts';
import { isRunning, pidsMentioning } from '../support/root.ts';
import { canRunPageTests, cell, launchBrowser, newPage, screenshot } from '../support/page-browser.ts';
import { labFolder, repoRoot, startServe } from '../support/probebook-serve.ts';

/** Generous: several helpers and test runs share two CPUs. */
const LONG = 240_000;

interface NotebookFile {
  metadata: { probebook: { parameters: Record<string, string | number> } };
  cells: {
    cell_type: string;
    source: string | string[];
    metadata: { probebook?: { name?: string } };
    outputs?: { data?: Record<string, unknown>; text?: string | string[] }[];
  }[];
}
const joined = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : (v ?? ''));

/** Copies a shipped notebook into `dir` with some parameters changed (what a student would set before Run All). */
function copyNotebook(dir: string, name: string, parameters: Record<string, string | number>): NotebookFile {
  const nb = JSON.parse(readFileSync(join(repoRoot, 'notebooks', name), 'utf8')) as NotebookFile;
  Object.assign(nb.metadata.probebook.parameters, parameters);
  writeFileSync(join(dir, name), `${JSON.stringify(nb, null, 1)}\n`);
  return nb;
}

const quiet = (cmd: string, ...args: string[]) => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch {}
};
/** Whether the host (this process's namespace) has a network link of that name. */
const linkExists = (name: string) => existsSync(`/sys/class/net/${name}`);

/** Live processes whose command line mentions one of `texts` ({@link pidsMentioning}) or whose name is `comm`. */
function processesOf(texts: string[], comm?: string): number[] {
  const nameOf = (pid: string) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return null; // exited meanwhile
    }
  };
  const named = comm ? readdirSync('/proc').filter((p) => /^\d+$/.test(p) && nameOf(p) === comm) : [];
  return [...new Set([...texts.flatMap((x) => pidsMentioning(x)), ...named.map(Number).filter(isRunning)])];
}

/** Kills what a failed walk-through may leave: only processes that name our own namespace. */
function afterwards(t: TestContext, ns: string[], extra: () => void = () => {}) {
  t.after(() => {
    for (const pid of processesOf(ns.map((n) => `netns\u0000exec\u0000${n}\u0000`))) quiet('kill', '-9', String(pid));
    for (const n of ns) if (namespaces().includes(n)) quiet('ip', 'netns', 'del', n);
    extra();
  });
}

/** Records every status text each cell shows, from now on, so a short "waiting until ready" is not missed. */
async function recordStatuses(page: Page): Promise<void> {
  // A string, not a function: the test's TypeScript transform would add helpers the page does not have.
  await page.evaluate(`(() => {
    const seen = (window.pbWalkStatuses = {});
    const look = () => {
      [...document.querySelectorAll('.pb-cell')].forEach((c, i) => {
        const text = c.querySelector('.pb-status')?.textContent.replace(/\\s+/g, ' ').trim() ?? '';
        const list = (seen[i] ??= []);
        if (text && list.at(-1) !== text) list.push(text);
      });
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    look();
  })()`);
}

/** The index of the cell named `name` (metadata.probebook.name) in a notebook file. */
const indexOf = (nb: NotebookFile, name: string) => {
  const i = nb.cells.findIndex((c) => c.metadata.probebook?.name === name);
  assert.notEqual(i, -1, `no cell named ${name}`);
  return i;
};

/**
 * Waits until cell `i` has ended (ok, failed, stopped), or any cell of the page has failed (the
 * run stops there: no point waiting out the deadline), and returns cell `i`'s status.
 */
async function ended(page: Page, i: number, timeout = LONG): Promise<string> {
  await page.waitForFunction(
    (index) => {
      const all = [...document.querySelectorAll('.pb-cell')];
      return (
        ['ok', 'failed', 'interrupted'].includes(all[index]?.getAttribute('data-status') ?? '') || all.some((c) => c.getAttribute('data-status') === 'failed')
      );
    },
    i,
    { timeout },
  );
  return (await cell(page, i).getAttribute('data-status')) ?? '';
}

/**
 * Waits until cell `i` has shown "ready after …" (as {@link recordStatuses} saw it: a short run
 * may be over before a poll would see it), or it ended, or a cell failed; then asserts it was
 * first "waiting until ready: WHAT" and then ready, and nothing failed.
 */
async function sawReady(page: Page, i: number, waitingFor: RegExp) {
  await page.waitForFunction(
    (index) => {
      const seen = (window as unknown as { pbWalkStatuses: Record<string, string[]> }).pbWalkStatuses[String(index)] ?? [];
      const all = [...document.querySelectorAll<HTMLElement>('.pb-cell')];
      return (
        seen.some((s) => /ready after/.test(s)) ||
        ['ok', 'interrupted'].includes(all[index]?.dataset['status'] ?? '') ||
        all.some((c) => c.dataset['status'] === 'failed')
      );
    },
    i,
    { timeout: LONG },
  );
  assert.equal(await page.locator('.pb-cell[data-status="failed"]').count(), 0, await failures(page));
  const seen = await page.evaluate((index) => (window as unknown as { pbWalkStatuses: Record<string, string[]> }).pbWalkStatuses[String(index)] ?? [], i);
  const waiting = seen.findIndex((s) => waitingFor.test(s));
  const ready = seen.findIndex((s) => /ready after/.test(s));
  assert.ok(waiting !== -1 && ready > waiting, `cell ${i + 1} showed ${JSON.stringify(seen)}`);
}

/** Waits for the cleanup cell to end: it runs after everything else, also after a failure or a stop. */
const cleanupEnded = (page: Page, i: number) =>
  page.waitForFunction((index) => ['ok', 'failed'].includes(document.querySelectorAll('.pb-cell')[index]?.getAttribute('data-status') ?? ''), i, {
    timeout: LONG,
  });

/** Cell `i`'s output as the page shows it (for failure messages). */
const outputOf = (page: Page, i: number) => cell(page, i).locator('.pb-cell-output').innerText();

/** What failed on the page: each failed cell's index and output. */
async function failures(page: Page): Promise<string> {
  const all = await page
    .locator('.pb-cell')
    .evaluateAll((cells) =>
      cells.flatMap((c, i) =>
        c.getAttribute('data-status') === 'failed' ? [`cell ${i + 1}: ${(c.querySelector('.pb-cell-output') as HTMLElement | null)?.innerText ?? ''}`] : [],
      ),
    );
  return all.join('\n') || 'no cell failed';
}

/** The playwright frame of the nth plot inside cell `index` (plots draw in a sandboxed iframe). */
async function plotFrame(page: Page, index: number, nth = 0): Promise<Frame> {
  const iframe = cell(page, index).locator('.pb-plot iframe.pb-frame').nth(nth);
  await iframe.waitFor({ timeout: 60_000 });
  await reveal(iframe);
  const frame = await (await iframe.elementHandle())!.contentFrame();
  assert.ok(frame, 'the plot iframe has a frame');
  await frame.locator('.main-svg').first().waitFor({ timeout: 60_000 });
  return frame;
}

/** The subplots of a plotly figure, each with how many points its traces draw. */
function subplots(frame: Frame): Promise<{ id: string; points: number }[]> {
  return frame.evaluate(() =>
    [...document.querySelectorAll('.cartesianlayer > .subplot')].map((s) => ({
      id: [...s.classList].find((c) => c !== 'subplot') ?? '',
      points: s.querySelectorAll('.scatterlayer .trace .points path, .scatterlayer .trace path.js-line').length,
    })),
  );
}

/** A column of a table output as the page shows it. */
async function tableColumn(page: Page, index: number, column: string): Promise<string[]> {
  const table = cell(page, index).locator('table.pb-table').first();
  await table.waitFor({ timeout: LONG });
  const headers = (await table.locator('thead th').allInnerTexts()).map((h) => h.replace(/[▲▼]/g, '').trim());
  const at = headers.indexOf(column);
  assert.notEqual(at, -1, `no column ${column} in ${headers.join(', ')}`);
  return table.locator(`tbody tr td:nth-child(${at + 1})`).allInnerTexts();
}

/** Scrolls an element into view (outputs draw once their cell comes near the viewport). */
async function reveal(target: Locator, block: 'center' | 'start' | 'end' = 'center') {
  await target.waitFor({ state: 'attached', timeout: LONG });
  // Twice: cells far away are laid out only as they come near, so the first scroll can land short.
  for (let i = 0; i < 2; i++)
    await target.evaluate(
      (e, b) =>
        new Promise<void>((done) => {
          e.scrollIntoView({ block: b });
          requestAnimationFrame(() => requestAnimationFrame(() => done()));
        }),
      block,
    );
}

/** Answers a question: edits the markdown cell, adds the answer at its end, renders it again. */
async function answer(page: Page, index: number, text: string) {
  const c = cell(page, index);
  await reveal(c);
  await c.locator('.pb-md').dblclick();
  await c.locator('.monaco-editor textarea').waitFor({ state: 'attached', timeout: 60_000 });
  await page.waitForFunction((i) => document.querySelectorAll('.pb-cell')[i]?.contains(document.activeElement), index);
  await page.keyboard.press('Control+End');
  await page.keyboard.type(`\n\n${text}`);
  await page.keyboard.press('Escape');
  await c.locator('.pb-md', { hasText: text }).waitFor();
}

/** Requests of the page the server refused or did not have (their URLs, for the errors' sake). */
function failedRequests(page: Page): string[] {
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  return failed;
}

/**
 * The page's errors, less those of a concurrent build: building the page (any `npm test` on this
 * tree) first removes dist/renderer/chunks and assets, so a reload at that moment gets a 404 for a
 * file the build writes again. A refused /chunks/ or /assets/ file that is there now is such a race;
 * its console line ("Failed to load resource") goes with it. Everything else counts.
 */
function pageErrors(errors: string[], refused: string[]): { errors: string[]; refused: string[] } {
  const raced = refused.filter((r) => /^404 \/(chunks|assets)\//.test(r) && existsSync(join(repoRoot, 'dist/renderer', r.slice(5))));
  const left = [...errors];
  for (const _ of raced) {
    const i = left.findIndex((e) => e.startsWith('Failed to load resource: the server responded with a status of 404'));
    if (i !== -1) left.splice(i, 1);
  }
  return { errors: left, refused: refused.filter((r) => !raced.includes(r)) };
}

/**
 * Opens the page for a notebook. A page that came up blank with its chunks refused (a concurrent
 * build had removed them, see {@link pageErrors}) is loaded once more, and what that first load
 * logged is dropped; otherwise a screenshot of what the page shows, and the refused requests.
 */
async function open(handle: { page: Page; errors: string[] }, url: string, name: string, refused: string[]) {
  const { page, errors } = handle;
  for (let attempt = 1; ; attempt++) {
    const [errorsBefore, refusedBefore] = [errors.length, refused.length];
    await (attempt === 1 ? page.goto(url) : page.reload());
    try {
      await page.waitForSelector('.pb-cell', { timeout: 60_000 });
      return;
    } catch (error) {
      if (attempt === 1 && refused.slice(refusedBefore).some((r) => /^404 \/(chunks|assets)\//.test(r))) {
        errors.splice(errorsBefore);
        refused.splice(refusedBefore);
        continue;
      }
      await screenshot(page, `walk-${name}-not-opened`);
      throw new Error(`${(error as Error).message}\nrefused requests: ${refused.join(', ') || 'none'}`);
    }
  }
}

/**
 * Sub-tests that run in order; once one fails the rest are skipped (each needs what the one before
 * did), and the page as it was then is kept as walk-NAME-failed.png.
 */
function steps(t: TestContext, page: Page, name: string, refused: string[]) {
  let failed: string | null = null;
  return (title: string, fn: () => Promise<void>) =>
    t.test(title, { skip: failed ? `"${failed}" failed` : false }, async () => {
      try {
        await fn();
      } catch (error) {
        failed = title;
        await screenshot(page, `walk-${name}-failed`).catch(() => {});
        if (refused.length) (error as Error).message += `\nrefused requests: ${refused.join(', ')}`;
        const states = await page
          .locator('.pb-cell')
          .evaluateAll((cells) => cells.map((c, i) => `${i}:${c.getAttribute('data-status') ?? c.getAttribute('data-kind')}`).join(' '))
          .catch(() => '');
        (error as Error).message += `\ncells: ${states}`;
        throw error;
      }
    });
}

async function save(page: Page, name: string) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+s');
  await page.locator('.pb-toast', { hasText: `Saved ${name}` }).waitFor({ timeout: 60_000 });
}

test('Lab 06 rule chain walked through in the page: trust, setup, Run All, the effect in the table and figure, an answer saved, nothing left', async (t) => {
  if (!canRunPageTests(t)) return;
  if (!needs(t, { root: true, tools: ['ip', 'iptables', 'iptables-restore', 'iptables-save', 'iperf3', 'bpftrace', 'ss'] })) return;
  const ns = `pbw${process.pid % 100000}`;
  const dir = labFolder(t);
  afterwards(t, [ns], () => quiet('ip', 'link', 'del', `${ns}-h`));
  const file = 'lab06-rule-chain.ipynb';
  const nb = copyNotebook(dir, file, { NS: ns, SUBNET: '10.206.4', STEP: 500, MAX: 3000, DURATION: 2, OMIT: 1, PROBES: 2000, TIMELINE: 12 });
  const [setup, server, tracer, sweep, cleanup] = ['setup', 'server', 'tracer', 'sweep', 'cleanup'].map((n) => indexOf(nb, n)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const question = nb.cells.findIndex((c) => c.cell_type === 'markdown' && joined(c.source).startsWith('**Questions**'));
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const handle = await newPage(browser, { height: 1000 });
  const { page, errors } = handle;
  const refused = failedRequests(page);
  await open(handle, serve.pageUrl(file), 'lab06', refused);
  const step = steps(t, page, 'lab06', refused);

  await step('the student opens it: the trust question, then the first markdown to read', async () => {
    const banner = page.locator('[data-banner="trust"]');
    assert.match(await banner.innerText(), /not written or trusted on this machine/);
    const heading = cell(page, 0).locator('.pb-md h1');
    await heading.waitFor({ timeout: 60_000 });
    assert.equal(await heading.innerText(), 'Lab 06 — the cost of a bloated rule chain');
    await screenshot(page, 'walk-lab06-opened');
    await banner.locator('button', { hasText: 'Review and trust' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    const params = await dialog.locator('.pb-trust-params tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent));
    assert.ok(params.includes('NS') && params.includes('STEP'), `parameters shown: ${params.join(', ')}`);
    await screenshot(page, 'walk-lab06-trust');
    await dialog.locator('button', { hasText: 'Trust and run' }).click();
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(await page.evaluate(() => window.probebookTest!.trusted()), true);
  });

  await step('runs the setup cell alone: the namespace is there and the cell says so', async () => {
    await reveal(cell(page, setup));
    await cell(page, setup).locator('.pb-run').click();
    const status = await ended(page, setup);
    const out = (await outputOf(page, setup)).trim();
    await reveal(cell(page, setup).locator('.pb-cell-output'), 'end');
    await screenshot(page, 'walk-lab06-setup');
    assert.equal(status, 'ok', out);
    assert.match(out, new RegExp(`namespace ${ns} ready`));
    assert.ok(namespaces().includes(ns));
  });

  await step('Run All: the server and the tracer wait until ready, then the sweep runs', async () => {
    await recordStatuses(page);
    await page.locator('.pb-tool[data-command="notebook.runAll"]').click();
    await sawReady(page, server, /waiting until ready: port tcp\/5201/);
    await sawReady(page, tracer, /waiting until ready/);
    // The status bar counts the running cells and the queued ones apart, as the cells show them
    // (seen while some are queued: the whole run's cleanup cell is, until the end).
    await page.waitForFunction(
      () => {
        const item = [...document.querySelectorAll<HTMLElement>('.pb-statusbar .pb-sb-item')].find((e) => /Running|queued/.test(e.textContent ?? ''));
        // No named functions in here: the test's TypeScript transform would wrap them in a helper the page lacks.
        const running = document.querySelectorAll('.pb-cell[data-status="running"]').length;
        const queued = document.querySelectorAll('.pb-cell[data-status="queued"]').length;
        return queued > 0 && running > 0 && item?.textContent === `Running ${running} cell${running === 1 ? '' : 's'} · ${queued} queued`;
      },
      undefined,
      { timeout: 30_000 },
    );
    await reveal(cell(page, tracer));
    await screenshot(page, 'walk-lab06-ready');
  });

  await step("the sweep's table: the cost column rises from the first step to the last", async () => {
    const status = await ended(page, sweep);
    assert.equal(status, 'ok', await failures(page));
    await reveal(cell(page, sweep));
    await reveal(cell(page, sweep).locator('table.pb-table'));
    await screenshot(page, 'walk-lab06-sweep-table');
    const rules = (await tableColumn(page, sweep, 'rules')).map((v) => Number(v.replaceAll(',', '')));
    const cost = (await tableColumn(page, sweep, 'cost_ns')).map((v) => Number(v.replaceAll(',', '')));
    assert.deepEqual(rules, [0, 500, 1000, 1500, 2000, 2500, 3000]);
    assert.ok(cost.at(-1)! > 2 * cost[0]!, `cost per packet at 3,000 rules ${cost.at(-1)} ns, at 0 rules ${cost[0]} ns`);
  });

  await step('the two-panel figure is drawn, both panels with data', async () => {
    const frame = await plotFrame(page, sweep);
    const panels = await subplots(frame);
    assert.equal(panels.length, 2, JSON.stringify(panels));
    assert.ok(
      panels.every((p) => p.points > 0),
      JSON.stringify(panels),
    );
    await screenshot(page, 'walk-lab06-sweep-figure');
  });

  await step('the run ends with the cleanup cell: no namespace, rule or process left', async () => {
    // The cleanup cell runs after everything else, also after a failure: wait for it, not for the first failure.
    await cleanupEnded(page, cleanup);
    await reveal(cell(page, cleanup));
    await screenshot(page, 'walk-lab06-cleanup');
    const out = await outputOf(page, cleanup);
    assert.equal(await cell(page, cleanup).getAttribute('data-status'), 'ok', out);
    assert.match(out, new RegExp(`removed ${ns}`));
    assert.ok(!namespaces().includes(ns), 'the namespace is gone');
    assert.ok(!linkExists(`${ns}-h`), "the host's veth end is gone");
    assert.doesNotMatch(execFileSync('iptables-save', { encoding: 'utf8' }), /BLOAT/, 'no filler rule in the host');
    assert.deepEqual(processesOf([`\u0000${ns}\u0000`, `\u0000${ns}-h\u0000`], ns), [], 'server, tracer and probes are gone');
  });

  await step('the student answers a question and saves: the file has the answer and the outputs, and opens trusted', async () => {
    const text = `Answer by a student ${process.pid}: the cost rises linearly with the rules.`;
    await answer(page, question, text);
    await screenshot(page, 'walk-lab06-answer');
    await save(page, file);
    const saved = JSON.parse(readFileSync(join(dir, file), 'utf8')) as NotebookFile;
    assert.ok(joined(saved.cells[question]!.source).endsWith(text));
    const data = saved.cells[sweep]!.outputs!.flatMap((o) => Object.keys(o.data ?? {}));
    assert.ok(data.includes('application/vnd.probebook.table+json') && data.includes('application/vnd.plotly.v1+json'), data.join(', '));
    assert.match(joined(saved.cells[cleanup]!.outputs![0]?.text), new RegExp(`removed ${ns}`));
    await page.reload();
    await page.waitForSelector('.pb-cell');
    await cell(page, question).locator('.pb-md', { hasText: text }).waitFor();
    assert.equal(await page.locator('[data-banner="trust"]').count(), 0, 'no trust banner after the reload');
    assert.equal(await page.evaluate(() => window.probebookTest!.trusted()), true);
    await reveal(cell(page, sweep));
    await cell(page, sweep).locator('table.pb-table').waitFor({ timeout: 60_000 });
    await plotFrame(page, sweep);
    await screenshot(page, 'walk-lab06-reloaded');
    assert.deepEqual(pageErrors(errors, refused), { errors: [], refused: [] });
  });
});

test('flows by process walked through in the page: the live flow table fills while the tracer runs, then the answer per user, nothing left', async (t) => {
  if (!canRunPageTests(t)) return;
  if (!needs(t, { root: true, tools: ['ip', 'iperf3', 'bpftrace', 'ss', 'curl', 'python3', 'setpriv'] })) return;
  const ns = `pbwf${process.pid % 100000}`;
  const port = 20000 + ((process.pid + 7919) % 20000);
  const [alice, bob] = [64000 + ((process.pid + 3) % 1000), 65000 + ((process.pid + 3) % 500)];
  const dir = labFolder(t);
  afterwards(t, [ns], () => quiet('rm', '-rf', '--', `/run/${ns}`));
  const file = 'flows-by-process.ipynb';
  // Small transfers, as its probebook run test has them.
  const nb = copyNotebook(dir, file, { NS: ns, PORT: port, HTTP_PORT: port + 1, ALICE_UID: alice, BOB_UID: bob, ALICE_MB: 8, BOB_MB: 4, UDP_KB: 512 });
  const [flows, byUser, cleanup] = ['flows', 'by-user', 'cleanup'].map((n) => indexOf(nb, n)) as [number, number, number];
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const handle = await newPage(browser, { height: 1000 });
  const { page, errors } = handle;
  const refused = failedRequests(page);
  await open(handle, serve.pageUrl(file), 'flows', refused);
  const step = steps(t, page, 'flows', refused);

  await step('Run All asks the trust question first; the tracer says it waits until its probes are attached', async () => {
    await cell(page, 0).locator('.pb-md h1').waitFor({ timeout: 60_000 });
    await recordStatuses(page);
    await page.locator('.pb-tool[data-command="notebook.runAll"]').click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    await screenshot(page, 'walk-flows-trust');
    // From the first moment the flow table holds rows of both users: the status of the tracer's cell then.
    await page.evaluate(`(() => {
      const look = () => {
        const c = document.querySelectorAll('.pb-cell')[${flows}];
        const rows = [...(c?.querySelectorAll('.pb-events-table tbody tr') ?? [])].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim().replaceAll(',', '')));
        if (!window.pbLiveTable && ['${alice}', '${bob}'].every((uid) => rows.some((cells) => cells.includes(uid))))
          window.pbLiveTable = { status: c.dataset.status };
      };
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    })()`);
    await dialog.locator('button', { hasText: 'Trust and run' }).click();
    await sawReady(page, flows, /waiting until ready/);
    // The student watches the tracer's output (a cell's outputs are drawn once it is near the viewport).
    await reveal(cell(page, flows).locator('.pb-cell-output'), 'start');
  });

  await step("the live flow table shows alice's and bob's flows while the tracer still runs", async () => {
    const seen = await page.waitForFunction(
      (index) => {
        const w = window as unknown as { pbLiveTable?: { status: string } };
        const status = document.querySelectorAll<HTMLElement>('.pb-cell')[index]?.dataset['status'];
        return w.pbLiveTable ?? (['ok', 'failed', 'interrupted'].includes(status ?? '') ? { status: `never seen; the cell ended ${status}` } : null);
      },
      flows,
      { timeout: LONG },
    );
    assert.deepEqual(await seen.jsonValue(), { status: 'running' }, await failures(page));
    const headers = (await cell(page, flows).locator('.pb-events-table thead th').allInnerTexts()).map((h) => h.replace(/[▲▼]/g, '').trim());
    for (const h of ['PID', 'COMM', 'UID', 'PROTO', 'TX_BYTES', 'RX_BYTES', 'CGROUP']) assert.ok(headers.includes(h), `column ${h} in ${headers.join(', ')}`);
    await reveal(cell(page, flows).locator('.pb-events-table'));
    await screenshot(page, 'walk-flows-live-table');
  });

  await step('the answer per user: a table with alice and bob, and the two-panel figure', async () => {
    const status = await ended(page, byUser);
    assert.equal(status, 'ok', await failures(page));
    await reveal(cell(page, byUser));
    const users = await tableColumn(page, byUser, 'user');
    assert.ok(users.includes('alice') && users.includes('bob'), users.join(', '));
    const mib = (await tableColumn(page, byUser, 'tx_MiB')).map(Number);
    assert.ok(mib[users.indexOf('alice')]! >= 8, `alice sent ${mib[users.indexOf('alice')]} MiB`);
    await reveal(cell(page, byUser).locator('table.pb-table'));
    await screenshot(page, 'walk-flows-by-user');
    const frame = await plotFrame(page, byUser);
    const panels = await frame.evaluate(() =>
      [...document.querySelectorAll('.cartesianlayer > .subplot')].map((s) => s.querySelectorAll('.barlayer .point').length),
    );
    assert.equal(panels.length, 2, JSON.stringify(panels));
    assert.ok(
      panels.every((bars) => bars > 0),
      JSON.stringify(panels),
    );
    await screenshot(page, 'walk-flows-figure');
  });

  await step('the cleanup cell ran: no namespace, server or tracer left', async () => {
    await cleanupEnded(page, cleanup);
    await reveal(cell(page, cleanup));
    await screenshot(page, 'walk-flows-cleanup');
    assert.equal(await cell(page, cleanup).getAttribute('data-status'), 'ok', await outputOf(page, cleanup));
    assert.ok(!namespaces().includes(ns), 'the namespace is gone');
    assert.deepEqual(processesOf([`\u0000${ns}\u0000`, `-p\u0000${port}`, `http.server\u0000--bind\u0000127.0.0.1\u0000${port + 1}`]), [], 'servers are gone');
    await save(page, file);
    const saved = JSON.parse(readFileSync(join(dir, file), 'utf8')) as NotebookFile;
    assert.match(JSON.stringify(saved.cells[flows]!.outputs), new RegExp(`close .*\\b${alice}\\b`));
    assert.deepEqual(pageErrors(errors, refused), { errors: [], refused: [] });
  });
});

/** Everything lab06-network-monitoring.ipynb with this PREFIX could leave: namespaces, files, links, tagged rules, processes. */
function monitoringLeftovers(prefix: string): string[] {
  const found = namespaces().filter((n) => new RegExp(`^${prefix}(c|s|i|r\\d+|h\\d+)$`).test(n));
  for (const path of [`/etc/netns/${prefix}c`, `/etc/netns/${prefix}s`, `/run/lab06-${prefix}`]) if (existsSync(path)) found.push(path);
  if (linkExists(`${prefix}h`)) found.push(`link ${prefix}h`);
  for (const table of ['filter', 'mangle'])
    if (execFileSync('iptables-save', ['-t', table], { encoding: 'utf8' }).includes(`lab06-${prefix}`)) found.push(`${table} rules tagged lab06-${prefix}`);
  // Every process a cell of the notebook started has PREFIX in its environment.
  for (const pid of execFileSync('ls', ['/proc'], { encoding: 'utf8' }).split('\n')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z' && readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`PREFIX=${prefix}`)) found.push(`process ${pid}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

test('Lab 06 network monitoring walked through in the page, NETWORK=local: Run All builds the network and servers, the BPF program view, the packet view, stopped after the first task, cleanup', async (t) => {
  if (!canRunPageTests(t)) return;
  if (!needs(t, { root: true, tools: ['ip', 'iptables', 'iptables-save', 'tcpdump', 'dnsmasq', 'ntpd', 'ntpq', 'ntpdate', 'curl', 'python3'] })) return;
  const prefix = `w${process.pid % 100000}`;
  const file = 'lab06-network-monitoring.ipynb';
  const dir = labFolder(t);
  // As in the repository: cells run ../bpf/*.bt from the notebook's folder.
  mkdirSync(join(dir, 'notebooks'));
  cpSync(join(repoRoot, 'bpf'), join(dir, 'bpf'), { recursive: true });
  const nb = copyNotebook(join(dir, 'notebooks'), file, {
    NETWORK: 'local',
    PREFIX: prefix,
    HOPS: 2,
    ...{ STEP: 500, MAX: 3000, DURATION: 1, OMIT: 1, PROBES: 500, TIMELINE: 9 },
  });
  // Whatever happened: the notebook's own cleanup cell, run by hand, if anything of this PREFIX is left.
  t.after(() => {
    for (const p of monitoringLeftovers(prefix).filter((l) => l.startsWith('process '))) quiet('kill', '-9', p.split(' ')[1]!);
    if (monitoringLeftovers(prefix).length) quiet('bash', '-c', `PREFIX=${prefix}\n${joined(nb.cells[indexOf(nb, 'cleanup')]!.source)}`);
  });
  const names = ['network', 'dns', 'ntp', 'http', 'tcpdump-filter', 'tcpdump-capture', 'cleanup'] as const;
  const at = Object.fromEntries(names.map((n) => [n, indexOf(nb, n)])) as Record<(typeof names)[number], number>;
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const handle = await newPage(browser, { height: 1000 });
  const { page, errors } = handle;
  const refused = failedRequests(page);
  await open(handle, serve.pageUrl(`notebooks/${file}`), 'monitoring', refused);
  const step = steps(t, page, 'monitoring', refused);

  await step('Run All asks first, builds the local network, and waits for each server until it is ready', async () => {
    await cell(page, 0).locator('.pb-md h1').waitFor({ timeout: 60_000 });
    await recordStatuses(page);
    await page.locator('.pb-tool[data-command="notebook.runAll"]').click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    await dialog.locator('button', { hasText: 'Trust and run' }).click();
    assert.equal(await ended(page, at.network), 'ok', await failures(page));
    assert.ok(namespaces().includes(`${prefix}c`) && namespaces().includes(`${prefix}s`), namespaces().join(' '));
    for (const server of [at.dns, at.ntp, at.http]) await sawReady(page, server, /waiting until ready: output/);
    await reveal(cell(page, at.ntp));
    await screenshot(page, 'walk-monitoring-servers');
  });

  await step("task A: tcpdump's -d program is drawn as a BPF program", async () => {
    assert.equal(await ended(page, at['tcpdump-filter']), 'ok', await failures(page));
    await reveal(cell(page, at['tcpdump-filter']).locator('.pb-cell-output'), 'start');
    const rows = cell(page, at['tcpdump-filter']).locator('.pb-bpf-row');
    await rows.first().waitFor({ timeout: 60_000 });
    assert.ok((await rows.count()) > 5, `${await rows.count()} instructions`);
    assert.match((await rows.allInnerTexts()).join('\n'), /\bret\b/);
    await screenshot(page, 'walk-monitoring-bpf-program');
  });

  await step('task A: the capture is drawn as a packet list with the NTP query and the HTTP exchange', async () => {
    assert.equal(await ended(page, at['tcpdump-capture']), 'ok', await failures(page));
    await reveal(cell(page, at['tcpdump-capture']).locator('.pb-cell-output'), 'start');
    const rows = cell(page, at['tcpdump-capture']).locator('.pb-pk-rows .pb-pk-row');
    await rows.first().waitFor({ timeout: 60_000 });
    const text = (await rows.allInnerTexts()).join('\n');
    assert.match(text, /NTP/, text);
    assert.match(text, /\b80\b|HTTP/, text);
    await screenshot(page, 'walk-monitoring-packets');
  });

  await step('the student stops the run there (if it still goes on): the cleanup cell runs, nothing of the lab is left', async () => {
    // With these parameters the rest of the lab takes about a minute; on a fast machine it may be over already.
    if (await page.locator('.pb-cell[data-status="running"], .pb-cell[data-status="queued"]').count())
      await page.locator('.pb-tool[data-command="notebook.interruptAll"]').click();
    await cleanupEnded(page, at.cleanup);
    await reveal(cell(page, at.cleanup).locator('.pb-cell-output'), 'end');
    await screenshot(page, 'walk-monitoring-cleanup');
    assert.equal(await cell(page, at.cleanup).getAttribute('data-status'), 'ok', await outputOf(page, at.cleanup));
    assert.match(await outputOf(page, at.cleanup), new RegExp(`removed lab06-${prefix}`));
    await page.waitForFunction(() => !document.querySelector('.pb-cell[data-status="running"], .pb-cell[data-status="queued"]'), undefined, { timeout: LONG });
    assert.deepEqual(monitoringLeftovers(prefix), []);
    assert.deepEqual(pageErrors(errors, refused), { errors: [], refused: [] });
  });
});
