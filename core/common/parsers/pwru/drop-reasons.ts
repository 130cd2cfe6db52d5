/**
 * Drop reason names of the running kernel, from its `skb:kfree_skb` format file: the
 * `__print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, …)` table. The numbers change between
 * kernels, so no table is built in (formats.md §6.2).
 */

/** Reason number → name, from a format file's text; empty when it has no table. */
export function parseDropReasons(format: string): Map<number, string> {
  const names = new Map<number, string>();
  const at = format.indexOf('__print_symbolic(REC->reason');
  if (at < 0) return names;
  for (const m of format.slice(at).matchAll(/\{\s*(\d+)\s*,\s*"([A-Z0-9_]+)"\s*\}/g)) names.set(Number(m[1]), m[2]!);
  return names;
}
