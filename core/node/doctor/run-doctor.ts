/**
 * Runs every doctor check and formats the report, for `probebook doctor` (text or `--json`) and
 * the Doctor panel (`runDoctor()` as JSON).
 */
import { CHECKS, type CheckContext } from './checks.ts';
import type { DoctorReport } from './report.ts';

export async function runDoctor(options: { root?: boolean } = {}): Promise<DoctorReport> {
  const ctx: CheckContext = { root: options.root ?? process.geteuid?.() === 0 };
  const checks = [];
  // In order: later checks read what earlier ones found (bpftrace's version).
  for (const check of CHECKS) checks.push(await check(ctx));
  return { time: Date.now(), root: ctx.root, checks };
}

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' } as const;

/** The report as text: one line per check, then what each failure blocks and how to fix it. */
export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`[${MARK[c.status]}] ${c.title.padEnd(width)}  ${c.summary}`);
    if (c.status === 'ok') continue;
    if (c.blocks) lines.push(`       ${''.padEnd(width)}  blocks: ${c.blocks}`);
    if (c.fix) lines.push(`       ${''.padEnd(width)}  fix:    probebook doctor --fix ${c.fix.id}   (runs: ${c.fix.command})`);
    else if (c.hint) lines.push(`       ${''.padEnd(width)}  to fix: ${c.hint}`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  lines.push('', failed ? `${failed} check${failed > 1 ? 's' : ''} failed.` : 'Everything Probebook needs is here.');
  return lines.join('\n');
}
