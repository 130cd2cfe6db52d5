/**
 * Light or dark: follows the system (`prefers-color-scheme`) unless the user picked one (kept
 * in localStorage). The theme is `data-pb-theme` on <html>, which the page's, the outputs' and
 * the static code's CSS read; Monaco and output areas are told through listeners.
 */
import type { Theme } from '../outputs/index.ts';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'probebook.theme';

export class ThemeController {
  private readonly media = window.matchMedia('(prefers-color-scheme: dark)');
  private readonly listeners = new Set<(theme: Theme) => void>();
  private choiceValue: ThemeChoice;

  constructor() {
    const stored = safeGet(KEY);
    this.choiceValue = stored === 'light' || stored === 'dark' ? stored : 'system';
    this.media.addEventListener('change', () => this.apply());
    this.apply();
  }

  get theme(): Theme {
    if (this.choiceValue !== 'system') return this.choiceValue;
    return this.media.matches ? 'dark' : 'light';
  }

  get choice(): ThemeChoice {
    return this.choiceValue;
  }

  /** System → the other one of the current theme → system. */
  cycle(): ThemeChoice {
    const next: ThemeChoice = this.choiceValue === 'system' ? (this.theme === 'dark' ? 'light' : 'dark') : 'system';
    this.choiceValue = next;
    try {
      if (next === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, next);
    } catch {
      // Not stored: the choice lasts for this page.
    }
    this.apply();
    return next;
  }

  onChange(listener: (theme: Theme) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private apply(): void {
    const theme = this.theme;
    document.documentElement.dataset['pbTheme'] = theme;
    document.documentElement.style.colorScheme = theme;
    for (const l of this.listeners) l(theme);
  }
}

function safeGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
