/**
 * The kernel's probe list for the bpftrace editor's completions: asked of the host once per page,
 * asked again after a failure.
 */
import type { HostConnection } from '../connection/host-connection.ts';

let probesCache: Promise<string[]> | null = null;

export function listProbes(connection: HostConnection): Promise<string[]> {
  probesCache ??= connection.request({ type: 'list_probes' }).then((r) => {
    if (r.error && r.probes.length === 0) throw new Error(r.error);
    return r.probes;
  });
  probesCache.catch(() => (probesCache = null));
  return probesCache;
}
