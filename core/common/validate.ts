/**
 * The checks both edges make of what arrives from outside (protocol-validate.ts for the UI's
 * messages, the kernel host's kernel-request-validate.ts for its requests): each checks one
 * value, returns it typed, and otherwise calls the edge's `fail`, which words the error and
 * throws its own error class.
 */
import { utf8Length } from './utf8.ts';

export type Obj = Record<string, unknown>;

/** Throws the edge's error for `field`, which had to be `expected` ("a string of at most 200 characters"). */
export type Fail = (field: string, expected: string, value: unknown) => never;

export interface StringRule {
  /** At most this many characters (UTF-16 code units, as `length` counts them). */
  max?: number;
  /** At most this many UTF-8 bytes. */
  maxBytes?: number;
  nonEmpty?: boolean;
  /** No control characters (U+0000 to U+001F): ids that end up in logs and file names. */
  printable?: boolean;
  /** No NUL: strings that become arguments, paths or environment values of a process. */
  noNul?: boolean;
  /** `undefined` passes (and is returned). */
  optional?: boolean;
}

export function isPlainObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value was, for an error: "nothing", "a string of 12 characters", "a list", "null", "number". */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value;
}

/** The checks, bound to an edge's `fail`. */
export function checks(fail: Fail) {
  function string(value: unknown, field: string, rule: StringRule & { optional?: false }): string;
  function string(value: unknown, field: string, rule: StringRule): string | undefined;
  function string(value: unknown, field: string, rule: StringRule): string | undefined {
    if (value === undefined && rule.optional) return undefined;
    if (
      typeof value !== 'string' ||
      (rule.nonEmpty && value.length === 0) ||
      (rule.max !== undefined && value.length > rule.max) ||
      (rule.printable && /[\0-\x1f]/.test(value)) ||
      (rule.noNul && value.includes('\0')) ||
      (rule.maxBytes !== undefined && utf8Length(value) > rule.maxBytes)
    ) {
      fail(field, describeStringRule(rule), value);
    }
    return value;
  }

  /** An integer from `min` (default 0) to `max` (default none). */
  function int(value: unknown, field: string, range?: { min?: number; max?: number; optional?: false }): number;
  function int(value: unknown, field: string, range: { min?: number; max?: number; optional?: boolean }): number | undefined;
  function int(value: unknown, field: string, range: { min?: number; max?: number; optional?: boolean } = {}): number | undefined {
    if (value === undefined && range.optional) return undefined;
    const { min = 0, max } = range;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
      fail(field, max === undefined ? (min === 0 ? 'a non-negative integer' : `an integer of at least ${min}`) : `an integer from ${min} to ${max}`, value);
    }
    return value;
  }

  /** true, false, or absent. */
  function bool(value: unknown, field: string): boolean | undefined {
    if (value !== undefined && typeof value !== 'boolean') fail(field, 'true or false', value);
    return value;
  }

  function object(value: unknown, field: string): Obj {
    if (!isPlainObject(value)) fail(field, 'an object', value);
    return value;
  }

  return { string, int, bool, object };
}

function describeStringRule(rule: StringRule): string {
  const limit =
    rule.maxBytes !== undefined
      ? ` of at most ${rule.maxBytes} bytes`
      : rule.max !== undefined
        ? ` of at most ${rule.max}${rule.printable ? ' printable' : ''} characters`
        : '';
  return `a ${rule.nonEmpty ? 'non-empty ' : ''}string${rule.noNul ? ' without NUL' : ''}${limit}`;
}
