/**
 * One registry of commands for everything that can trigger one: the toolbar, the keyboard, the
 * command palette and the Electron menus (`app_command` messages name the same ids, listed in
 * core/common/bridge.ts). A command says in which mode its keys work.
 */
import { MENU_COMMANDS, type MenuCommandId } from '../../core/common/bridge.ts';

/** Jupyter's modes: command mode acts on cells, edit mode types into one. */
export type Mode = 'command' | 'edit';

export interface Command {
  id: string;
  /** What the palette and tooltips show. */
  title: string;
  category: 'File' | 'Notebook' | 'Cell' | 'View' | 'Help';
  /** Shortcuts as shown and matched: `Shift+Enter`, `Ctrl+S`, `D D` (a key pressed twice). */
  keys?: readonly string[];
  /** Where the keys work (default: command mode only; `any` = both modes). */
  keyMode?: Mode | 'any';
  run(): void | Promise<void>;
  /** Greyed out in the palette and ignored by keys while false. */
  enabled?(): boolean;
}

export class CommandRegistry {
  private readonly commands = new Map<string, Command>();
  private readonly failures = new Set<(command: Command, error: unknown) => void>();

  register(command: Command): void {
    if (this.commands.has(command.id)) throw new Error(`the command ${command.id} is registered twice`);
    this.commands.set(command.id, command);
  }

  get(id: string): Command | undefined {
    return this.commands.get(id);
  }

  all(): Command[] {
    return [...this.commands.values()];
  }

  isEnabled(id: string): boolean {
    const c = this.commands.get(id);
    return !!c && (c.enabled?.() ?? true);
  }

  /** Called when a command throws or rejects, so the page can show the error. */
  onFailure(listener: (command: Command, error: unknown) => void): () => void {
    this.failures.add(listener);
    return () => this.failures.delete(listener);
  }

  /** Runs a command if it exists and is enabled; returns whether it ran. Errors go to `onFailure`. */
  run(id: string): boolean {
    const c = this.commands.get(id);
    if (!c || !(c.enabled?.() ?? true)) return false;
    try {
      const result = c.run();
      if (result) result.catch((error: unknown) => this.fail(c, error));
    } catch (error) {
      this.fail(c, error);
    }
    return true;
  }

  /** Menu commands the app may send that nothing registered (a wiring mistake). */
  missingMenuCommands(): MenuCommandId[] {
    return MENU_COMMANDS.filter((id) => !this.commands.has(id));
  }

  private fail(c: Command, error: unknown): void {
    if (this.failures.size === 0) console.error(`Probebook: ${c.title} failed`, error);
    for (const l of this.failures) l(c, error);
  }
}
