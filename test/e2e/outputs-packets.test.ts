/**
 * The packet view and the BPF program view in Chromium, on real captures (tcpdump's and dumpcap's
 * samples, tcpdump's regression captures in test/fixtures/packets) and real tcpdump text, checked
 * against tshark reading the same files: rows, columns, the display filter's counts; the tree and
 * the bytes it highlights; the link-layer toggle; a million packets; live updates; bad payloads.
 */
import { test } from 'node:test';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { apply, mount, openHarness, screenshot } from '../support/outputs-harness.ts';
import { needs } from '../support/needs.ts';
import { MIME } from '../../core/common/mime.ts';
import type { Output } from '../../core/common/notebook/model.ts';
import type { BpfProgramPayload, PacketsPayload, TextPacket } from '../../core/common/packets/payload.ts';
import { createTcpdumpTextParser } from '../../core/common/parsers/tcpdump/tcpdump-text.ts';

/** The team's reference samples, beside the repository (../shared). */
const SAMPLES = join(import.meta.dirname, '../../../shared/reference/samples');
const DUMPCAP = `${SAMPLES}/dumpcap.pcapng`;
const DNS_TCP = 'test/fixtures/packets/dns_tcp.pcap';

/** tshark's rows of `file` (after `filter`), as tab-separated fields. */
function tshark(file: string, fields: string[], filter?: string): string[][] {
  const args = ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f]), ...(filter ? ['-Y', filter] : [])];
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
}

function captureOutput(
  id: string,
  bytes: Uint8Array,
  extra: Partial<PacketsPayload> = {},
  capture: Partial<NonNullable<PacketsPayload['capture']>> = {},
): Output {
  const payload: PacketsPayload = {
    version: 1,
    source: 'capture',
    capture: { format: bytes[0] === 0x0a ? 'pcapng' : 'pcap', base64: Buffer.from(bytes).toString('base64'), bytes: bytes.length, ...capture },
    count: 0,
    live: false,
    problems: [],
    ...extra,
  };
  return { outputId: id, kind: 'display_data', items: [{ mime: MIME.packets, data: payload as never }] };
}

/** Real tcpdump text as the runner turns it into a payload (parsed by core's tcpdump parser). */
function textOutput(id: string, file: string): Output {
  const text = readFileSync(`test/fixtures/tcpdump/${file}`, 'utf8');
  const parser = createTcpdumpTextParser();
  const packets: TextPacket[] = [...parser.push(text), ...parser.end()].flatMap((item) =>
    item.kind === 'packet'
      ? [
          {
            no: item.no,
            summary: item.summary,
            time: item.time?.text.trim(),
            sinceFirstNs: item.time?.sinceFirstNs,
            hex: item.bytes && Buffer.from(item.bytes).toString('hex'),
            bytesFrom: item.bytesFrom,
          },
        ]
      : [],
  );
  const link = parser.linkType;
  const payload: PacketsPayload = {
    version: 1,
    source: 'text',
    text: { linkType: link && { name: link.name, number: link.number }, packets },
    count: packets.length,
    live: false,
    problems: [],
  };
  return { outputId: id, kind: 'display_data', items: [{ mime: MIME.packets, data: JSON.parse(JSON.stringify(payload)) }] };
}

const out = (page: Page, id: string) => page.locator(`[data-output-id="${id}"]`);
const rowsOf = (page: Page, id: string) => out(page, id).locator('.pb-pk-rows .pb-pk-row');
const cells = (page: Page, id: string, column: number) => rowsOf(page, id).locator(`.pb-pk-c:nth-child(${column})`).allTextContents();
/** Waits until the output's count line reads `text`. */
const countIs = (page: Page, id: string, text: string) =>
  out(page, id)
    .locator('.pb-pk-count', { hasText: new RegExp(`^${text}$`) })
    .waitFor();
/** The highlighted bytes' offsets (in the packet). */
const litBytes = (page: Page, id: string) =>
  out(page, id)
    .locator('.pb-pk-hex .pb-pk-lit')
    .evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset['byte'])));

test('a real capture lists tshark’s packets; a packet’s tree highlights its bytes; the filter narrows the list', async (t) => {
  if (!needs(t, { tools: ['tshark'] })) return;
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  await mount(page, [
    captureOutput('dns', new Uint8Array(readFileSync(DNS_TCP))),
    captureOutput('lab', new Uint8Array(readFileSync(DUMPCAP)), { command: 'dumpcap -i lo -w - tcp port 8080' }, { file: 'lab.captures/cell-3.pcapng' }),
  ]);
  // Rows and columns as tshark shows them.
  const expected = tshark(DNS_TCP, ['frame.number', '_ws.col.Source', '_ws.col.Destination', '_ws.col.Protocol', 'frame.len']);
  await countIs(page, 'dns', `${expected.length} packets`);
  assert.deepEqual(await out(page, 'dns').locator('.pb-pk-head .pb-pk-c').allTextContents(), [
    'No.',
    'Time',
    'Source',
    'Destination',
    'Protocol',
    'Length',
    'Info',
  ]);
  assert.equal(await rowsOf(page, 'dns').count(), expected.length);
  const columns = await Promise.all([1, 3, 4, 5, 6].map((c) => cells(page, 'dns', c)));
  assert.deepEqual(
    expected.map((_, r) => columns.map((c) => c[r])),
    expected,
  );
  assert.deepEqual((await cells(page, 'dns', 2)).slice(0, 2), ['0.000000', '0.126619'], 'µs capture: six digits since the first packet');
  const lab = tshark(DUMPCAP, ['frame.number', 'frame.time_relative']);
  assert.deepEqual(
    await cells(page, 'lab', 2),
    lab.map((r) => r[1]),
    'ns capture: nine digits, as tshark',
  );
  assert.match((await out(page, 'lab').locator('.pb-pk-file').textContent())!, /saved as lab\.captures\/cell-3\.pcapng — opens in Wireshark/);

  // Select packet 4 (the HTTP GET): its tree, then a field and its bytes.
  await rowsOf(page, 'lab').nth(3).click();
  const lab4 = out(page, 'lab');
  assert.equal(await lab4.locator('.pb-pk-detail-title').textContent(), 'Packet 4');
  assert.equal(await rowsOf(page, 'lab').nth(3).getAttribute('aria-selected'), 'true');
  const tops = await lab4.locator('.pb-pk-nodes > .pb-pk-node > .pb-pk-line .pb-pk-label').allTextContents();
  assert.deepEqual(
    tops.map((l) => l.split(',')[0]),
    ['Ethernet II', 'Internet Protocol Version 4', 'Transmission Control Protocol', 'Hypertext Transfer Protocol'],
  );
  await lab4.locator('.pb-pk-line', { hasText: 'Internet Protocol Version 4' }).locator('.pb-pk-caret').click();
  const ttl = lab4.locator('.pb-pk-line', { hasText: 'Time to Live' });
  await ttl.click();
  assert.equal(await ttl.getAttribute('data-range'), '22-23');
  assert.deepEqual(await litBytes(page, 'lab'), [22]);
  const ipLine = lab4.locator('.pb-pk-line', { hasText: 'Internet Protocol Version 4' });
  await ipLine.click();
  assert.deepEqual(
    await litBytes(page, 'lab'),
    Array.from({ length: 20 }, (_, i) => 14 + i),
    'the IPv4 header: bytes 14..33',
  );
  // A click on a byte selects the innermost field covering it: byte 36 is the TCP destination port.
  await lab4.locator('.pb-pk-hex [data-byte="36"]').click();
  assert.match((await lab4.locator('.pb-pk-line-sel').textContent())!, /^.?Destination Port: 8080/);
  assert.deepEqual(await litBytes(page, 'lab'), [36, 37]);
  assert.deepEqual(
    await lab4.locator('.pb-pk-ascii .pb-pk-lit').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset['byte']))),
    [36, 37],
    'the ASCII column too',
  );
  // Without the link layer: the bytes start at the IPv4 header (0x45) at offset 0000, Ethernet is gone from the tree.
  assert.equal(await lab4.locator('.pb-pk-hex .pb-pk-b').first().textContent(), '00');
  await lab4.locator('.pb-pk-link input').uncheck();
  assert.equal(await lab4.locator('.pb-pk-hex .pb-pk-b').first().textContent(), '45');
  assert.equal(await lab4.locator('.pb-pk-hex .pb-pk-b').first().getAttribute('data-byte'), '14');
  assert.equal(await lab4.locator('.pb-pk-off').first().textContent(), '0000');
  assert.equal(await lab4.locator('.pb-pk-hex .pb-pk-b').count(), 154 - 14);
  assert.equal(await lab4.locator('.pb-pk-line', { hasText: 'Ethernet II' }).count(), 0);
  assert.deepEqual(await litBytes(page, 'lab'), [36, 37], 'the selected field stays lit');
  await lab4.locator('.pb-pk-link input').check();

  // Keyboard: down, end, home.
  await rowsOf(page, 'lab').nth(3).click();
  await page.keyboard.press('ArrowDown');
  assert.equal(await lab4.locator('.pb-pk-detail-title').textContent(), 'Packet 5');
  await page.keyboard.press('End');
  assert.equal(await lab4.locator('.pb-pk-detail-title').textContent(), `Packet ${lab.length}`);
  await page.keyboard.press('Home');
  assert.equal(await lab4.locator('.pb-pk-detail-title').textContent(), 'Packet 1');

  // The display filter, against tshark's -Y on the same file.
  const filter = lab4.locator('.pb-pk-filter');
  for (const [ours, theirs] of [
    ['tcp', 'tcp'],
    ['port 8080 and tcp.port == 39364', 'tcp.port == 8080 and tcp.port == 39364'],
    ['http', 'http.request or http.response'],
  ] as const) {
    await filter.fill(ours);
    const n = tshark(DUMPCAP, ['frame.number'], theirs).length;
    await countIs(page, 'lab', `${n} of ${lab.length} packets shown`);
  }
  await filter.fill('http');
  await countIs(page, 'lab', `2 of ${lab.length} packets shown`);
  assert.deepEqual(await cells(page, 'lab', 1), ['4', '6']);
  const dnsFilter = out(page, 'dns').locator('.pb-pk-filter');
  await dnsFilter.fill('dns and host 209.87.249.18');
  const dnsCount = tshark(DNS_TCP, ['frame.number'], 'dns and ip.addr == 209.87.249.18').length;
  await countIs(page, 'dns', `${dnsCount} of ${expected.length} packets shown`);
  // A bad filter: an error with its position, the list keeps the last good filter.
  await dnsFilter.fill('port 53 and');
  const error = out(page, 'dns').locator('.pb-pk-filter-error');
  await error.waitFor();
  assert.match((await error.textContent())!, /at character \d+/);
  assert.equal(await dnsFilter.getAttribute('aria-invalid'), 'true');
  await countIs(page, 'dns', `${dnsCount} of ${expected.length} packets shown`);
  await dnsFilter.fill('');
  await countIs(page, 'dns', `${expected.length} packets`);
  assert.equal(await error.isHidden(), true);
  await rowsOf(page, 'dns').nth(3).click();
  await out(page, 'dns').locator('.pb-pk-line', { hasText: 'Domain Name System' }).click();
  await filter.fill('tcp');

  await screenshot(page, 'packets-light');
  await page.evaluate(() => window.pbHarness.setTheme('dark'));
  await screenshot(page, 'packets-dark');
  assert.deepEqual(h.consoleErrors, []);
});

test('tcpdump text: rows as printed, packets with bytes decoded, the others say they have none', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  await mount(page, [textOutput('xx', 'local-any-XX-nano.txt'), textOutput('tt', 'tcpdump-n-tt.txt')]);
  const xx = out(page, 'xx');
  await rowsOf(page, 'xx').first().waitFor();
  const printed = readFileSync('test/fixtures/tcpdump/local-any-XX-nano.txt', 'utf8')
    .split('\n')
    .filter((l) => /^\d+\.\d{9} /.test(l));
  assert.equal(await rowsOf(page, 'xx').count(), printed.length);
  assert.deepEqual(
    await cells(page, 'xx', 2),
    printed.map((l) => l.split(' ')[0]),
    'times as printed (--nano)',
  );
  assert.equal((await cells(page, 'xx', 7))[0], printed[0]!.slice(printed[0]!.indexOf(' ') + 1), 'the summary as printed');
  await rowsOf(page, 'xx').first().click();
  const layers = await xx.locator('.pb-pk-nodes > .pb-pk-node > .pb-pk-line .pb-pk-label').allTextContents();
  assert.deepEqual(
    layers.slice(0, 3).map((l) => l.split(',')[0]),
    ['Linux cooked capture v2', 'Internet Protocol Version 4', 'User Datagram Protocol'],
  );
  await xx.locator('.pb-pk-link input').uncheck();
  assert.equal(await xx.locator('.pb-pk-hex .pb-pk-b').first().getAttribute('data-byte'), '20', 'SLL2: the network header starts at byte 20');
  const tt = out(page, 'tt');
  await rowsOf(page, 'tt').first().click();
  assert.match((await tt.locator('.pb-pk-details .pb-note').textContent())!, /printed no bytes for this packet/);
  assert.equal(await tt.locator('.pb-pk-bytes').isHidden(), true);
  await tt.locator('.pb-pk-filter').fill('tcp and port 8080');
  await countIs(page, 'tt', '10 of 10 packets shown');
  await tt.locator('.pb-pk-filter').fill('udp');
  await countIs(page, 'tt', '0 of 10 packets shown');
  await tt.locator('.pb-empty', { hasText: 'No packets match the filter.' }).waitFor();
  await screenshot(page, 'packets-text');
  assert.deepEqual(h.consoleErrors, []);
});

test('a million packets: the first rows come, the end is reachable, the DOM stays small', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  // Two real packets (tcpdump-usec.pcap's SYN and SYN-ACK: 180 bytes with their record headers, a
  // multiple of 3, so the capture's base64 is the header's followed by the pair's, repeated).
  const usec = readFileSync(`${SAMPLES}/tcpdump-usec.pcap`);
  const header = usec.subarray(0, 24).toString('base64');
  const pair = usec.subarray(24, 24 + 180).toString('base64');
  const t0 = await page.evaluate(
    ([header, pair, mime]) => {
      const base64 = header + pair.repeat(500_000);
      const payload = {
        version: 1,
        source: 'capture',
        capture: { format: 'pcap', base64, bytes: (base64.length / 4) * 3 },
        count: 1_000_000,
        live: false,
        problems: [],
      };
      const start = performance.now();
      window.pbHarness.mount([{ outputId: 'big', kind: 'display_data', items: [{ mime, data: payload as never }] }]);
      return start;
    },
    [header, pair, MIME.packets] as const,
  );
  await rowsOf(page, 'big').first().waitFor();
  const ms = (await page.evaluate(() => performance.now())) - t0;
  // A figure, not a check: speed goals live in benchmarks (docs/benchmarks.md), not in timed tests.
  t.diagnostic(`first rows of 1,000,000 packets after ${ms.toFixed(0)} ms`);
  await countIs(page, 'big', '1,000,000 packets');
  const big = out(page, 'big');
  assert.ok((await rowsOf(page, 'big').count()) < 40, 'only the rows in view are in the DOM');
  await rowsOf(page, 'big').first().click();
  await page.keyboard.press('End');
  await big.locator('.pb-pk-row[data-no="1000000"]').waitFor();
  assert.equal(await big.locator('.pb-pk-detail-title').textContent(), 'Packet 1000000');
  assert.ok((await rowsOf(page, 'big').count()) < 40);
  await page.keyboard.press('PageUp');
  assert.equal(await big.locator('.pb-pk-row.pb-pk-selected').getAttribute('data-no'), String(1_000_000 - 15));
  // Scrolling by hand to the middle draws the rows there.
  await big.locator('.pb-pk-list').evaluate((e) => {
    e.scrollTop = (e.scrollHeight - e.clientHeight) / 2;
  });
  await page.waitForFunction(() => {
    const no = Number(document.querySelector<HTMLElement>('[data-output-id="big"] .pb-pk-rows .pb-pk-row')?.dataset['no']);
    return no > 400_000 && no < 600_000;
  });
  // The filter goes through every packet, a slice per frame.
  await big.locator('.pb-pk-filter').fill('tcp.srcport == 8080');
  await countIs(page, 'big', '500,000 of 1,000,000 packets shown');
  assert.deepEqual(h.consoleErrors, []);
});

test('a live capture grows in place: rows appended, the selection kept, the end followed', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  const usec = new Uint8Array(readFileSync(`${SAMPLES}/tcpdump-usec.pcap`));
  // 40 real packets: the capture's three, again and again (the times as they are).
  const records = [usec.subarray(24, 24 + 90), usec.subarray(114, 114 + 90), usec.subarray(204)];
  const pcap = (n: number) => Buffer.concat([usec.subarray(0, 24), ...Array.from({ length: n }, (_, i) => records[i % 3]!)]);
  const version = (n: number, live: boolean) => captureOutput('live', pcap(n), { live, count: n });
  await mount(page, [version(5, true)]);
  await countIs(page, 'live', '5 packets');
  assert.equal(await out(page, 'live').locator('.pb-pk-live').count(), 1);
  await rowsOf(page, 'live').nth(1).click();
  await apply(page, { kind: 'replace', output: version(12, true) });
  await countIs(page, 'live', '12 packets');
  assert.equal(await out(page, 'live').locator('.pb-pk-row.pb-pk-selected').getAttribute('data-no'), '2', 'the selection is kept');
  assert.equal(await out(page, 'live').locator('.pb-pk-detail-title').textContent(), 'Packet 2');
  // At the end of a list taller than its box, new packets keep the end in view.
  await apply(page, { kind: 'replace', output: version(20, true) });
  await countIs(page, 'live', '20 packets');
  await out(page, 'live')
    .locator('.pb-pk-list')
    .evaluate((e) => {
      e.scrollTop = e.scrollHeight;
    });
  await apply(page, { kind: 'replace', output: version(40, false) });
  await countIs(page, 'live', '40 packets');
  await out(page, 'live').locator('.pb-pk-row[data-no="40"]').waitFor();
  assert.equal(await out(page, 'live').locator('.pb-pk-live').count(), 0);
  assert.equal(await out(page, 'live').locator('.pb-pk-row.pb-pk-selected').count(), 0, 'packet 2 is scrolled away, still selected');
  assert.equal(await out(page, 'live').locator('.pb-pk-detail-title').textContent(), 'Packet 2');
  // Only part of a capture in the notebook, the rest in its file; a capture that could not be saved.
  await apply(page, { kind: 'replace', output: captureOutput('live', pcap(40), { count: 5000 }, { embeddedPackets: 40, file: 'lab.captures/x.pcap' }) });
  await out(page, 'live')
    .locator('.pb-note', { hasText: 'Only the first 40 of 5,000 packets are in the notebook; the whole capture is in lab.captures/x.pcap.' })
    .waitFor();
  await apply(page, {
    kind: 'replace',
    output: captureOutput('live', pcap(3), { count: 3, problems: ['tcpdump exited with status 1'] }, { saveProblem: 'the disk is full' }),
  });
  await out(page, 'live').locator('.pb-pk-warn', { hasText: 'The capture was not saved: the disk is full' }).waitFor();
  await out(page, 'live').locator('.pb-pk-warn', { hasText: 'tcpdump exited with status 1' }).waitFor();
  assert.deepEqual(h.consoleErrors, []);
});

test('bad and hostile payloads: an error box, reader problems as warnings, a page that stays responsive', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  // A record claiming 10^9 bytes after a real pcap header.
  const usec = readFileSync(`${SAMPLES}/tcpdump-usec.pcap`);
  const huge = Buffer.concat([usec.subarray(0, 24), Buffer.alloc(16)]);
  huge.writeUInt32LE(1_000_000_000, 24 + 8);
  huge.writeUInt32LE(1_000_000_000, 24 + 12);
  const hostile: PacketsPayload = {
    version: 1,
    source: 'text',
    text: { packets: [{ no: 1, time: '<img src=x onerror="window.__pwned=1">', summary: '<script>window.__pwned=1</script>', hex: 'zz' }] },
    count: 1,
    live: false,
    problems: ['<b>bold</b>'],
  };
  await mount(
    page,
    [
      { outputId: 'bad', kind: 'display_data', items: [{ mime: MIME.packets, data: { source: 'capture' } }] },
      { outputId: 'bad2', kind: 'display_data', items: [{ mime: MIME.bpfProgram, data: 42 }] },
      captureOutput('huge', new Uint8Array(huge)),
      { outputId: 'hostile', kind: 'display_data', items: [{ mime: MIME.packets, data: hostile as never }] },
    ],
    { trusted: false },
  );
  await out(page, 'bad').locator('.pb-render-error', { hasText: 'capture.base64' }).waitFor();
  await out(page, 'bad2').locator('.pb-render-error', { hasText: 'not a BPF program payload' }).waitFor();
  await out(page, 'huge').locator('.pb-pk-warn').first().waitFor();
  assert.equal(await out(page, 'huge').locator('.pb-pk-count').textContent(), '0 packets');
  await rowsOf(page, 'hostile').first().click();
  assert.equal(await out(page, 'hostile').locator('.pb-pk-warn').textContent(), '⚠ <b>bold</b>', 'shown as text');
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.equal(await page.locator('[data-output-id="hostile"] script, [data-output-id="hostile"] img, [data-output-id="hostile"] b').count(), 0);
  // 50 MB of base64 that is no capture: read a slice per frame; the page answers meanwhile.
  await page.evaluate((mime) => {
    const payload = {
      version: 1,
      source: 'capture',
      capture: { format: 'pcap', base64: 'QUJD'.repeat(12_500_000), bytes: 37_500_000 },
      count: 0,
      live: false,
      problems: [],
    };
    window.pbHarness.mount([{ outputId: 'junk', kind: 'display_data', items: [{ mime, data: payload as never }] }]);
  }, MIME.packets);
  const t0 = Date.now();
  await page.evaluate(() => 1);
  assert.ok(Date.now() - t0 < 500, 'the page answers while the payload is read');
  await out(page, 'junk').locator('.pb-pk-warn', { hasText: 'not a pcap or pcapng capture' }).waitFor();
  assert.deepEqual(
    h.consoleErrors.filter((e) => !e.includes('could not be shown') && !/renderer .* failed/.test(e)),
    [],
  );
});

test('the BPF program of a real tcpdump -d: numbered instructions, jump arrows to their targets, verdicts', async (t) => {
  const h = await openHarness(t);
  if (!h) return;
  const { page } = h;
  const dumps = readFileSync(`${SAMPLES}/tcpdump-bpf-dumps.txt`, 'utf8').split('\n\n');
  const dump = (i: number) => dumps[i]!.split('\n').slice(1).join('\n');
  const program = (id: string, format: BpfProgramPayload['format'], text: string, expression?: string): Output => ({
    outputId: id,
    kind: 'display_data',
    items: [{ mime: MIME.bpfProgram, data: { version: 1, format, text, ...(expression ? { expression } : {}) } }],
  });
  await mount(page, [program('d', 'd', dump(0), 'tcp dst port 8080'), program('ddd', 'ddd', dump(2))]);
  const d = out(page, 'd');
  await d.locator('.pb-bpf-row').first().waitFor();
  assert.equal(await d.locator('.pb-bpf-expression code').textContent(), 'tcp dst port 8080');
  assert.equal(await d.locator('.pb-bpf-row').count(), 16);
  assert.deepEqual(await d.locator('.pb-bpf-row').nth(1).locator('span').allTextContents(), ['(001)', 'jeq', '#0x86dd', 'jt 2  jf 6']);
  assert.equal(await d.locator('.pb-bpf-row').nth(14).locator('.pb-bpf-accept').count(), 1);
  assert.equal(await d.locator('.pb-bpf-row').nth(15).locator('.pb-bpf-reject').count(), 1);
  // Instruction 1's arrows end at rows 2 (true) and 6 (false): compare the drawn ends with the rows' places.
  const ends = await d.evaluate((el) => {
    const gutter = el.querySelector('.pb-bpf-gutter')!.getBoundingClientRect();
    const rows = [...el.querySelectorAll('.pb-bpf-row')].map((r) => {
      const b = r.getBoundingClientRect();
      return b.top + b.height / 2 - gutter.top;
    });
    const edges = [...el.querySelectorAll<SVGPathElement>('.pb-bpf-edge')].map((p) => {
      const d = p.getAttribute('d')!.split(' ');
      return { kind: p.classList.contains('pb-bpf-true') ? 'true' : 'false', y0: Number(d[2]), y1: Number(d[6]) };
    });
    return { rows, edges };
  });
  const rowAt = (y: number) => ends.rows.findIndex((r) => Math.abs(r - y) < 5);
  const from1 = ends.edges.filter((e) => rowAt(e.y0) === 1).map((e) => [e.kind, rowAt(e.y1)]);
  assert.deepEqual(from1, [
    ['true', 2],
    ['false', 6],
  ]);
  assert.equal(ends.edges.length, 2 * 7, 'seven conditional jumps, two arrows each');
  // Hover shows where an instruction goes.
  await d.locator('.pb-bpf-row').nth(5).hover();
  assert.deepEqual(await d.locator('.pb-bpf-row.pb-bpf-target').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['index'])), ['14', '15']);
  assert.equal(await d.locator('.pb-bpf-edge.pb-bpf-hot').count(), 2);
  // -ddd reads into the same program.
  assert.deepEqual(await out(page, 'ddd').locator('.pb-bpf-mnemonic').allTextContents(), await d.locator('.pb-bpf-mnemonic').allTextContents());
  await screenshot(page, 'bpf-light');
  await page.evaluate(() => window.pbHarness.setTheme('dark'));
  await screenshot(page, 'bpf-dark');
  assert.deepEqual(h.consoleErrors, []);
});
