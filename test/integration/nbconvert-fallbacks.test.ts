// Our notebooks read well outside Probebook: a notebook with every kind of Probebook output, made
// by a real run (iptables in a namespace of its own, a live tcpdump, tcpdump -d, bpftrace maps and
// a histogram, a recorded pwru trace, a pcap stream, a TypeScript table(), a snoop-style event stream), rendered
// by Debian's `jupyter nbconvert --to html` and read back in Chromium: each view is a table there.
// The page is also saved as test-artifacts/screenshots/nbconvert-fallbacks.png, to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { chromium } from 'playwright-core';
import { runCommand } from '../../core/node/commands/run.ts';
import { createLocalExecutor } from '../../core/node/run/local-executor.ts';
import { CleanupLedger } from '../../core/node/session/cleanup-ledger.ts';
import { hasTool, needs } from '../support/needs.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/page-browser.ts';
import { namespaces } from '../support/notebook-run.ts';

const root = resolve(import.meta.dirname, '../..');

function cell(id: string, source: string, probebook?: Record<string, unknown>) {
  return { id, cell_type: 'code', metadata: probebook ? { probebook } : {}, execution_count: null, outputs: [], source };
}

test('nbconvert renders every Probebook output kind of a real run as tables and text', async (t) => {
  const hasNbconvert = () => {
    try {
      execFileSync('jupyter-nbconvert', ['--version'], { stdio: 'ignore' });
      return null;
    } catch {
      return 'jupyter-nbconvert (apt install jupyter-nbconvert)';
    }
  };
  if (!needs(t, { root: true, tools: ['ip', 'iptables', 'tcpdump', 'ping', 'bpftrace', 'bash'], check: hasNbconvert })) return;
  if (!needs(t, { check: () => (hasTool(CHROMIUM) ? null : `Chromium at ${CHROMIUM}`) })) return;
  const dir = mkdtempSync(join(tmpdir(), 'pb-nbconvert-'));
  const ns = `pbfb${process.pid}`;
  t.after(() => {
    if (namespaces().includes(ns)) execFileSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });
  process.env.XDG_STATE_HOME = join(dir, 'state'); // the run's trust signature goes here, not into the user's store
  const pwru = join(root, 'test/fixtures/pwru/v1.0.7-drop-issue429.txt');
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { probebook: { parameters: { NS: ns } } },
    cells: [
      { id: 'intro', cell_type: 'markdown', metadata: {}, source: '# Every output kind' },
      cell(
        'setup',
        'ip netns add "$NS"\nip -n "$NS" link set lo up\nip netns exec "$NS" iptables -A INPUT -p icmp -j DROP\nip netns exec "$NS" iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
      ),
      // 300 pings over 3 s, so tcpdump (started first) sees 60 of them however long it takes to start.
      cell(
        'capture',
        'ip netns exec "$NS" tcpdump -i lo -n -l -c 60 icmp 2>/dev/null &\nip netns exec "$NS" ping -q -c 300 -i 0.01 127.0.0.1 >/dev/null || true\nwait',
      ),
      cell('rules', 'ip netns exec "$NS" iptables -L INPUT -v -n -x'),
      cell('program', "tcpdump -d 'tcp port 80'"),
      cell('maps', 'BEGIN { @bytes["curl"] = sum(1200); @bytes["ssh <b>"] = sum(80); @lat = hist(3); @lat = hist(40); @lat = hist(40); exit(); }', {
        language: 'bpftrace',
      }),
      cell('journey', `cat '${pwru}'`),
      cell('pcap', `cat '${join(root, 'test/fixtures/packets/dns_tcp.pcap')}'`),
      cell('table', "table([{ proto: 'tcp', bytes: 1200, note: '<script>alert(1)</script>' }, { proto: 'udp', bytes: 80, note: 'ok' }]);", {
        language: 'typescript',
      }),
      cell('events', "printf 'PID    COMM             PATH\\n%-6d %-16s %s\\n%-6d %-16s %s\\n' 1 init /sbin/init 42 cat /etc/hosts"),
      cell('undo', 'ip netns del "$NS"', { cleanup: true }),
    ],
  };
  const path = join(dir, 'kinds.ipynb');
  writeFileSync(path, JSON.stringify(notebook));
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d) => (err += d));
  const code = await runCommand([path, '--inplace'], {
    executor: createLocalExecutor(),
    ledger: new CleanupLedger(join(dir, 'runs')),
    stderr,
    stdout: new PassThrough(),
  });
  assert.equal(code, 0, err);
  const saved = JSON.parse(readFileSync(path, 'utf8')) as { cells: { id: string; outputs?: { data?: Record<string, unknown> }[] }[] };
  const mimes = (id: string) => saved.cells.find((c) => c.id === id)!.outputs!.flatMap((o) => Object.keys(o.data ?? {}));
  for (const [id, view] of [
    ['capture', 'application/vnd.probebook.packets+json'],
    ['rules', 'application/vnd.probebook.rules+json'],
    ['program', 'application/vnd.probebook.bpf-program+json'],
    ['maps', 'application/vnd.probebook.bpftrace+json'],
    ['journey', 'application/vnd.probebook.pwru+json'],
    ['table', 'application/vnd.probebook.table+json'],
  ]) {
    assert.ok(mimes(id!).includes(view!), `${id}: ${mimes(id!).join(', ')}`);
    assert.ok(mimes(id!).includes('text/html'), `${id} carries a text/html fallback`);
  }

  execFileSync('jupyter-nbconvert', ['--to', 'html', '--output-dir', dir, path], { stdio: 'pipe' });
  const html = join(dir, 'kinds.html');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`file://${html}`);
  const shown = await page.evaluate(() => {
    const tables = [...document.querySelectorAll('.jp-OutputArea-output table, .output_html table')];
    return {
      captions: tables.map((t) => t.querySelector('caption')?.textContent ?? ''),
      text: (document.querySelector('body') as HTMLElement).innerText,
      scripts: [...document.querySelectorAll('.jp-OutputArea-output script, .output_html script')].length,
    };
  });
  mkdirSync(join(root, 'test-artifacts/screenshots'), { recursive: true });
  await page.screenshot({ path: join(root, 'test-artifacts/screenshots/nbconvert-fallbacks.png'), fullPage: true });

  // Packets: the first 50 of 60, then how many more.
  assert.ok(
    shown.captions.some((c) => /^60 packets, EN10MB/.test(c) || /^60 packets/.test(c)),
    shown.captions.join(' | '),
  );
  assert.match(shown.text, /… 10 more packets/);
  assert.match(shown.text, /127\.0\.0\.1 > 127\.0\.0\.1: ICMP echo request/);
  // Rules with their counters: the DROP rule counted the pings.
  assert.ok(shown.captions.some((c) => c.startsWith('iptables rules')));
  assert.match(shown.text, /filter INPUT\s+1\s+DROP\s+([1-9][\d,]*) pkts/);
  // bpftrace: the map with its keys (escaped), the histogram's buckets.
  assert.match(shown.text, /ssh <b>\s+80/, 'a key with markup is text');
  assert.match(shown.text, /\[32, 63\]\s+2\s+█+/);
  // The journey, the BPF program, the table (its markup as text), the event stream as text.
  assert.match(shown.text, /journey 1 \(skb 0x[0-9a-f]+/);
  assert.match(shown.text, /DROPPED at sk_skb_reason_drop/);
  assert.match(shown.text, /classic BPF program \(tcpdump -d\) for tcp port 80/);
  assert.match(shown.text, /\(000\) ldh\s+\[12\]/);
  assert.match(shown.text, /<script>alert\(1\)<\/script>/);
  assert.match(shown.text, /42\s+cat\s+\/etc\/hosts/);
  // A pcap stream's view has its packet list as text (the first rows, decoded here).
  assert.match(shown.text, /pcap: 11 packets, [\d,]+ bytes/);
  assert.match(shown.text, /\n1 {2}0\.000000 {2}\S+ > \S+: /);
  assert.equal(shown.scripts, 0, 'no script in any output');
  assert.deepEqual(dialogs, [], 'nothing ran');
});
