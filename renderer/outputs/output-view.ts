/**
 * One output on the page: picks its renderer, renders inside an error boundary (a failing
 * renderer shows a small error box with its raw data, never breaks the notebook) and updates in
 * place: stream appends, display updates, theme and trust changes.
 */
import type { Output, OutputItem } from '../../core/common/notebook/model.ts';
import { button, h } from './dom.ts';
import { outputServices } from './services.ts';
import type { ItemView, OutputAssets, OutputRenderer, RendererRegistry, RenderContext, Theme } from './registry.ts';

export interface RenderOptions {
  trusted: boolean;
  theme: Theme;
  /** Defaults to the registry with every built-in renderer. */
  registry?: RendererRegistry;
  /** Defaults to `outputs/` beside the page. */
  assets?: OutputAssets;
}

/** Largest raw data shown in an error box, in characters. */
const RAW_LIMIT = 200_000;

let defaults: { registry: RendererRegistry; assets: () => OutputAssets } | null = null;

/** Set by `index.ts` so this file does not import every renderer (and tests can use a bare registry). */
export function setOutputDefaults(d: { registry: RendererRegistry; assets: () => OutputAssets }): void {
  defaults = d;
}

function resolveOptions(options: RenderOptions): Required<RenderOptions> {
  const registry = options.registry ?? defaults?.registry;
  if (!registry) throw new Error('No output renderer registry: import renderer/outputs/index.ts or pass `registry`.');
  return {
    trusted: options.trusted,
    theme: options.theme,
    registry,
    assets: options.assets ?? defaults?.assets() ?? { frameBase: new URL('outputs/', document.baseURI).href },
  };
}

/** Renders an output into a new element appended to `parent`; see {@link OutputView}. */
export function renderOutput(output: Output, parent: HTMLElement, options: RenderOptions): OutputView {
  return new OutputView(output, parent, options);
}

export class OutputView {
  /** The output's root element (`.pb-output`), a child of the parent given at creation. */
  readonly element: HTMLElement;
  private current: Output;
  private options: Required<RenderOptions>;
  private view: ItemView | null = null;
  private renderer: OutputRenderer | null = null;
  private item: OutputItem | null = null;
  private controller: AbortController | null = null;
  private body: HTMLElement | null = null;
  private renderDone: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(output: Output, parent: HTMLElement, options: RenderOptions) {
    this.current = output;
    this.options = resolveOptions(options);
    this.element = h('div', 'pb-output pb-outputs');
    this.element.dataset['pbTheme'] = this.options.theme;
    this.element.dataset['outputId'] = output.outputId;
    parent.append(this.element);
    this.render();
  }

  get output(): Output {
    return this.current;
  }

  /** Resolves when the latest render has finished (successfully or into an error box). */
  get ready(): Promise<void> {
    return this.renderDone;
  }

  /** The renderer in use (`null` when none fits). */
  get rendererId(): string | null {
    return this.renderer?.id ?? null;
  }

  /** Where an error output points in its cell (1-based), for marking the editor line. */
  get errorLocation(): ItemView['errorLocation'] {
    return this.view?.errorLocation ?? null;
  }

  /** Appends stream text (the output's first text item grows). */
  append(text: string): void {
    if (this.disposed || !text) return;
    const items = this.current.items;
    const idx = items.findIndex((i) => typeof i.data === 'string');
    if (idx === -1) throw new Error(`output ${this.current.outputId} has no text item to append to`);
    const grown = items.map((it, i) => (i === idx ? { mime: it.mime, data: (it.data as string) + text } : it));
    // A copy, not a mutation: the page's model may share this object and append itself.
    this.current = { ...this.current, items: grown };
    if (this.view?.append && this.item === items[idx]) {
      this.item = grown[idx]!;
      this.guard(() => this.view!.append!(text));
    } else this.render();
  }

  /** Shows a new version of the output (display updates, finished streams). */
  replace(output: Output): void {
    if (this.disposed) return;
    this.current = output;
    this.element.dataset['outputId'] = output.outputId;
    const sel = this.options.registry.select(output, this.options.trusted);
    if (sel.renderer && sel.renderer === this.renderer && this.view?.update && this.controller) {
      const ok = this.guard(() => this.view!.update!(sel.item, this.context(this.controller!.signal)));
      if (ok) {
        this.item = sel.item;
        return;
      }
    }
    this.render();
  }

  setTheme(theme: Theme): void {
    if (theme === this.options.theme) return;
    this.options.theme = theme;
    this.element.dataset['pbTheme'] = theme;
    this.guard(() => this.view?.setTheme?.(theme));
  }

  setTrusted(trusted: boolean): void {
    if (trusted === this.options.trusted) return;
    this.options.trusted = trusted;
    // Only outputs whose renderer changes are drawn again (tables keep their sort and filter).
    const sel = this.options.registry.select(this.current, trusted);
    if (sel.renderer !== this.renderer || (sel.renderer && sel.item !== this.item)) this.render();
  }

  flush(): void {
    this.view?.flush?.();
  }

  dispose(): void {
    if (this.disposed) return;
    this.teardown();
    this.disposed = true;
    this.element.remove();
  }

  private context(signal: AbortSignal): RenderContext {
    return { signal, trusted: this.options.trusted, theme: this.options.theme, output: this.current, assets: this.options.assets, services: outputServices };
  }

  private teardown(): void {
    this.controller?.abort();
    this.controller = null;
    const view = this.view;
    const renderer = this.renderer;
    const body = this.body;
    this.view = null;
    this.renderer = null;
    this.body = null;
    try {
      view?.dispose?.();
      if (renderer && body) renderer.dispose?.(body);
    } catch (err) {
      console.error(`Probebook: disposing output ${this.current.outputId} failed`, err);
    }
    this.element.replaceChildren();
  }

  private render(): void {
    this.teardown();
    const controller = new AbortController();
    this.controller = controller;
    const sel = this.options.registry.select(this.current, this.options.trusted);
    if (!sel.renderer) {
      this.element.append(this.notice(sel.reason));
      this.renderDone = Promise.resolve();
      return;
    }
    const { renderer, item } = sel;
    this.renderer = renderer;
    this.item = item;
    const body = h('div', 'pb-output-body');
    body.dataset['renderer'] = renderer.id;
    body.dataset['mime'] = item.mime;
    this.body = body;
    this.element.append(body);
    let result: ReturnType<OutputRenderer['render']>;
    try {
      result = renderer.render(item, body, this.context(controller.signal));
    } catch (err) {
      this.fail(renderer, item, err);
      this.renderDone = Promise.resolve();
      return;
    }
    this.renderDone = Promise.resolve(result).then(
      (view) => {
        if (controller.signal.aborted) view?.dispose?.();
        else this.view = view ?? null;
      },
      (err: unknown) => {
        if (!controller.signal.aborted) this.fail(renderer, item, err);
      },
    );
  }

  /** Runs an in-place update; a throw turns the output into an error box. */
  private guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      if (this.renderer && this.item) this.fail(this.renderer, this.item, err);
      return undefined;
    }
  }

  private fail(renderer: OutputRenderer, item: OutputItem, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`Probebook: renderer ${renderer.id} failed on output ${this.current.outputId} (${item.mime})`, err);
    const view = this.view;
    this.view = null;
    try {
      view?.dispose?.();
    } catch {
      // Already failing; the error box below says what happened.
    }
    this.element.replaceChildren(this.errorBox(`This output could not be shown (${item.mime}): ${message}`, item));
  }

  private errorBox(text: string, item: OutputItem): HTMLElement {
    return h('div', 'pb-render-error', h('div', 'pb-render-error-text', text), ...rawToggle(item));
  }

  private notice(reason: string): HTMLElement {
    const box = h('div', 'pb-output-notice', h('div', '', reason));
    const plain = this.current.items.find((i) => i.mime === 'text/plain' && typeof i.data === 'string');
    if (plain) box.append(h('pre', 'pb-raw', String(plain.data)));
    else if (this.current.items[0]) box.append(...rawToggle(this.current.items[0]));
    return box;
  }
}

/** A "Show raw data" button and the (lazily filled) text it reveals. */
function rawToggle(item: OutputItem): [HTMLButtonElement, HTMLElement] {
  const raw = h('pre', 'pb-raw');
  raw.hidden = true;
  const toggle = button('Show raw data', 'Show the data of this output as text', () => {
    if (!raw.textContent) {
      const data = typeof item.data === 'string' ? item.data : JSON.stringify(item.data, null, 2);
      raw.textContent = data.length > RAW_LIMIT ? `${data.slice(0, RAW_LIMIT)}\n… (${data.length - RAW_LIMIT} more characters)` : data;
    }
    raw.hidden = !raw.hidden;
    toggle.textContent = raw.hidden ? 'Show raw data' : 'Hide raw data';
  });
  return [toggle, raw];
}
