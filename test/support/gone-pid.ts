/** A pid that ran and is gone: a real child process, waited for (the kernel may reuse it later, rarely soon). */
import { spawn } from 'node:child_process';

export async function gonePid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}
