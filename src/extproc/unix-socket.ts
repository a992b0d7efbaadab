// File permissions of the ext_proc Unix socket (listeners.grpc.unix_socket). Whoever can write to
// the socket can drive semroute, so it is narrowed to the owner and one group right after bind.
// Between bind and chmod (microseconds) the socket has the mode the umask gives: keep its folder
// private to the pod (an emptyDir shared only by Envoy and semroute) so nobody else can reach it.
import { chmod, chown, readFile } from 'node:fs/promises';
import type { UnixSocketConfig } from '../config/schema/tls.js';

/** The gid of a group name, from /etc/group (Node has no getgrnam). */
export async function groupId(name: string, groupFile = '/etc/group'): Promise<number> {
  const text = await readFile(groupFile, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  throw new Error(`listeners.grpc.unix_socket.group: no group "${name}" in ${groupFile}`);
}

export async function applySocketPermissions(socketPath: string, cfg: UnixSocketConfig): Promise<void> {
  const mode = parseInt(cfg.mode, 8);
  if (cfg.group !== undefined) {
    const gid = typeof cfg.group === 'number' ? cfg.group : await groupId(cfg.group);
    try {
      await chown(socketPath, -1, gid);
    } catch (e) {
      throw new Error(`cannot give ${socketPath} to group ${String(cfg.group)} (semroute must be a member): ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  await chmod(socketPath, mode);
}
