// A real redis-server for tests and benchmarks: a free loopback port, a temp dir, no persistence.
// stop() and start() again keep the port, so fault tests can take Redis away and bring it back.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { until } from './until.js';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Starts it again on the same port (after stop()). */
  start(): Promise<void>;
  /** SIGTERM, then waits for it to exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: no shutdown of its own), then waits for it to exit. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server hangs with its connections open, as in a long stall. */
  pause(): void;
  resume(): void;
  /** Stops it and removes its temp dir. */
  close(): Promise<void>;
}

const STARTUP_MS = 10_000;

export async function startRedisServer(extraArgs: string[] = []): Promise<RedisServer> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed: run scripts/ensure-redis.sh');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'semroute-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const start = async () => {
    if (child) return;
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
    args.push('--logfile', path.join(dir, 'redis.log'), ...extraArgs);
    const proc = spawn('redis-server', args, { stdio: 'ignore' });
    child = proc;
    proc.once('exit', () => {
      if (child === proc) child = undefined;
    });
    await waitForPong(port, proc);
  };
  const stopWith = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    if (signal === 'SIGTERM') proc.kill('SIGCONT'); // a paused server must wake to hear SIGTERM
    proc.kill(signal);
    await exited;
  };
  const stop = () => stopWith('SIGTERM');

  try {
    await start();
  } catch (e) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    kill: () => stopWith('SIGKILL'),
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async close() {
      await stop();
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until the server answers PING (it listens once it has started); fails at once if it exits. */
async function waitForPong(port: number, proc: ChildProcess): Promise<void> {
  await until(
    async () => {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with code ${proc.exitCode} on port ${port}`);
      return ping(port);
    },
    STARTUP_MS,
    `redis-server answering PING on port ${port}`,
  );
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    // No answer yet (still starting, or a slow turn): "not yet", and waitForPong asks again.
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
