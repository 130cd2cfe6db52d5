/**
 * Static `text/html` fallbacks of Probebook's rich outputs, so Jupyter, GitHub and nbconvert show
 * a table where Probebook draws its view: rule tables with counters and deltas, bpftrace maps and
 * histograms, packet lists (tcpdump text), journeys, BPF programs and `table()` tables. Plain
 * tables only: every value escaped, no scripts, no styles, no links; bounded (a packet list keeps
 * its first rows and says how many more there are), so a saved notebook stays small. The
 * `text/plain` each output carries already (the tool's own text) is left as it is.
 */
import { MIME } from './mime.ts';
import type { Json, OutputItem } from './notebook/model.ts';
import type { BpfProgramPayload, PacketsPayload } from './packets/payload.ts';
import type { BpftraceMapPayload, BpftraceValue, HistBucket } from './parsers/bpftrace/types.ts';
import type { Counters, RulesPayload } from './parsers/netfilter/rules-model.ts';
import type { Journey, JourneyPayload } from './journeys/types.ts';

/** Rows of a packet list, a `table()` or a map shown before "… N more". */
export const FALLBACK_ROWS = 50;
const MAX_RULES = 200;
const MAX_JOURNEYS = 10;
const MAX_STEPS = 60;
const MAX_CELL_CHARS = 300;
const BAR_WIDTH = 40;

/** `items` with a `text/html` fallback added when one of them is a Probebook view and none is HTML already. */
export function withStaticFallbacks(items: OutputItem[]): OutputItem[] {
  if (items.some((i) => i.mime === MIME.html)) return items;
  for (const item of items) {
    let html: string | undefined;
    try {
      html = staticHtml(item.mime, item.data);
    } catch {
      html = undefined; // a payload of an unexpected shape gets no fallback; its text/plain stays
    }
    if (html !== undefined) return [...items, { mime: MIME.html, data: html }];
  }
  return items;
}

/** The HTML fallback of one item, or undefined when its type has none (or it is still live). */
export function staticHtml(mime: string, data: Json): string | undefined {
  switch (mime) {
    case MIME.rules:
      return rulesHtml(data as unknown as RulesPayload);
    case MIME.bpftrace:
      return bpftraceHtml(data as unknown as BpftraceMapPayload);
    case MIME.packets: {
      const payload = data as unknown as PacketsPayload;
      return payload.source === 'text' && !payload.live ? packetsHtml(payload) : undefined;
    }
    case MIME.pwru:
      return journeysHtml(data as unknown as JourneyPayload);
    case MIME.bpfProgram:
      return bpfProgramHtml(data as unknown as BpfProgramPayload);
    case MIME.table:
      return tableHtml(data as unknown as { columns: string[]; rows: Record<string, Json>[] });
    default:
      return undefined;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text: escaped, bounded, control characters dropped. */
function esc(value: unknown): string {
  let text = typeof value === 'string' ? value : value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (text.length > MAX_CELL_CHARS) text = `${text.slice(0, MAX_CELL_CHARS)}…`;
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const n = (value: number | string | undefined | null) => (typeof value === 'number' ? value.toLocaleString('en-US') : esc(value ?? ''));

function table(caption: string, head: string[], rows: string[][], more = 0, moreWhat = 'rows'): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  const tail = more > 0 ? `\n<tr><td colspan="${head.length}">… ${n(more)} more ${moreWhat}</td></tr>` : '';
  return `<table>\n<caption>${caption}</caption>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${body}${tail}\n</tbody>\n</table>`;
}

function counters(c: Counters | undefined): string {
  return c ? `${n(c.packets)} pkts / ${n(c.bytes)} B` : '';
}

function delta(c: Counters | undefined): string {
  return c ? `+${n(c.packets)} pkts / +${n(c.bytes)} B` : '';
}

function rulesHtml(payload: RulesPayload): string {
  const rows: string[][] = [];
  let total = 0;
  const hasDelta = payload.tables.some((t) => t.chains.some((c) => c.policyDelta || c.rules.some((r) => r.delta)));
  for (const t of payload.tables) {
    for (const chain of t.chains) {
      const name = `${t.family ? `${t.family} ` : ''}${t.name} ${chain.name}`;
      const policy = chain.policy ? `policy ${chain.policy}${chain.hook ? ` (${chain.hook})` : ''}` : chain.hook ? `(${chain.hook})` : '';
      total++;
      if (rows.length < MAX_RULES)
        rows.push([`<b>${esc(name)}</b>`, '', esc(policy), counters(chain.policyCounters), ...(hasDelta ? [delta(chain.policyDelta)] : [])]);
      for (const rule of chain.rules) {
        total++;
        if (rows.length < MAX_RULES)
          rows.push([esc(name), n(rule.position), esc(rule.target), counters(rule.counters), ...(hasDelta ? [delta(rule.delta)] : []), esc(rule.match)]);
      }
    }
  }
  // Chain rows have no match column: pad them so every row has the header's cells.
  const head = ['chain', '#', 'target', 'counters', ...(hasDelta ? [payload.since === 'previous-run' ? 'since last run' : 'since last listing'] : []), 'match'];
  for (const row of rows) while (row.length < head.length) row.push('');
  const what = `${payload.format === 'nft-json' ? 'nftables' : 'iptables'} rules${payload.rounded ? ' (counts rounded)' : ''}${payload.command ? `: ${esc(payload.command)}` : ''}`;
  return table(what, head, rows, total - rows.length, 'rules');
}

function scalar(value: BpftraceValue): string {
  return typeof value === 'number' ? n(value) : esc(typeof value === 'string' ? value : JSON.stringify(value));
}

function bar(count: number, most: number): string {
  return most > 0 ? '█'.repeat(Math.round((count / most) * BAR_WIDTH)) : '';
}

function bucketLabel(b: HistBucket): string {
  if (b.min === null) return `(…, ${b.max})`;
  if (b.max === null) return `[${b.min}, …)`;
  return b.min === b.max ? `[${b.min}]` : `[${b.min}, ${b.max}]`;
}

function bpftraceHtml(payload: BpftraceMapPayload): string {
  const caption = `${esc(payload.name)}${payload.printIndex > 0 ? ` (print ${payload.printIndex + 1})` : ''}`;
  const hists = payload.entries.filter((e) => e.value.type === 'hist');
  if (hists.length) {
    // One table per key (up to a few): bucket, count, bar.
    return hists
      .slice(0, 8)
      .map((entry) => {
        const buckets = entry.value.type === 'hist' ? entry.value.buckets : [];
        const most = Math.max(0, ...buckets.map((b) => Number(b.count)));
        const rows = buckets.map((b) => [esc(bucketLabel(b)), n(Number(b.count)), bar(Number(b.count), most)]);
        return table(`${caption}${entry.key.length ? `[${esc(entry.rawKey)}]` : ''}`, ['bucket', 'count', ''], rows);
      })
      .join('\n');
  }
  const stats = payload.kind === 'stats';
  // bpftrace prints count/sum maps ascending: the biggest entries are the last ones.
  const shown = payload.entries.slice(-FALLBACK_ROWS);
  const rows = shown.map((e) => {
    const key = payload.keyless ? '' : esc(e.rawKey);
    if (e.value.type === 'stats') return [key, n(e.value.stats.count as number), n(e.value.stats.average as number), n(e.value.stats.total as number)];
    return [key, e.value.type === 'scalar' ? scalar(e.value.value) : ''];
  });
  const head = stats ? ['key', 'count', 'average', 'total'] : ['key', 'value'];
  const more = payload.entries.length - shown.length;
  return table(`${caption}${more > 0 ? ` (the ${n(shown.length)} last of ${n(payload.entries.length)})` : ''}`, head, rows, 0);
}

function packetsHtml(payload: PacketsPayload): string {
  const packets = payload.text?.packets ?? [];
  const shown = packets.slice(0, FALLBACK_ROWS);
  const rows = shown.map((p) => [n(p.no), esc(p.time ?? ''), esc(p.summary)]);
  const link = payload.text?.linkType ? `, ${esc(payload.text.linkType.name)}` : '';
  const caption = `${n(payload.count)} packet${payload.count === 1 ? '' : 's'}${link}${payload.command ? `: ${esc(payload.command)}` : ''}`;
  return table(caption, ['No.', 'Time', 'Summary'], rows, Math.max(payload.count, packets.length) - shown.length, 'packets');
}

function journeyEnd(j: Journey): string {
  if (j.end.kind === 'consumed') return `consumed at ${j.end.at}`;
  if (j.end.kind === 'dropped') return `DROPPED at ${j.end.at}${j.end.reason ? ` (${j.end.reason})` : ''}`;
  return 'in flight';
}

function journeysHtml(payload: JourneyPayload): string {
  const parts: string[] = [];
  if (payload.comparison) parts.push(`<p>${esc(payload.comparison.summary)}</p>`);
  for (const j of payload.journeys.slice(0, MAX_JOURNEYS)) {
    const steps = j.steps.slice(0, MAX_STEPS);
    const rows = steps.map((s, i) => [
      n(i + 1),
      esc(s.fn) + (s.count > 1 ? ` ×${s.count}` : ''),
      esc(s.layer),
      s.atNs === undefined ? '' : `${(s.atNs / 1000).toFixed(1)} µs`,
      esc([s.reason ? `reason ${s.reason}` : '', s.detail ?? ''].filter(Boolean).join(' ')),
    ]);
    const who = [j.tuple, j.process, j.tracedIn ? `traced in ${j.tracedIn}` : ''].filter(Boolean).join(', ');
    const caption = `journey ${j.id} (skb ${esc(j.skb)}${who ? `, ${esc(who)}` : ''}): ${esc(journeyEnd(j))}`;
    parts.push(table(caption, ['#', 'function', 'layer', 'at', 'detail'], rows, j.steps.length - steps.length, 'steps'));
  }
  const left = payload.journeys.length - Math.min(payload.journeys.length, MAX_JOURNEYS) + (payload.omitted?.journeys ?? 0);
  if (left > 0) parts.push(`<p>… ${n(left)} more journeys (in the text output)</p>`);
  return parts.join('\n') || '<p>no packet journeys</p>';
}

function bpfProgramHtml(payload: BpfProgramPayload): string {
  const lines = payload.text.split('\n');
  const shown = lines.slice(0, 200);
  const more = lines.length - shown.length;
  const caption = `classic BPF program (tcpdump -${esc(payload.format)})${payload.expression ? ` for ${esc(payload.expression)}` : ''}`;
  return `<p>${caption}</p>\n<pre>${shown.map(esc).join('\n')}${more > 0 ? `\n… ${n(more)} more lines` : ''}</pre>`;
}

function tableHtml(data: { columns: string[]; rows: Record<string, Json>[] }): string {
  const columns = (Array.isArray(data.columns) ? data.columns : []).slice(0, 50);
  const rows = Array.isArray(data.rows) ? data.rows : [];
  const shown = rows.slice(0, FALLBACK_ROWS).map((r) => columns.map((c) => esc(r?.[c])));
  return table(`${n(rows.length)} row${rows.length === 1 ? '' : 's'}`, columns, shown, rows.length - shown.length);
}
