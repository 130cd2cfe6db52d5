/**
 * The time column of tcpdump's text output (tcpdump 4.99 `ts_print`), as printed and as numbers:
 *   (default)  `00:29:57.350793`             time of day, local time
 *   -tt        `1795393376.061524`           seconds since the epoch
 *   -ttt       ` 00:00:00.000042886`         delta to the previous packet (sign: ' ' or '-')
 *   -tttt      `2026-11-23 00:29:55.176265`  local date and time
 *   -ttttt     ` 00:00:00.000014`            delta to the first packet (same form as -ttt)
 * Six fraction digits are µs, nine (`--nano`) are ns. Offsets are whole nanoseconds computed with
 * integer arithmetic on differences, so they stay exact (a double holds integers up to 2^53 ns,
 * 104 days).
 */
import type { Timestamp } from '../../packets/types.ts';

export type TimeForm = 'time-of-day' | 'epoch' | 'date-time' | 'delta-previous' | 'delta-first';

/** A packet's time as its line shows it, and what can be known from that form. */
export interface TcpdumpTime {
  /** Exactly as printed (a delta keeps its sign character: ` 00:00:00.000042`, `-00:00:00.000003`). */
  text: string;
  form: TimeForm;
  /** Fraction digits: 6 (µs) or 9 (ns, `--nano`). */
  digits: 6 | 9;
  /** The absolute time: only the epoch form (-tt) has one (the others lack the date or the zone). */
  absolute?: Timestamp;
  /** Nanoseconds since the first packet of the stream (0 for the first). */
  sinceFirstNs: number;
}

/** What the header regex captured: which form and its text (for deltas, without the sign). */
export interface TimeMatch {
  form: 'time-of-day' | 'epoch' | 'date-time' | 'delta';
  text: string;
}

const NS_PER_SEC = 1_000_000_000;
const SEC_PER_DAY = 86_400;

/** Fraction digits as nanoseconds: `061524` → 61524000, `000042886` → 42886. */
function fractionNs(fraction: string): number {
  return Number(fraction.padEnd(9, '0'));
}

/** `HH:MM:SS.frac` as nanoseconds (hours may exceed 23 for deltas). */
function hmsNs(text: string): number {
  const [hms, fraction = ''] = text.split('.');
  const [h, m, s] = hms!.split(':').map(Number);
  return (h! * 3600 + m! * 60 + s!) * NS_PER_SEC + fractionNs(fraction);
}

/** Whole seconds since 1970-01-01 of a `YYYY-MM-DD HH:MM:SS` read as if it were UTC, and its ns. */
function dateTimeParts(text: string): { sec: number; nsec: number } {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d+)$/.exec(text)!;
  const sec = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
  return { sec, nsec: fractionNs(m[7]!) };
}

/**
 * Turns successive time columns into {@link TcpdumpTime}s: remembers the first packet (and, for
 * -ttt, the running sum) so each packet gets its offset since the first.
 */
export class TcpdumpClock {
  private first: { sec: number; nsec: number } | undefined;
  private runningNs = 0;
  private lastTimeOfDayNs: number | undefined;
  private dayOffsetNs = 0;
  private count = 0;

  constructor(private readonly deltas: 'previous' | 'first') {}

  read(match: TimeMatch, sign: string): TcpdumpTime {
    const text = match.form === 'delta' ? `${sign}${match.text}` : match.text;
    const digits = match.text.length - match.text.lastIndexOf('.') - 1 === 9 ? 9 : 6;
    const isFirst = this.count++ === 0;
    switch (match.form) {
      case 'epoch': {
        const [secText, fraction] = match.text.split('.');
        const absolute = { sec: Number(secText), nsec: fractionNs(fraction!) };
        return { text, form: 'epoch', digits, absolute, sinceFirstNs: this.sinceFirst(absolute) };
      }
      case 'date-time':
        return { text, form: 'date-time', digits, sinceFirstNs: this.sinceFirst(dateTimeParts(match.text)) };
      case 'time-of-day': {
        let ns = hmsNs(match.text) + this.dayOffsetNs;
        // Past midnight the clock starts again at 00:00; kernel timestamps can step back a little
        // between CPUs, so only a step back of more than half a day counts as a new day.
        if (this.lastTimeOfDayNs !== undefined && ns < this.lastTimeOfDayNs - (SEC_PER_DAY / 2) * NS_PER_SEC) {
          this.dayOffsetNs += SEC_PER_DAY * NS_PER_SEC;
          ns += SEC_PER_DAY * NS_PER_SEC;
        }
        this.lastTimeOfDayNs = ns;
        const sec = Math.floor(ns / NS_PER_SEC);
        return { text, form: 'time-of-day', digits, sinceFirstNs: this.sinceFirst({ sec, nsec: ns - sec * NS_PER_SEC }) };
      }
      case 'delta': {
        const value = (sign === '-' ? -1 : 1) * hmsNs(match.text);
        if (this.deltas === 'first') return { text, form: 'delta-first', digits, sinceFirstNs: value };
        // The first packet is the origin whatever its delta says; the others add theirs.
        this.runningNs = isFirst ? 0 : this.runningNs + value;
        return { text, form: 'delta-previous', digits, sinceFirstNs: this.runningNs };
      }
    }
  }

  private sinceFirst(t: { sec: number; nsec: number }): number {
    this.first ??= t;
    return (t.sec - this.first.sec) * NS_PER_SEC + (t.nsec - this.first.nsec);
  }
}
