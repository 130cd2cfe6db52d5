/**
 * A chain's rules as a table model (renderer/outputs/table): position, packets, bytes, the deltas
 * when the output compared two listings, target, match. Rules that never matched are dimmed and
 * rules that matched between the listings are marked, by row class. Pure (no DOM).
 */
import type { Chain } from '../../../core/common/parsers/netfilter/rules-model.ts';
import type { TableColumn, TableModel } from '../table/table-model.ts';

/** Row classes: counted nothing at all; counted packets between the two listings. */
export const ZERO_ROW = 'pb-rules-zero';
export const HIT_ROW = 'pb-rules-hit';

/** The table of one chain; `deltas` adds the "+packets" and "+bytes" columns. */
export function chainTable(chain: Chain, options: { deltas: boolean; handles: boolean }): TableModel {
  const columns: TableColumn[] = [{ label: '#', type: 'number' }];
  if (options.handles) columns.push({ label: 'handle', type: 'number' });
  columns.push({ label: 'packets', type: 'number' }, { label: 'bytes', type: 'number' });
  if (options.deltas) columns.push({ label: '+packets', type: 'number', bar: true }, { label: '+bytes', type: 'number' });
  columns.push({ label: 'target', type: 'string' }, { label: 'match', type: 'string' });
  const rows = chain.rules.map((rule) => [
    rule.position,
    ...(options.handles ? [rule.handle ?? null] : []),
    rule.counters?.packets ?? null,
    rule.counters?.bytes ?? null,
    ...(options.deltas ? [rule.delta?.packets ?? null, rule.delta?.bytes ?? null] : []),
    rule.target,
    rule.match,
  ]);
  const rowClasses = chain.rules.map((rule) => ((rule.delta?.packets ?? 0) > 0 ? HIT_ROW : rule.counters?.packets === 0 ? ZERO_ROW : undefined));
  return { columns, rows, rowClasses };
}
