// The servers under test, each in its own child process: the no-op floor and semroute (through
// router-launcher.js, optionally clustered). Both answer IPC stats requests; semroute's event-loop
// delay comes from its admin /metrics, as an operator would read it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildStats } from './child-stats.js';
import { sampleProcessTree, type ProcSample } from './proc.js';
import { scrape } from './prometheus.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root, from perf/ (sources, tests) or dist/perf/ (the built suite). */
export const repoRoot = path.resolve(here, ...(here.includes(`${path.sep}dist${path.sep}`) ? ['..', '..'] : ['..']));

export interface ServerUnderTest {
  name: 'floor' | 'semroute';
  pid: number;
  address: string;
  adminUrl?: string;
  /** /proc view of the process tree (workers included). */
  sample(): ProcSample;
  /** Event-loop delay p99 (ms) since the previous call; the first call only starts the window. */
  eventLoopP99Ms(): Promise<number | null>;
  /** Heap and handle count (the primary's or single process's own view). */
  stats(): Promise<ChildStats | undefined>;
  close(): Promise<void>;
}

function spawnReady(args: string[], ready: RegExp, needed: number): Promise<{ child: ChildProcess; lines: RegExpExecArray[] }> {
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let out = '';
  const lines: RegExpExecArray[] = [];
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const m = ready.exec(line);
        if (m) lines.push(m);
        else if (/error|fail/i.test(line)) process.stderr.write(`[server] ${line}\n`);
        if (lines.length === needed) resolve({ child, lines });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (c) => reject(new Error(`server exited (${c}) before it was ready: ${out.slice(-500)}`)));
  });
}

function askStats(child: ChildProcess): Promise<ChildStats | undefined> {
  if (!child.connected) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const t = setTimeout(() => done(undefined), 2000);
    const onMsg = (m: unknown) => {
      if ((m as { type?: string }).type === 'stats') done(m as ChildStats);
    };
    const done = (v: ChildStats | undefined) => {
      clearTimeout(t);
      child.off('message', onMsg);
      resolve(v);
    };
    child.on('message', onMsg);
    child.send({ type: 'stats' });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startFloor(): Promise<ServerUnderTest> {
  const { child, lines } = await spawnReady([path.join(here, 'noop-server.js'), '127.0.0.1:0'], /^listening (\S+)/, 1);
  return {
    name: 'floor',
    pid: child.pid!,
    address: lines[0]![1]!,
    sample: () => sampleProcessTree(child.pid!),
    eventLoopP99Ms: async () => (await askStats(child))?.eventLoopP99Ms ?? null,
    stats: () => askStats(child),
    close: () => stop(child),
  };
}

/** Extra node flags for semroute's process only, e.g. SEMROUTE_PERF_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
const semrouteNodeArgs = (process.env.SEMROUTE_PERF_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** `launcherArgs`: more router-launcher.ts flags (e.g. --log-level info --log-file /dev/null). */
export async function startSemroute(configFile: string, workers = 1, launcherArgs: string[] = []): Promise<ServerUnderTest> {
  const { child, lines } = await spawnReady(
    [...semrouteNodeArgs, path.join(here, 'router-launcher.js'), '--config', configFile, '--workers', String(workers), ...launcherArgs],
    /^perf-ready (\{.*\})$/,
    workers,
  );
  const ready = JSON.parse(lines[0]![1]!) as { grpc: string; admin: string };
  const server: ServerUnderTest = {
    name: 'semroute',
    pid: child.pid!,
    address: ready.grpc,
    adminUrl: ready.admin,
    sample: () => sampleProcessTree(child.pid!),
    // The gauge is the p99 since the previous scrape. With workers, a scrape reaches one of them.
    eventLoopP99Ms: async () => {
      const v = await scrape(ready.admin, 'semroute_event_loop_delay_seconds').catch(() => undefined);
      return v === undefined ? null : v * 1000;
    },
    stats: () => askStats(child),
    close: () => stop(child),
  };
  return server;
}
