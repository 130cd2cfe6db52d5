/**
 * `probebook doctor [--json] [--fix ID]`: checks what Probebook needs on this machine and says,
 * for each failure, what it blocks and how to fix it. `--fix ID` runs one fix from the fixed
 * table (elevating through a system dialog when not root), then checks again.
 */
import { parseArgs } from 'node:util';
import { FIXES, fixCommandLine, runFix } from '../doctor/fixes.ts';
import { formatReport, runDoctor } from '../doctor/run-doctor.ts';
import { readCommandArgs } from './command-args.ts';

export const DOCTOR_USAGE = `Usage: probebook doctor [--json] [--fix ID]

Checks bpftrace, tcpdump, tshark, iperf3, iptables, pwru, the kernel (BTF, tracefs, kprobes and
fentry by a real attach test), how cells are contained, and how Probebook gets root.

Options:
  --json      print the report as JSON
  --fix ID    run one fix (IDs: ${Object.keys(FIXES).join(', ')})
  -h, --help  show this help

Exit status: 0 nothing failed, 1 a check failed (or the fix did), 2 bad usage.`;

export interface DoctorCommandDeps {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export async function doctorCommand(argv: string[], deps: DoctorCommandDeps = {}): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const values = readCommandArgs(
    'doctor',
    DOCTOR_USAGE,
    { stdout, stderr },
    () =>
      parseArgs({
        args: argv,
        options: { json: { type: 'boolean' }, fix: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
        strict: true,
        allowPositionals: false,
      }).values,
  );
  if (typeof values === 'number') return values;
  if (values.fix !== undefined) {
    if (!Object.hasOwn(FIXES, values.fix)) {
      stderr.write(`probebook doctor: there is no fix named "${values.fix}". Known fixes: ${Object.keys(FIXES).join(', ')}.\n`);
      return 2;
    }
    const fix = FIXES[values.fix]!;
    stderr.write(`probebook doctor: ${fix.description}: ${fixCommandLine(fix)}\n`);
    const outcome = await runFix(fix.id);
    if (outcome.output.trim()) stderr.write(`${outcome.output.trimEnd()}\n`);
    if (!outcome.ok) {
      stderr.write(`probebook doctor: the fix ${fix.id} failed.\n`);
      return 1;
    }
  }
  const report = await runDoctor();
  stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  return report.checks.some((c) => c.status === 'fail') ? 1 : 0;
}
