/**
 * Checks a journey payload before the view reads it: outputs come from notebooks anyone may have
 * written, so a wrong shape is a readable error (the output's error box), never a crash later.
 */
import type { JourneyPayload } from '../../../core/common/journeys/types.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const END_KINDS = ['consumed', 'dropped', 'in_flight'];

/** The payload, or an error that names what is wrong and where (journey id, step index). */
export function asJourneyPayload(data: unknown): JourneyPayload {
  const p = data as JourneyPayload;
  if (!isObject(p) || !Array.isArray(p.journeys)) throw new Error('not a journey payload (expected { method, journeys: […], … })');
  if (p.method !== 'pwru' && p.method !== 'tracepoints')
    throw new Error(`a journey payload's method is 'pwru' or 'tracepoints', not ${JSON.stringify(p.method)}`);
  p.journeys.forEach((j, n) => {
    const which = `journey ${n + 1}`;
    if (!isObject(j) || typeof j.id !== 'number' || typeof j.skb !== 'string' || !Array.isArray(j.steps)) {
      throw new Error(`${which} needs a number id, an skb and a list of steps`);
    }
    if (!isObject(j.end) || !END_KINDS.includes(j.end.kind)) throw new Error(`${which} (id ${j.id}) needs an end of kind consumed, dropped or in_flight`);
    j.steps.forEach((s, i) => {
      if (!isObject(s) || typeof s.fn !== 'string' || typeof s.count !== 'number')
        throw new Error(`step ${i + 1} of journey ${j.id} needs a function name fn and a count`);
    });
  });
  const c = p.comparison;
  if (c !== undefined) {
    if (!isObject(c) || typeof c.left !== 'number' || typeof c.right !== 'number' || !Array.isArray(c.rows) || typeof c.summary !== 'string') {
      throw new Error('a journey comparison needs left and right journey ids, rows and a summary');
    }
    if (!c.rows.every((r) => isObject(r))) throw new Error('every row of a journey comparison is an object { left?, right?, same }');
  }
  return p;
}
