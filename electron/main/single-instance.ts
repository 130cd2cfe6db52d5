/**
 * One running app per user: `probebook open b.ipynb` while the app runs opens b.ipynb in it (a
 * window of its own) and exits. The files travel as `additionalData`, already resolved against
 * the second instance's working directory; its argv is the fallback.
 */
import { app } from 'electron';
import { launchFiles, parseSecondInstanceData, userArgs, type SecondInstanceData } from './launch-args.ts';

export interface SingleInstance {
  /** Called (after `ready`) with the notebooks a later `probebook open` asked for. */
  onSecondInstance(open: (files: string[]) => void): void;
}

/**
 * Takes the single-instance lock, or hands `files` to the running app and quits: then returns
 * null and the caller sets nothing else up.
 */
export function setupSingleInstance(files: readonly string[], mainScript: string): SingleInstance | null {
  const data: SecondInstanceData = { files: [...files] };
  if (!app.requestSingleInstanceLock(data)) {
    process.stdout.write(files.length ? `Probebook is already running; opening ${files.join(', ')} there.\n` : 'Probebook is already running.\n');
    app.quit();
    return null;
  }
  return {
    onSecondInstance(open) {
      app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
        const fromData = parseSecondInstanceData(additionalData);
        const fromArgv = () => launchFiles(userArgs(argv, { isPackaged: app.isPackaged, mainScript }), workingDirectory).files;
        open(fromData ? fromData.files : fromArgv());
      });
    },
  };
}
