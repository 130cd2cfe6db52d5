/**
 * Installs the app menu. Command items go to the focused window's page (queued until it has
 * connected); "New Window" is done by main itself.
 */
import { Menu, app } from 'electron';
import { APP_MENU, buildMenuTemplate } from './menu-template.ts';
import type { NotebookWindows } from './windows.ts';

export function setupMenus(windows: NotebookWindows): void {
  void app.whenReady().then(() => {
    const template = buildMenuTemplate(APP_MENU, {
      command: (command) => windows.sendCommand(command),
      action: (action) => {
        if (action === 'newWindow') windows.open(null);
      },
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
    app.setAboutPanelOptions({ applicationName: 'Probebook', applicationVersion: app.getVersion() });
  });
}
