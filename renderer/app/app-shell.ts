/**
 * The page around the notebook: header (title, dirty marker, toolbar), banners (connection,
 * trust, read-only, backup), the main area, and the status bar. Buttons run commands of the
 * registry, so they do exactly what the keys and menus do.
 */
import { h } from '../outputs/dom.ts';
import type { CommandRegistry } from '../notebook/commands.ts';
import { formatKeys } from '../notebook/keymap.ts';
import { icon, type IconName } from '../notebook/icons.ts';

export interface BannerAction {
  label: string;
  run(): void;
  primary?: boolean;
}

export class AppShell {
  readonly element: HTMLElement;
  readonly main: HTMLElement;
  private readonly titleText: HTMLElement;
  private readonly titlePath: HTMLElement;
  private readonly dirtyMark: HTMLElement;
  private readonly toolbar: HTMLElement;
  private readonly banners: HTMLElement;
  private readonly bannerByKey = new Map<string, HTMLElement>();
  private readonly status = {
    connection: h('span', 'pb-sb-item pb-sb-connection'),
    runAs: h('span', 'pb-sb-item'),
    trust: h('span', 'pb-sb-item'),
    busy: h('span', 'pb-sb-item pb-sb-busy'),
    cell: h('span', 'pb-sb-item'),
    mode: h('span', 'pb-sb-item pb-sb-mode'),
  };
  private readonly toolButtons: { id: string; button: HTMLButtonElement }[] = [];

  constructor(private readonly commands: CommandRegistry) {
    this.titleText = h('span', 'pb-title-text', 'Probebook');
    this.titlePath = h('span', 'pb-title-path');
    this.dirtyMark = h('span', 'pb-dirty', '●');
    this.dirtyMark.title = 'Unsaved changes (Ctrl+S saves)';
    this.dirtyMark.hidden = true;
    const brand = h('div', 'pb-brand', icon('logo', 'pb-logo'), h('span', '', 'Probebook'));
    const title = h('div', 'pb-title', this.titleText, this.dirtyMark, this.titlePath);
    this.toolbar = h('nav', 'pb-toolbar');
    this.toolbar.setAttribute('aria-label', 'Notebook toolbar');
    const tool = (id: string, name: IconName, label?: string) => this.toolButton(id, name, label);
    this.toolbar.append(
      h('div', 'pb-tool-group', tool('notebook.open', 'folder'), tool('notebook.save', 'save')),
      h('div', 'pb-tool-group', tool('notebook.runAll', 'runAll', 'Run all'), tool('notebook.interruptAll', 'stop'), tool('notebook.restart', 'restart')),
      h('div', 'pb-tool-group', tool('cell.insertBelow', 'plus', 'Code'), tool('cell.insertMarkdownBelow', 'plus', 'Markdown')),
      h('div', 'pb-tool-group', tool('notebook.clearAllOutputs', 'clearOutput')),
      h('div', 'pb-tool-group', tool('view.runTimeline', 'timeline', 'Timeline')),
      h('span', 'pb-spacer'),
      h('div', 'pb-tool-group', tool('view.toggleTheme', 'moon'), tool('help.keyboardShortcuts', 'keyboard'), tool('view.commandPalette', 'command')),
    );
    const header = h('header', 'pb-header', h('div', 'pb-header-row', brand, title), this.toolbar);
    this.banners = h('div', 'pb-banners');
    this.main = h('main', 'pb-main');
    const s = this.status;
    const statusBar = h('footer', 'pb-statusbar', s.connection, s.runAs, s.trust, s.busy, h('span', 'pb-spacer'), s.cell, s.mode);
    this.element = h('div', 'pb-app', header, this.banners, this.main, statusBar);
  }

  /** The notebook's title in the header (null: no notebook open). */
  setTitle(title: string | null, path: string | null, dirty: boolean): void {
    this.titleText.parentElement!.hidden = title === null;
    title ??= 'Probebook';
    this.titleText.textContent = title;
    const dir = path?.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
    this.titlePath.textContent = dir;
    this.titlePath.hidden = !dir;
    this.dirtyMark.hidden = !dirty;
    document.title = title === 'Probebook' ? title : `${dirty ? '● ' : ''}${title} — Probebook`;
  }

  /** Enables/disables toolbar buttons from their commands. */
  refreshTools(): void {
    for (const { id, button } of this.toolButtons) button.disabled = !this.commands.isEnabled(id);
  }

  /** Shows a toggle button of the toolbar as on or off. */
  setPressed(id: string, pressed: boolean): void {
    for (const t of this.toolButtons) if (t.id === id) t.button.setAttribute('aria-pressed', String(pressed));
  }

  showToolbar(visible: boolean): void {
    this.toolbar.classList.toggle('pb-toolbar-idle', !visible);
  }

  /** Shows (or replaces) a banner; `null` removes it. */
  banner(key: string, banner: { kind: 'info' | 'warn' | 'error'; text: string; actions?: BannerAction[] } | null): void {
    const old = this.bannerByKey.get(key);
    if (!banner) {
      old?.remove();
      this.bannerByKey.delete(key);
      return;
    }
    const el = h('div', `pb-banner pb-banner-${banner.kind}`, icon(banner.kind === 'info' ? 'shield' : 'alert'), h('span', 'pb-banner-text', banner.text));
    el.dataset['banner'] = key;
    el.setAttribute('role', banner.kind === 'error' ? 'alert' : 'status');
    for (const a of banner.actions ?? []) {
      const b = h('button', a.primary ? 'pb-btn-primary' : 'pb-btn-secondary', a.label);
      b.type = 'button';
      b.addEventListener('click', () => a.run());
      el.append(b);
    }
    if (old) old.replaceWith(el);
    else this.banners.append(el);
    this.bannerByKey.set(key, el);
  }

  setStatus(part: keyof AppShell['status'], text: string, title = '', state = ''): void {
    const el = this.status[part];
    el.textContent = text;
    el.title = title;
    el.hidden = !text;
    if (state) el.dataset['state'] = state;
    else delete el.dataset['state'];
  }

  private toolButton(id: string, name: IconName, label?: string): HTMLButtonElement {
    const command = this.commands.get(id);
    const title = command ? `${command.title}${command.keys?.length ? ` (${formatKeys(command.keys)})` : ''}` : id;
    const b = h('button', 'pb-tool', icon(name));
    if (label) b.append(h('span', '', label));
    b.type = 'button';
    b.title = title;
    b.setAttribute('aria-label', command?.title ?? id);
    b.dataset['command'] = id;
    b.addEventListener('click', () => this.commands.run(id));
    this.toolButtons.push({ id, button: b });
    return b;
  }
}
