/**
 * The desktop app never runs as root (docs/security.md): Chromium's sandbox would have to be turned
 * off, and the page would render other people's notebooks with root's rights. Cells get root
 * through the kernel host instead.
 */

/** The message to print and exit with when running as root, or null when the user is not root. */
export function rootRefusal(euid: number | undefined): string | null {
  if (euid !== 0) return null;
  return [
    'Probebook: the desktop app does not run as root.',
    "Running Electron as root needs Chromium's sandbox turned off (--no-sandbox), and the page",
    "would show other people's notebooks with root's rights. Start it as your own user: cells",
    'still run as root, through a helper elevated once per session (sudo or a polkit dialog).',
    'On a machine where you only have root, use browser mode: probebook serve (or npm start, which falls back to it).',
  ].join('\n');
}
