/**
 * Charts on the whole notebook page against the real `probebook serve`, in Debian's Chromium:
 * a TypeScript cell's `plot()` drawn by plotly in its sandboxed frame (hover shows the value,
 * a re-display with the same id updates the one figure in place), a bpftrace cell printing a map
 * every 400 ms whose live line chart grows while the cell runs, and a shell cell's `iperf3 -J`
 * getting its throughput chart without any TypeScript. The output harness tests
 * (outputs-plotly, outputs-bpftrace) check the renderers alone; this checks that the kernels,
 * the server and the page deliver to them. Screenshots: test-artifacts/screenshots/page-plots-*.png,
 * and the README's picture (a bpftrace cell's live table and chart, a TypeScript plot), written to
 * docs/images/notebook.png when PROBEBOOK_UPDATE_DOCS_IMAGES=1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { Frame, Page } from 'playwright-core';
import { needs } from '../support/needs.ts';
import { canRunPageTests, cell, launchBrowser, newPage, openNotebook, screenshot } from '../support/page-browser.ts';
import { writeNotebook } from '../support/notebooks.ts';
import { labFolder, repoRoot, startServe } from '../support/probebook-serve.ts';

/** A free TCP port on 127.0.0.1 (the kernel picks it; closed again before iperf3 takes it). */
function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** The playwright frame of the nth plot frame inside cell `index` (plots draw in a sandboxed iframe). */
async function plotFrame(page: Page, index: number, nth = 0): Promise<Frame> {
  const iframe = cell(page, index).locator('.pb-plot iframe.pb-frame').nth(nth);
  await iframe.waitFor({ timeout: 20_000 });
  const frame = await (await iframe.elementHandle())!.contentFrame();
  assert.ok(frame, 'the plot iframe has a frame');
  return frame;
}

/** Waits until a frame scrolled into view has painted (Chromium does not draw frames out of view), for screenshots. */
function painted(frame: Frame): Promise<void> {
  return frame.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

test('plots on the notebook page: plot() with hover, in-place updates, a live bpftrace chart, iperf3 charts', async (t) => {
  if (!canRunPageTests(t)) return;
  const dir = labFolder(t);
  const port = await freePort();
  // Cell 1 re-displays its plot once this file exists: the test makes it after seeing the first figure.
  const gate = join(dir, 'redisplay-now');
  writeNotebook(dir, 'plots.ipynb', [
    {
      source: "plot([{ x: [1, 2, 3, 4], y: [10, 30, 20, 40], type: 'scatter', name: 'mbps' }], { title: 'Throughput' });",
      probebook: { language: 'typescript' },
    },
    {
      source: [
        "import { existsSync } from 'node:fs';",
        "plot([{ x: [1, 2, 3], y: [5, 6, 7], name: 'first' }], { title: 'Updated in place' }, { id: 'live' });",
        `for (let i = 0; i < 600 && !existsSync(${JSON.stringify(gate)}); i++) await new Promise((r) => setTimeout(r, 50));`,
        "plot([{ x: [1, 2, 3], y: [5, 6, 7], name: 'first' }, { x: [1, 2, 3], y: [70, 80, 90], name: 'second' }], { title: 'Updated in place' }, { id: 'live' });",
      ].join('\n'),
      probebook: { language: 'typescript' },
    },
    {
      source: 'tracepoint:raw_syscalls:sys_enter { @calls[comm] = count(); }\ninterval:ms:400 { print(@calls); clear(@calls); }',
      probebook: { language: 'bpftrace', timeout: '6s' },
    },
    { source: `iperf3 -c 127.0.0.1 -p ${port} -t 2 -i 0.5 -J`, probebook: { name: 'iperf' } },
  ]);
  const serve = await startServe(t, dir);
  const browser = await launchBrowser(t);
  const { page, errors } = await newPage(browser, { height: 1000 });
  const waitStatus = (i: number, want: string, timeout = 20_000) =>
    page.waitForFunction(([index, s]) => document.querySelectorAll('.pb-cell')[index as number]?.getAttribute('data-status') === s, [i, want] as const, {
      timeout,
    });
  const status = (i: number) => cell(page, i).getAttribute('data-status');
  await openNotebook(page, serve.pageUrl('plots.ipynb'));

  await t.test("a TypeScript cell's plot() draws in a sandboxed frame and hovering a point shows its value", async () => {
    await cell(page, 0).locator('.pb-run').click();
    await page.locator('dialog[open]').locator('button', { hasText: 'Trust and run' }).click();
    await waitStatus(0, 'ok');
    assert.equal(await cell(page, 0).locator('.pb-plot iframe.pb-frame').getAttribute('sandbox'), 'allow-scripts');
    const frame = await plotFrame(page, 0);
    // The first plot loads plotly into its frame (4.8 MB) while Monaco and the TypeScript worker load.
    await frame.locator('.main-svg').first().waitFor({ timeout: 45_000 });
    await cell(page, 0).locator('.pb-plot-ready').waitFor();
    assert.equal(await frame.locator('.gtitle').textContent(), 'Throughput');
    assert.equal(await frame.locator('.scatterlayer .trace').count(), 1);
    const points = frame.locator('.scatterlayer .trace .points path.point');
    assert.equal(await points.count(), 4, 'one marker per data point');
    assert.equal(await frame.locator('.hoverlayer .hovertext').count(), 0, 'no hover label before hovering');
    // Plotly listens on its drag layer above the markers: move the mouse onto the marker itself.
    const label = frame.locator('.hoverlayer .hovertext');
    // A redraw (the frame's resize or theme) can drop a hover that came just before it: hover again
    // until plotly shows the label, a few times at most.
    for (let attempt = 1; ; attempt++) {
      await points.nth(1).hover({ force: true });
      try {
        await label.first().waitFor({ timeout: 2000 });
        break;
      } catch (error) {
        if (attempt === 5) throw error;
        await page.mouse.move(1, 1);
      }
    }
    const text = (await label.allTextContents()).join(' ');
    assert.match(text, /\b30\b/, `the hover label shows the value: ${text}`);
    await screenshot(page, 'plots-hover');
  });

  await t.test('a re-display with the same id updates the one figure in place', async () => {
    await cell(page, 1).locator('.pb-run').click();
    const frame = await plotFrame(page, 1);
    await frame.locator('.scatterlayer .trace').first().waitFor({ timeout: 30_000 });
    assert.equal(await status(1), 'running', 'the first display shows while the cell still runs');
    assert.equal(await frame.locator('.scatterlayer .trace').count(), 1);
    const iframe = await cell(page, 1).locator('.pb-plot iframe.pb-frame').elementHandle();
    writeFileSync(gate, '');
    await waitStatus(1, 'ok');
    assert.equal(await cell(page, 1).locator('.pb-plot').count(), 1, 'one figure, not two');
    assert.equal(await page.evaluate((el) => el!.isConnected, iframe), true, 'the same frame was updated, not replaced');
    await frame.locator('.scatterlayer .trace:nth-child(2)').waitFor({ timeout: 10_000 });
    assert.equal(await frame.locator('.scatterlayer .trace').count(), 2, 'the new data is drawn');
    assert.deepEqual(await frame.locator('.legendtext').allTextContents(), ['first', 'second']);
  });

  await t.test('a bpftrace interval print becomes a live chart that grows while the cell runs', async (tt) => {
    if (!needs(tt, { root: true, tools: ['bpftrace'] })) return;
    await execa('sh', ['-c', 'mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing'], { reject: false });
    const c = cell(page, 2);
    // The page itself samples the cell's status and the points of the top key's line (one per
    // print: a key missing from a print counts as 0) every 100 ms, so "while running" is exact
    // however slow this test's round trips are on a busy machine.
    await page.evaluate((i) => {
      const w = window as unknown as { pbSamples: { status: string | null; points: number }[]; pbSampler: number };
      w.pbSamples = [];
      w.pbSampler = window.setInterval(() => {
        const el = document.querySelectorAll('.pb-cell')[i]!;
        w.pbSamples.push({ status: el.getAttribute('data-status'), points: el.querySelectorAll('.pb-bt-series svg.pb-line-chart circle.pb-series-0').length });
      }, 100);
    }, 2);
    const points = () => c.locator('.pb-bt-series svg.pb-line-chart circle.pb-series-0').count();
    await c.locator('.pb-run').click();
    await c.locator('.pb-bt-series svg.pb-line-chart').waitFor({ timeout: 15_000 });
    await c.scrollIntoViewIfNeeded();
    await screenshot(page, 'plots-live-early');
    await waitStatus(2, 'ok', 20_000);
    const samples = await page.evaluate(() => {
      const w = window as unknown as { pbSamples: { status: string | null; points: number }[]; pbSampler: number };
      clearInterval(w.pbSampler);
      return w.pbSamples;
    });
    const running = samples.filter((x) => x.status === 'running' && x.points > 0);
    const first = running[0]?.points ?? 0;
    const last = running.at(-1)?.points ?? 0;
    assert.ok(first >= 2 && last > first, `the chart grew while the cell ran: ${first} → ${last} points (${running.length} samples while running)`);
    assert.equal(await c.locator('.pb-bt-series').count(), 1, 'one live chart for the map, not a table per print');
    const final = await points();
    assert.ok(final >= last, `${final} points at the end`);
    assert.match((await c.locator('.pb-bt-series .pb-bt-when').textContent()) ?? '', new RegExp(`^${final} prints · `));
    const latest = c.locator('.pb-bt-series-latest table');
    await latest.waitFor();
    assert.ok((await latest.locator('tbody tr').count()) > 0, 'the latest print is shown as a table next to the chart');
    assert.ok((await c.locator('.pb-bt-series .pb-legend-item').count()) > 0, 'a legend names the keys');
    await screenshot(page, 'plots-live-done');
  });

  await t.test('a shell cell printing iperf3 -J gets a throughput chart', async (tt) => {
    if (!needs(tt, { tools: ['iperf3'] })) return;
    // Our own server on loopback, stopped by its PID whatever happens.
    const server = execa('iperf3', ['-s', '-B', '127.0.0.1', '-p', String(port), '--forceflush'], { reject: false, stdin: 'ignore', buffer: false });
    tt.after(async () => {
      if (server.pid !== undefined && server.exitCode === null) process.kill(server.pid, 'SIGTERM');
      await server;
    });
    await new Promise<void>((ok, fail) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(`iperf3 -s did not start listening: ${out}`)), 10_000);
      server.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/Server listening/.test(out)) {
          clearTimeout(timer);
          ok();
        }
      });
    });
    const c = cell(page, 3);
    await c.locator('.pb-run').click();
    await waitStatus(3, 'ok', 20_000);
    const frame = await plotFrame(page, 3);
    await frame.locator('.main-svg').first().waitFor({ timeout: 20_000 });
    await c.locator('.pb-plot-ready').waitFor();
    assert.match((await frame.locator('.gtitle').textContent()) ?? '', /^iperf3: [\d.]+ Mbit\/s over [\d.]+ s/);
    assert.ok((await frame.locator('.scatterlayer .trace').first().locator('path.point').count()) >= 3, 'one point per interval');
    assert.ok((await frame.locator('.legendtext').allTextContents()).includes('throughput (Mbit/s)'));
    await c.scrollIntoViewIfNeeded();
    await painted(frame);
    await screenshot(page, 'plots-iperf3');
  });

  await t.test("the charts follow the page's theme", async () => {
    const frame = await plotFrame(page, 0);
    const background = () =>
      frame
        .locator('.main-svg')
        .first()
        .evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.equal(await background(), 'rgb(255, 255, 255)');
    await page.emulateMedia({ colorScheme: 'dark' });
    // Chromium does not draw frames scrolled out of view; the plot redraws once it is seen.
    await cell(page, 0).scrollIntoViewIfNeeded();
    await frame.waitForFunction(() => getComputedStyle(document.querySelector('.main-svg')!).backgroundColor === 'rgb(30, 30, 30)', undefined, {
      timeout: 10_000,
    });
    assert.equal(await background(), 'rgb(30, 30, 30)', 'the plot went dark with the page');
    if (await cell(page, 3).locator('.pb-plot').count()) {
      await cell(page, 3).scrollIntoViewIfNeeded();
      await painted(await plotFrame(page, 3));
      await screenshot(page, 'plots-iperf3-dark');
    }
    await cell(page, 2).scrollIntoViewIfNeeded();
    await screenshot(page, 'plots-live-dark');
  });

  await t.test("the README's screenshot: a bpftrace cell's live table and chart, and a TypeScript cell's plot of its prints", async (tt) => {
    if (!needs(tt, { root: true, tools: ['bpftrace'] })) return;
    writeNotebook(dir, 'syscalls.ipynb', [
      {
        type: 'markdown',
        source: '## Who makes the system calls?\nbpftrace counts them per process and prints the map every half second; TypeScript plots the totals.',
      },
      {
        // Traces for 4 s; END clears the map so the exit adds no partial print to the chart.
        source: [
          'tracepoint:raw_syscalls:sys_enter { @calls[comm] = count(); }',
          'interval:ms:500 { print(@calls, 6); clear(@calls); }',
          'interval:s:4 { exit(); }  END { clear(@calls); }',
        ].join('\n'),
        probebook: { language: 'bpftrace', name: 'syscalls' },
      },
      {
        source: [
          "const calls = series((await cell('syscalls')).maps['@calls']);",
          'const total = (comm: string) => calls[comm]!.reduce((sum, p) => sum + p.value, 0);',
          'const top = Object.keys(calls).sort((a, b) => total(b) - total(a)).slice(0, 6);',
          "plot([{ type: 'bar', x: top, y: top.map(total) }], { title: 'System calls in 4 s, by process', height: 220 });",
        ].join('\n'),
        probebook: { language: 'typescript' },
      },
    ]);
    // Its own page at a fixed size, light, so the committed image is the same shape every run.
    const shot = await newPage(browser, { width: 1280, height: 960 });
    tt.after(() => shot.context.close());
    const p = shot.page;
    await openNotebook(p, serve.pageUrl('syscalls.ipynb'));
    await p.locator('.pb-tool[data-command="notebook.runAll"]').click();
    await p.locator('dialog[open]').locator('button', { hasText: 'Trust and run' }).click();
    await p.waitForFunction(() => document.querySelectorAll('.pb-cell')[2]?.getAttribute('data-status') === 'ok', undefined, { timeout: 45_000 });
    assert.equal(await cell(p, 1).getAttribute('data-status'), 'ok');
    await cell(p, 1).locator('.pb-bt-series-latest table tbody tr').first().waitFor();
    const frame = await plotFrame(p, 2);
    await frame.locator('.main-svg').first().waitFor({ timeout: 45_000 });
    await cell(p, 2).locator('.pb-plot-ready').waitFor();
    assert.equal(await frame.locator('.gtitle').textContent(), 'System calls in 4 s, by process');
    assert.equal(await frame.locator('.barlayer .point').count(), 6, 'a bar for each of the six busiest processes');
    // The plot at the bottom of the window, everything above it as far as it fits.
    await p.mouse.move(1279, 959);
    await cell(p, 2)
      .locator('.pb-plot')
      .evaluate((e) => e.scrollIntoView({ block: 'end' }));
    await painted(frame);
    // The README's picture changes with what the machine ran: it is written on request only, so a
    // plain `npm test` leaves the tree clean (PROBEBOOK_UPDATE_DOCS_IMAGES=1 npm test -- test/e2e/page-plots.test.ts).
    const image =
      process.env.PROBEBOOK_UPDATE_DOCS_IMAGES === '1'
        ? join(repoRoot, 'docs/images/notebook.png')
        : join(repoRoot, 'test-artifacts/screenshots/readme-notebook.png');
    mkdirSync(dirname(image), { recursive: true });
    await p.screenshot({ path: image });
    assert.deepEqual(shot.errors, [], 'no errors in the console of the screenshot page');
  });

  assert.deepEqual(errors, [], 'no errors in the page console');
});
