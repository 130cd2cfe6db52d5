/**
 * The rule table in Chromium, on real iptables output (a namespace's rules listed before and after
 * four pings, test/fixtures/netfilter) read by the runner's own reader: chains grouped under their
 * table with their policy, the deltas column with the rules that matched in between marked, rules
 * that never matched dimmed, sorting and filtering, the dark theme, bad and hostile payloads.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { MIME } from '../../core/common/mime.ts';
import type { Output } from '../../core/common/notebook/model.ts';
import { readRuleOutput } from '../../core/common/parsers/netfilter/rule-output.ts';
import type { RulesPayload } from '../../core/common/parsers/netfilter/rules-model.ts';
import { mount, openHarness, screenshot } from '../support/outputs-harness.ts';

const FIXTURES = 'test/fixtures/netfilter';

function rulesOutput(id: string, file: string, source: string): Output {
  const text = readFileSync(`${FIXTURES}/${file}`, 'utf8');
  const read = readRuleOutput(text, source);
  assert.ok(read, file);
  return {
    outputId: id,
    kind: 'display_data',
    items: [
      { mime: MIME.rules, data: read.payload as never },
      { mime: MIME.plain, data: text },
    ],
  };
}

const chainBox = (page: Page, id: string, chain: string) => page.locator(`[data-output-id="${id}"] .pb-rules-chain[data-chain="${chain}"]`);
const cellsOf = (page: Page, id: string, chain: string, column: number) =>
  chainBox(page, id, chain).locator(`tbody tr td:nth-child(${column})`).allTextContents();

test('a rule table with deltas: chains with policies, +packets for the rules that matched in between, the others dimmed', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  await mount(page, [
    rulesOutput('ba', 'iptables-L-before-after-ping.txt', 'iptables -L -n -v -x --line-numbers; ping -c 4 127.0.0.1; iptables -L -n -v -x --line-numbers'),
  ]);
  const out = page.locator('[data-output-id="ba"]');
  await out.locator('.pb-rules').waitFor();
  assert.equal(await out.locator('.pb-rules-table-name').textContent(), 'table filter');
  assert.deepEqual(await out.locator('.pb-rules-chain-name').allTextContents(), ['Chain INPUT', 'Chain FORWARD', 'Chain OUTPUT', 'Chain LAB']);
  assert.match((await chainBox(page, 'ba', 'INPUT').locator('.pb-rules-chain-head').textContent()) ?? '', /policy ACCEPT\s*0 packets, 0 bytes/);
  assert.match((await chainBox(page, 'ba', 'LAB').locator('.pb-rules-chain-head').textContent()) ?? '', /1 references/);
  assert.equal(await chainBox(page, 'ba', 'FORWARD').locator('.pb-rules-empty').textContent(), 'No rules: every packet meets the policy (ACCEPT).');
  assert.match((await out.locator('.pb-rules-compared').textContent()) ?? '', /since the previous of 2 listings/);
  assert.equal(await out.locator('.pb-rules-problems').count(), 0, "ping's lines between the listings are not problems");
  const headers = await chainBox(page, 'ba', 'INPUT').locator('thead th').allTextContents();
  assert.deepEqual(
    headers.map((s) => s.trim()),
    ['#', 'packets', 'bytes', '+packets', '+bytes', 'target', 'match'],
  );
  // Four pings on loopback: four requests and four replies enter INPUT, four requests leave by OUTPUT.
  assert.deepEqual(await cellsOf(page, 'ba', 'INPUT', 4), ['8', '0']);
  assert.deepEqual(await cellsOf(page, 'ba', 'INPUT', 5), ['672', '0']);
  assert.deepEqual(await cellsOf(page, 'ba', 'OUTPUT', 4), ['4']);
  assert.deepEqual(await cellsOf(page, 'ba', 'INPUT', 7), ['proto icmp', 'proto tcp  tcp dpt:8080 /* lab accept */']);
  const rows = chainBox(page, 'ba', 'INPUT').locator('tbody tr');
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.className)), ['pb-rules-hit', 'pb-rules-zero']);
  const look = (i: number) =>
    rows
      .nth(i)
      .locator('td')
      .first()
      .evaluate((td) => ({ opacity: getComputedStyle(td).opacity, bg: getComputedStyle(td).backgroundColor }));
  const [hit, zero] = [await look(0), await look(1)];
  assert.equal(zero.opacity, '0.7', 'a rule that never matched is dimmed');
  assert.notEqual(hit.bg, zero.bg, 'a rule that matched in between is highlighted');
  // Sorting: +packets ascending puts the idle rule first; the filter narrows the rows.
  await chainBox(page, 'ba', 'INPUT').locator('th button', { hasText: '+packets' }).click();
  assert.deepEqual(await cellsOf(page, 'ba', 'INPUT', 1), ['1', '2'], 'numbers sort biggest first');
  await chainBox(page, 'ba', 'INPUT').locator('th button', { hasText: '+packets' }).click();
  assert.deepEqual(await cellsOf(page, 'ba', 'INPUT', 1), ['2', '1']);
  await chainBox(page, 'ba', 'INPUT').locator('input.pb-filter').fill('8080');
  assert.deepEqual(await cellsOf(page, 'ba', 'INPUT', 1), ['2']);
  await screenshot(page, 'rules-deltas');
  await mount(page, [rulesOutput('dark', 'nft-j-list-ruleset-lab.json', 'nft -j list ruleset')], { theme: 'dark' });
  const dark = page.locator('[data-output-id="dark"]');
  await dark.locator('.pb-rules').waitFor();
  assert.equal(await dark.locator('.pb-rules-table-name').textContent(), 'table inet lab');
  assert.match((await chainBox(page, 'dark', 'input').locator('.pb-rules-chain-head').textContent()) ?? '', /hook input\s*policy accept/);
  assert.deepEqual(await cellsOf(page, 'dark', 'input', 2), ['6', '7', '8', '10', '11'], 'nft handles');
  assert.equal(await dark.locator('.pb-rules-compared').count(), 0, 'one listing: no deltas');
  await screenshot(page, 'rules-nft-dark');
  assert.deepEqual(h.consoleErrors, []);
});

test('bad and hostile rule payloads: an error box, markup shown as text', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  const hostile: RulesPayload = {
    version: 1,
    format: 'iptables-save',
    listings: 1,
    problems: ['<img src=x onerror="window.__pwned=1">'],
    tables: [
      {
        name: '<b>t</b>',
        chains: [
          {
            name: '<script>window.__pwned=1</script>',
            policy: 'ACCEPT',
            rules: [{ position: 1, target: '<i>x</i>', match: '<img src=x onerror="window.__pwned=1">' }],
          },
        ],
      },
    ],
  };
  await mount(
    page,
    [
      { outputId: 'bad', kind: 'display_data', items: [{ mime: MIME.rules, data: { version: 1, format: 'iptables-save', tables: [{ chains: 3 }] } }] },
      { outputId: 'hostile', kind: 'display_data', items: [{ mime: MIME.rules, data: hostile as never }] },
    ],
    { trusted: false },
  );
  await page.locator('[data-output-id="bad"] .pb-render-error', { hasText: 'a table without chains' }).waitFor();
  const out = page.locator('[data-output-id="hostile"]');
  await out.locator('.pb-rules-problems li', { hasText: '<img src=x' }).waitFor();
  assert.equal(await out.locator('.pb-rules-chain-name').textContent(), 'Chain <script>window.__pwned=1</script>');
  assert.equal(await out.locator('img, script, b, i').count(), 0);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
});
