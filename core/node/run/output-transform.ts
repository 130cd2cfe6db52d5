/**
 * An output transform adds outputs made from what a cell printed once it ran (a shell cell's
 * `iperf3 -J` becomes a chart), outside the runner's scheduling. The runner calls each one after
 * the cell's kernel returned and before the cell's end is reported.
 */
import type { CellLanguage } from '../../common/languages.ts';
import type { Cell } from '../../common/notebook/model.ts';
import type { ExecutionResult, OutputSink } from '../kernels/kernel.ts';

export interface OutputTransform {
  /** `cell.outputs` holds what the cell made; new outputs go through `sink`, like the kernel's. */
  afterCell(cell: Cell, ran: { language: CellLanguage; result: ExecutionResult }, sink: OutputSink): void;
}
