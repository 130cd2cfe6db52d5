/**
 * Keys to commands, Jupyter style: in command mode single letters act on cells (`A`, `B`, `M`…)
 * and some are pressed twice (`D D`, `I I`, `0 0`); in edit mode keys type, except the few
 * bound for both modes (Shift+Enter, Ctrl+S, Esc…). Pure logic: the page feeds it key events.
 */
import type { Command, Mode } from './commands.ts';

/** The parts of a KeyboardEvent the keymap reads. */
export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** How long the second key of a double press may take. */
export const SEQUENCE_TIMEOUT_MS = 800;

const KEY_NAMES: Record<string, string> = {
  ' ': 'Space',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  Escape: 'Esc',
};

/** A key event as a chord: `Ctrl+Shift+P`, `Shift+Enter`, `A`, `0`. Modifier keys alone give ''. */
export function chordOf(e: KeyInput): string {
  if (['Control', 'Shift', 'Alt', 'Meta'].includes(e.key)) return '';
  let key = KEY_NAMES[e.key] ?? e.key;
  if (key.length === 1) key = key.toUpperCase();
  const parts: string[] = [];
  // Cmd on macOS counts as Ctrl, so the same bindings work there.
  if (e.ctrlKey || e.metaKey) parts.push('Ctrl');
  // Shift counts for letters and named keys (Shift+V, Shift+Enter); a symbol like `?` already says it.
  if (e.shiftKey && (key.length > 1 || /[A-Z]/.test(key) || parts.length > 0)) parts.push('Shift');
  if (e.altKey) parts.push('Alt');
  parts.push(key);
  return parts.join('+');
}

export interface KeymapMatch {
  command: Command;
  /** The keys that matched (for tests and hints). */
  keys: string;
}

export class Keymap {
  private pending: { chord: string; at: number } | null = null;

  constructor(private readonly commands: () => readonly Command[]) {}

  /**
   * The command for a key press in `mode`, or null. A first press of a double-press key returns
   * null and waits for the second; any other key in between cancels it.
   */
  match(e: KeyInput, mode: Mode, now = Date.now()): KeymapMatch | null {
    const chord = chordOf(e);
    if (!chord) return null;
    const candidates = this.commands().filter((c) => c.keys && (c.keyMode === 'any' || (c.keyMode ?? 'command') === mode));
    const previous = this.pending && now - this.pending.at <= SEQUENCE_TIMEOUT_MS ? this.pending.chord : null;
    this.pending = null;
    if (previous) {
      const sequence = `${previous} ${chord}`;
      const hit = candidates.find((c) => c.keys!.includes(sequence));
      if (hit) return { command: hit, keys: sequence };
    }
    const direct = candidates.find((c) => c.keys!.includes(chord));
    if (direct) return { command: direct, keys: chord };
    if (candidates.some((c) => c.keys!.some((k) => k.startsWith(`${chord} `)))) this.pending = { chord, at: now };
    return null;
  }

  /** Whether a key press started a sequence that waits for its second key. */
  get waiting(): boolean {
    return this.pending !== null;
  }

  reset(): void {
    this.pending = null;
  }
}

/** Shortcut text for people: `Ctrl+Shift+P` → `Ctrl+Shift+P`, `D D` → `D, D`. */
export function formatKeys(keys: readonly string[] | undefined): string {
  return (keys ?? []).map((k) => k.split(' ').join(', ')).join('  or  ');
}
