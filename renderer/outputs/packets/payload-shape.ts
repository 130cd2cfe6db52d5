/**
 * Checks an output's data before the views read it: outputs come from notebooks anyone may have
 * written, so a wrong shape is a readable error (the output's error box), never a crash later.
 */
import type { BpfProgramPayload, PacketsPayload } from '../../../core/common/packets/payload.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function asPacketsPayload(data: unknown): PacketsPayload {
  const p = data as PacketsPayload;
  if (!isObject(p) || (p.source !== 'capture' && p.source !== 'text')) throw new Error("not a packets payload (expected { source: 'capture' | 'text', … })");
  if (p.source === 'capture' && (!isObject(p.capture) || typeof p.capture.base64 !== 'string')) {
    throw new Error('a capture payload needs capture.base64 (the capture as base64)');
  }
  if (p.source === 'text' && (!isObject(p.text) || !Array.isArray(p.text.packets))) throw new Error('a text payload needs text.packets (a list)');
  if (p.source === 'text' && !p.text!.packets.every((t) => isObject(t) && typeof t.summary === 'string' && typeof t.no === 'number')) {
    throw new Error('every packet of text.packets needs a number `no` and a `summary`');
  }
  return p;
}

export function asBpfProgramPayload(data: unknown): BpfProgramPayload {
  const p = data as BpfProgramPayload;
  if (!isObject(p) || typeof p.text !== 'string') throw new Error('not a BPF program payload (expected { format, text: the dump as printed })');
  return p;
}

/** Strings of a payload that are shown as notes, bounded. */
export function stringsOf(v: unknown, max = 20): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string').slice(0, max) : [];
}
