/**
 * The packet view's `text/plain` fallback: one tcpdump-like line per packet, capped, so a saved
 * notebook reads well in Jupyter and on GitHub.
 *
 *     1  0.000000000  10.77.0.1.46614 > 10.77.0.2.53: TCP [SYN] Seq=0 Win=64240 Len=0 MSS=1460
 *     2  0.000064000  10.77.0.2 > 10.77.0.1: ICMP Echo (ping) reply    id=0x5cbb, seq=1/256, ttl=64
 *     … 998 more packets (1,000 in all)
 */
import type { PacketRecord, PacketSummary } from './types.ts';

export interface SummaryRow {
  record: PacketRecord;
  summary: PacketSummary;
}

/**
 * The text of `rows` (in capture order): number, time since the first packet (9 decimals for a
 * nanosecond capture, 6 for microseconds), addresses with ports, protocol and Info; at most
 * `maxLines` packets, then one line saying how many more there are (`total`, when the caller holds
 * only the first rows, says how many the capture has).
 */
export function formatPacketText(rows: readonly SummaryRow[], options: { maxLines?: number; nanoseconds?: boolean; total?: number } = {}): string {
  const maxLines = options.maxLines ?? 1000;
  const total = options.total ?? rows.length;
  const first = rows[0]?.record.time;
  const digits = options.nanoseconds === false ? 6 : 9;
  const lines: string[] = [];
  for (const { record, summary } of rows.slice(0, maxLines)) {
    let sec = record.time.sec - first!.sec;
    let nsec = record.time.nsec - first!.nsec;
    if (nsec < 0) [sec, nsec] = [sec - 1, nsec + 1e9];
    const time = `${sec < 0 ? '-' : ''}${Math.abs(sec)}.${String(nsec).padStart(9, '0').slice(0, digits)}`;
    const { src, dst } = summary.facts.ports;
    const withPort = (address: string, port: number | undefined) => (port === undefined ? address : `${address}.${port}`);
    // The ports are in the addresses already, as tcpdump writes them; the Info's "a → b " would repeat them.
    const prefix = `${src} → ${dst}`;
    const info = src !== undefined && summary.info.startsWith(prefix) ? summary.info.slice(prefix.length).trimStart() : summary.info;
    const flagged = summary.problems.length && summary.problems[0] !== info ? `[${summary.problems[0]}]` : '';
    const text = [summary.protocol, info, flagged].filter(Boolean).join(' ');
    lines.push(`${record.no}  ${time}  ${withPort(summary.source, src)} > ${withPort(summary.destination, dst)}: ${text}`);
  }
  if (total > lines.length) lines.push(`… ${(total - lines.length).toLocaleString('en-US')} more packets (${total.toLocaleString('en-US')} in all)`);
  return lines.join('\n');
}
