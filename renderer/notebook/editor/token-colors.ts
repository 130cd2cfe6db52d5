/**
 * Syntax colours, in one table for both places that draw code: Monaco's themes (focused cells)
 * and the static highlighting of cells without an editor (most of a big notebook). Tokens match
 * by dotted prefix, as in Monaco themes: `variable.map` colours `variable.map.bpftrace`.
 */
export interface TokenColor {
  token: string;
  light: string;
  dark: string;
  fontStyle?: 'italic' | 'bold';
}

export const TOKEN_COLORS: readonly TokenColor[] = [
  { token: 'comment', light: '#6e7781', dark: '#6a9955', fontStyle: 'italic' },
  { token: 'keyword', light: '#cf222e', dark: '#569cd6' },
  { token: 'keyword.directive', light: '#8250df', dark: '#c586c0' },
  { token: 'string', light: '#0a3069', dark: '#ce9178' },
  { token: 'string.escape', light: '#0550ae', dark: '#d7ba7d' },
  { token: 'string.format', light: '#0550ae', dark: '#9cdcfe' },
  { token: 'string.link', light: '#0969da', dark: '#4daafc' },
  { token: 'number', light: '#0550ae', dark: '#b5cea8' },
  { token: 'regexp', light: '#116329', dark: '#d16969' },
  { token: 'type', light: '#8250df', dark: '#4ec9b0' },
  { token: 'type.probe', light: '#8250df', dark: '#c586c0', fontStyle: 'bold' },
  { token: 'tag', light: '#116329', dark: '#569cd6' },
  { token: 'tag.probe', light: '#116329', dark: '#4ec9b0' },
  { token: 'delimiter.predicate', light: '#bf3989', dark: '#d16969' },
  { token: 'attribute.name', light: '#953800', dark: '#9cdcfe' },
  { token: 'attribute.value', light: '#0a3069', dark: '#ce9178' },
  { token: 'variable', light: '#953800', dark: '#9cdcfe' },
  { token: 'variable.map', light: '#953800', dark: '#dcdcaa', fontStyle: 'bold' },
  { token: 'variable.scratch', light: '#0550ae', dark: '#9cdcfe' },
  { token: 'variable.parameter', light: '#bf3989', dark: '#d7ba7d' },
  { token: 'variable.predefined', light: '#0550ae', dark: '#4fc1ff' },
  { token: 'predefined', light: '#8250df', dark: '#dcdcaa' },
  { token: 'constant', light: '#0550ae', dark: '#4fc1ff' },
  { token: 'strong', light: '#1f2328', dark: '#e6e6e6', fontStyle: 'bold' },
  { token: 'emphasis', light: '#1f2328', dark: '#e6e6e6', fontStyle: 'italic' },
];

/** The table's entry for a token type (longest matching dotted prefix), or undefined. */
function tokenColorOf(type: string): TokenColor | undefined {
  let best: TokenColor | undefined;
  for (const c of TOKEN_COLORS) {
    if ((type === c.token || type.startsWith(`${c.token}.`)) && (!best || c.token.length > best.token.length)) best = c;
  }
  return best;
}

/** The CSS class the static highlighter gives a token type. */
export function tokenClass(type: string): string | undefined {
  const c = tokenColorOf(type);
  return c ? `tok-${c.token.replace(/\./g, '-')}` : undefined;
}

/** The stylesheet of the static highlighter, light and dark. */
export function tokenStylesheet(): string {
  return TOKEN_COLORS.map((c) => {
    const cls = `.tok-${c.token.replace(/\./g, '-')}`;
    const style = c.fontStyle === 'bold' ? 'font-weight:600;' : c.fontStyle === 'italic' ? 'font-style:italic;' : '';
    return `${cls}{color:${c.light};${style}}\n[data-pb-theme="dark"] ${cls}{color:${c.dark}}`;
  }).join('\n');
}
