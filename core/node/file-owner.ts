/**
 * Who owns a file Probebook writes for a user while it runs as root (`sudo probebook run`,
 * `sudo probebook serve`): a notebook written into the user's folder must stay the
 * user's (the team's SECURITY.md: saved notebooks are written by the user), not become root's.
 */
import { invokingUser } from './kernel-host/elevation.ts';

export interface FileOwner {
  uid: number;
  gid: number;
}

/**
 * The owner to give a file written atomically (a new inode, root's by default): the owner of the
 * file it replaces, else the user who invoked Probebook through sudo or pkexec. Null when this
 * process is not root (the file is ours already) or the invoking user is root itself.
 */
export function ownerForWrite(replaced: FileOwner | null, env: NodeJS.ProcessEnv = process.env): FileOwner | null {
  if (process.geteuid?.() !== 0) return null;
  if (replaced) return replaced.uid === 0 && replaced.gid === 0 ? null : { uid: replaced.uid, gid: replaced.gid };
  const user = invokingUser(env);
  return user.uid === 0 ? null : { uid: user.uid, gid: user.gid };
}
