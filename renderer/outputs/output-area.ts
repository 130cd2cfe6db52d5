/**
 * All outputs of one cell, driven by the protocol's `OutputEdit`s (`add`, `append`, `replace`,
 * `clear`). Streams grow in place; a bpftrace map printed again and again (printIndex > 0) is
 * folded into one live chart + latest table ({@link MapSeriesView}) where its first print was.
 *
 * @example
 * const area = createOutputArea(cellOutputsElement, { trusted, theme });
 * area.reset(cell.outputs);
 * connection.on('output', (msg) => msg.cellId === cell.id && area.apply(msg.edit));
 */
import type { Output } from '../../core/common/notebook/model.ts';
import type { OutputEdit } from '../../core/common/protocol.ts';
import { bpftracePayloadOf, groupMapPrints } from './bpftrace/map-series.ts';
import { MapSeriesView } from './bpftrace/series-view.ts';
import { h } from './dom.ts';
import { OutputView, type RenderOptions } from './output-view.ts';
import type { ItemView, Theme } from './registry.ts';

export interface OutputAreaOptions extends RenderOptions {
  /** Fold repeated prints of a bpftrace map into one live chart (default true). */
  groupMapPrints?: boolean;
}

type Entry = { kind: 'single'; view: OutputView } | { kind: 'series'; view: MapSeriesView; name: string };

export function createOutputArea(element: HTMLElement, options: OutputAreaOptions): OutputArea {
  return new OutputArea(element, options);
}

export class OutputArea {
  /** The area's root (`.pb-output-area`), appended to the element given at creation. */
  readonly element: HTMLElement;
  private readonly options: OutputAreaOptions;
  private entries: Entry[] = [];
  private readonly byId = new Map<string, Entry>();
  private list: Output[] = [];

  constructor(parent: HTMLElement, options: OutputAreaOptions) {
    this.options = { ...options };
    this.element = h('div', 'pb-output-area pb-outputs');
    this.element.dataset['pbTheme'] = options.theme;
    parent.append(this.element);
  }

  /** The outputs shown, in order, with stream appends applied. */
  get outputs(): readonly Output[] {
    return this.list;
  }

  /** The view of one output (for series members: undefined). */
  view(outputId: string): OutputView | undefined {
    const e = this.byId.get(outputId);
    return e?.kind === 'single' ? e.view : undefined;
  }

  /** Error locations of the error outputs, for marking editor lines. */
  errorLocations(): { outputId: string; location: NonNullable<ItemView['errorLocation']> }[] {
    const out: { outputId: string; location: NonNullable<ItemView['errorLocation']> }[] = [];
    for (const e of this.entries)
      if (e.kind === 'single' && e.view.errorLocation) out.push({ outputId: e.view.output.outputId, location: e.view.errorLocation });
    return out;
  }

  /** Resolves when every output's current render has finished. */
  async ready(): Promise<void> {
    await Promise.all(this.entries.map((e) => (e.kind === 'single' ? e.view.ready : undefined)));
  }

  /** Replaces everything with these outputs. */
  reset(outputs: readonly Output[]): void {
    this.clear();
    const groups = this.options.groupMapPrints === false ? outputs.map((output) => ({ kind: 'single' as const, output })) : groupMapPrints(outputs);
    for (const g of groups) {
      if (g.kind === 'single') this.addSingle(g.output);
      else this.addSeries(g.name, g.outputs, null);
    }
    this.list = [...outputs];
  }

  apply(edit: OutputEdit): void {
    switch (edit.kind) {
      case 'add':
        this.add(edit.output);
        break;
      case 'append': {
        const e = this.byId.get(edit.outputId);
        if (e?.kind !== 'single') return;
        e.view.append(edit.text);
        this.syncList(e.view.output);
        break;
      }
      case 'replace':
        this.replace(edit.output);
        break;
      case 'clear':
        this.clear();
        break;
    }
  }

  setTheme(theme: Theme): void {
    this.options.theme = theme;
    this.element.dataset['pbTheme'] = theme;
    for (const e of this.entries) if (e.kind === 'single') e.view.setTheme(theme);
  }

  setTrusted(trusted: boolean): void {
    this.options.trusted = trusted;
    for (const e of this.entries) if (e.kind === 'single') e.view.setTrusted(trusted);
  }

  /** Draws pending stream text and chart points now (tests, printing, export). */
  flush(): void {
    for (const e of this.entries) e.view.flush();
  }

  clear(): void {
    for (const e of this.entries) e.view.dispose();
    this.entries = [];
    this.byId.clear();
    this.list = [];
  }

  dispose(): void {
    this.clear();
    this.element.remove();
  }

  private add(output: Output): void {
    this.list.push(output);
    const p = this.options.groupMapPrints === false ? null : bpftracePayloadOf(output);
    if (p) {
      const series = this.entries.find((e): e is Extract<Entry, { kind: 'series' }> => e.kind === 'series' && e.name === p.name);
      if (series) {
        this.guardSeries(series, () => series.view.add(output));
        this.byId.set(output.outputId, series);
        return;
      }
      if (p.printIndex > 0) {
        // The second print of a map: its first print's table becomes the live chart.
        const first = this.entries.find(
          (e): e is Extract<Entry, { kind: 'single' }> => e.kind === 'single' && bpftracePayloadOf(e.view.output)?.name === p.name,
        );
        if (first) {
          this.addSeries(p.name, [first.view.output, output], first);
          return;
        }
      }
    }
    this.addSingle(output);
  }

  private replace(output: Output): void {
    const e = this.byId.get(output.outputId);
    if (!e) return;
    this.syncList(output);
    if (e.kind === 'single') e.view.replace(output);
    else this.guardSeries(e, () => e.view.replace(output));
  }

  private syncList(output: Output): void {
    const i = this.list.findIndex((o) => o.outputId === output.outputId);
    if (i !== -1) this.list[i] = output;
  }

  private addSingle(output: Output): void {
    const entry: Entry = { kind: 'single', view: new OutputView(output, this.element, this.options) };
    this.entries.push(entry);
    this.byId.set(output.outputId, entry);
  }

  /** A series view for these prints; placed where `replacing` was (or at the end). */
  private addSeries(name: string, outputs: Output[], replacing: Extract<Entry, { kind: 'single' }> | null): void {
    let view: MapSeriesView;
    try {
      view = new MapSeriesView(this.element, name, outputs);
    } catch (err) {
      // A bad print must not lose the others: show them one by one instead.
      console.error(`Probebook: the live chart of ${name} failed; showing its prints one by one`, err);
      for (const o of outputs) if (o !== replacing?.view.output) this.addSingle(o);
      return;
    }
    const entry: Entry = { kind: 'series', view, name };
    if (replacing) {
      this.element.insertBefore(view.element, replacing.view.element);
      const i = this.entries.indexOf(replacing);
      this.entries[i] = entry;
      replacing.view.dispose();
    } else this.entries.push(entry);
    for (const o of outputs) this.byId.set(o.outputId, entry);
  }

  private guardSeries(entry: Extract<Entry, { kind: 'series' }>, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      console.error(`Probebook: updating the live chart of ${entry.name} failed`, err);
      entry.view.element.append(
        h('div', 'pb-render-error', `The live chart of ${entry.name} could not be updated: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
  }
}
