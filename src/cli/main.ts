#!/usr/bin/env node
// The semroute command line: serve | dev | inject | validate | schema | config | explain | eval | version.
import { parseArgs } from 'node:util';
import { listenHostPort } from '../config/addresses.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { contentHash } from '../config/reload.js';
import { runConfig, runSchema, runValidate } from './config-commands.js';
import { buildInfo, versionLine } from '../telemetry/build-info.js';
import { createLogger } from '../telemetry/logger.js';
import { errorMessage } from '../telemetry/errors.js';
import { startRouter } from './router.js';
import { USAGE, UsageError } from './usage.js';
import { runsRouter, superviseWorkers } from './workers.js';

/** SIGTERM/SIGINT: graceful stop (a second signal exits at once). */
function onShutdown(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`semroute: ${signal} received, draining\n`);
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * SIGHUP reloads the config. The handler is installed before the router starts (SIGHUP's default
 * action would kill the process); a SIGHUP that arrives while starting reloads once it is up.
 */
function reloadOnSighup(): (reload: () => Promise<boolean>) => void {
  let target: (() => Promise<boolean>) | undefined;
  let pending = false;
  process.on('SIGHUP', () => {
    if (target) void target();
    else pending = true;
  });
  return (reload) => {
    target = reload;
    if (pending) void reload();
  };
}

/**
 * The config, what hot reload needs to follow its file, and the logger at the configured level
 * (SEMROUTE_LOG_LEVEL overrides it).
 */
function configFromFile(file: string) {
  const config = loadConfigFile(file);
  const logger = createLogger(process.env.SEMROUTE_LOG_LEVEL ? {} : { level: config.telemetry.logging.level });
  return { config, configFile: { path: file, hash: contentHash(file), watch: true }, logger };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({
        args: rest,
        options: {
          config: { type: 'string', short: 'c' },
          'grpc-listen': { type: 'string' },
          'grpc-socket-mode': { type: 'string' },
          'admin-listen': { type: 'string' },
          'shutdown-grace-ms': { type: 'string' },
          workers: { type: 'string' },
        },
      });
      if (!values.config) throw new UsageError('serve needs --config FILE');
      const socketMode = values['grpc-socket-mode'];
      if (socketMode !== undefined && !/^0?[0-7]{3}$/.test(socketMode)) throw new UsageError('--grpc-socket-mode needs an octal file mode such as 0660');
      const workers = Number(values.workers ?? '1');
      if (!Number.isInteger(workers) || workers < 1) throw new UsageError('--workers needs a whole number ≥ 1');
      if (!runsRouter(workers)) {
        loadConfigFile(values.config); // fail fast in the primary, before forking
        return superviseWorkers({ workers, logger: createLogger() });
      }
      const onReloadSignal = reloadOnSighup();
      const router = await startRouter({
        ...configFromFile(values.config),
        ...(values['grpc-listen'] ? { grpcListen: values['grpc-listen'] } : {}),
        ...(socketMode !== undefined ? { grpcSocketMode: socketMode } : {}),
        ...(values['admin-listen'] ? { adminListen: values['admin-listen'] } : {}),
        ...(values['shutdown-grace-ms'] ? { shutdownGraceMs: Number(values['shutdown-grace-ms']) } : {}),
      });
      onShutdown(() => router.close());
      onReloadSignal(() => router.reload('signal'));
      return -1;
    }
    case 'dev': {
      const { values } = parseArgs({
        args: rest,
        options: {
          config: { type: 'string', short: 'c' },
          listen: { type: 'string', default: '127.0.0.1:8080' },
          'fake-upstreams': { type: 'boolean', default: false },
          'grpc-listen': { type: 'string' },
          'admin-listen': { type: 'string' },
        },
      });
      if (!values.config) throw new UsageError('dev needs --config FILE');
      const onReloadSignal = reloadOnSighup();
      // Loaded only here: the production `serve` path never loads the gateway or undici.
      const { startDev } = await import('./dev.js');
      const stack = await startDev({
        ...configFromFile(values.config),
        listen: listenHostPort(values.listen),
        fakeUpstreams: values['fake-upstreams'],
        ...(values['grpc-listen'] ? { grpcListen: values['grpc-listen'] } : {}),
        ...(values['admin-listen'] ? { adminListen: values['admin-listen'] } : {}),
        accessLog: (line) => process.stdout.write(`${line}\n`),
      });
      const url = stack.gateway.url;
      process.stdout.write(
        [
          '',
          `semroute dev: gateway ${url} → ext_proc ${stack.router.grpcAddress} → ${stack.upstreams.length ? 'fake' : 'configured'} upstreams`,
          `admin: ${stack.router.adminUrl ?? 'off'}/metrics`,
          'Try:',
          `  curl -si ${url}/v1/chat/completions -H 'content-type: application/json' \\`,
          `    -d '{"model":"auto","messages":[{"role":"user","content":"Why does this python function fail to compile?"}]}'`,
          '  # Anthropic Messages (qwen3-235b serves it natively; qwen3-8b gets it translated to chat completions):',
          `  curl -s ${url}/v1/messages -H 'content-type: application/json' -H 'anthropic-version: 2023-06-01' \\`,
          `    -d '{"model":"auto","max_tokens":256,"messages":[{"role":"user","content":"Tell me about giraffes"}]}'`,
          '  # OpenAI Responses (send previous_response_id with the returned id for a second turn):',
          `  curl -s ${url}/v1/responses -H 'content-type: application/json' \\`,
          `    -d '{"model":"auto","input":"Why does this python function fail to compile?"}'`,
          `  curl -s ${url}/v1/models`,
          '',
        ].join('\n'),
      );
      onShutdown(() => stack.close());
      onReloadSignal(() => stack.router.reload('signal'));
      return -1;
    }
    case 'validate':
      return runValidate(rest, process.stdout);
    case 'schema':
      return runSchema(rest, process.stdout);
    case 'explain': {
      const { runExplain } = await import('./explain.js');
      return runExplain(rest, { stdout: (s) => process.stdout.write(s), stdin: process.stdin });
    }
    case 'eval': {
      const { runEval } = await import('./eval.js');
      return runEval(rest, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
    }
    case 'inject': {
      const { runInject } = await import('./inject.js');
      const r = await runInject(rest, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
      if (typeof r === 'number') return r;
      onShutdown(() => r.close());
      return -1;
    }
    case 'config':
      return runConfig(rest, process.stdout);
    case 'version':
    case '--version': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } } });
      process.stdout.write(values.json ? `${JSON.stringify(buildInfo())}\n` : `semroute ${versionLine()}\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}


main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof ConfigError) process.stderr.write(`semroute: ${e.message}\n`);
    else if (e instanceof UsageError) process.stderr.write(`semroute: ${e.message}\n\n${USAGE}`);
    else process.stderr.write(`semroute: ${errorMessage(e)}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
