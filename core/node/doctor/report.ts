/**
 * What `probebook doctor` and the Doctor panel show: one entry per check, each saying what a
 * failure blocks and which fixed fix (if any) repairs it.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  /** Stable id, e.g. `bpftrace`, `kprobes`, `tracefs`. */
  id: string;
  title: string;
  status: CheckStatus;
  /** One line: the version found, or what is wrong and why. */
  summary: string;
  /** What does not work while this check fails (absent when ok). */
  blocks?: string;
  /** A fix from the fixed table (`probebook doctor --fix ID`), when one exists. */
  fix?: { id: string; command: string };
  /** What to do when there is no fixed command (e.g. a kernel option). */
  hint?: string;
}

export interface DoctorReport {
  /** Epoch ms. */
  time: number;
  /** Whether the checks ran as root (kprobe/fentry attach tests need it). */
  root: boolean;
  checks: DoctorCheck[];
}
