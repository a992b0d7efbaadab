// The ext_proc Unix socket gets the configured mode and group right after bind (whoever can write
// to it can drive semroute), and an unknown group fails the start with a clear message.
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ExtProcServer } from '../../../src/extproc/server.js';
import { groupId } from '../../../src/extproc/unix-socket.js';
import { RoutingSnapshot } from '../../../src/pipeline/snapshot.js';
import { testConfig } from '../../helpers/config.js';
import { extProcClient, openCall } from '../../helpers/extproc-client.js';
import { RecordingLogger, RecordingMetrics } from '../../helpers/fakes.js';
import { chatHeaders, requestHeaders } from '../../helpers/wire.js';

describe('ext_proc Unix socket permissions', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'semroute-uds-'));
  const servers: ExtProcServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.shutdown(100);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const server = (name: string, unixSocket: { mode: string; group?: string | number }) => {
    const snapshot = new RoutingSnapshot(testConfig());
    const s = new ExtProcServer({ address: `unix:${path.join(dir, name)}`, snapshot: () => snapshot, metrics: new RecordingMetrics(), logger: new RecordingLogger(), maxMessageBytes: 1 << 20, unixSocket });
    servers.push(s);
    return s;
  };

  it('applies the default mode 0660 (owner and group may connect, nobody else) and still serves', async () => {
    const s = server('a.sock', testConfig().listeners.grpc.unix_socket);
    await s.start();
    const st = statSync(path.join(dir, 'a.sock'));
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o660);
    const client = extProcClient(s.address);
    const call = openCall(client);
    expect((await call.send(requestHeaders(chatHeaders))).response).toBe('request_headers');
    call.cancel();
    client.close();
  });

  it('sets a configured mode and group (numeric gid or a name from /etc/group)', async () => {
    const gid = process.getgid!();
    const s = server('b.sock', { mode: '0600', group: gid });
    await s.start();
    const st = statSync(path.join(dir, 'b.sock'));
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.gid).toBe(gid);
  });

  it('fails the start on a group that does not exist, and leaves nothing listening', async () => {
    const s = server('c.sock', { mode: '0660', group: 'no-such-group-semroute' });
    await expect(s.start()).rejects.toThrow('listeners.grpc.unix_socket.group: no group "no-such-group-semroute" in /etc/group');
    const client = extProcClient(`unix:${path.join(dir, 'c.sock')}`);
    const status = await openCall(client).status.catch((e: unknown) => e);
    expect((status as grpc.StatusObject).code).toBe(grpc.status.UNAVAILABLE);
    client.close();
  });

  it('resolves group names from the group file', async () => {
    const file = path.join(dir, 'group');
    writeFileSync(file, 'root:x:0:\nenvoy:x:101:semroute\n');
    expect(await groupId('envoy', file)).toBe(101);
    await expect(groupId('nginx', file)).rejects.toThrow(/no group "nginx"/);
  });
});
