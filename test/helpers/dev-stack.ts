// Starts the whole local stack on ephemeral ports: two fake upstreams, semroute, the local gateway.
import { startDev, type DevStack } from '../../src/cli/dev.js';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import { contentHash } from '../../src/config/reload.js';
import { startFakeUpstream, type FakeApi, type FakeUpstream } from '../../src/dev/fake-upstream.js';
import type { BodySendMode } from '../../src/extproc/wire.js';
import { baseConfigDoc } from './config.js';
import { RecordingLogger } from './fakes.js';
import type { Logger } from '../../src/telemetry/logger.js';

export interface E2EStack {
  url: string;
  small: FakeUpstream;
  large: FakeUpstream;
  dev: DevStack;
  logger: RecordingLogger;
  close(): Promise<void>;
}

/**
 * `configFile`: write the config there and let the router follow it (hot reload), as `semroute
 * dev --config FILE` does. `apis`: what each fake upstream serves natively (default chat, completions).
 */
export async function startE2EStack(
  change?: (doc: any) => void,
  configFile?: string,
  apis?: { small?: FakeApi[]; large?: FakeApi[] },
  /** `logger`: the router logs here instead of to stack.logger (e.g. a real JSON logger). */
  opts: { logger?: Logger } = {},
): Promise<E2EStack> {
  const small = await startFakeUpstream({ name: 'small', host: '127.0.0.1', port: 0, models: ['org/small-8b'], ...(apis?.small ? { apis: apis.small } : {}) });
  const large = await startFakeUpstream({ name: 'large', host: '127.0.0.1', port: 0, models: ['org/large-235b'], ...(apis?.large ? { apis: apis.large } : {}) });
  const doc = baseConfigDoc() as any;
  doc.models[0].endpoints = [`127.0.0.1:${small.port}`];
  doc.models[1].endpoints = [`127.0.0.1:${large.port}`];
  // Inference runs in worker threads, so a signal's 50 ms budget fires even while a batch runs: on
  // a CI machine with both cores busy a classification could miss it and route as not matched.
  // These suites test routing on what the models say; the budgets have their own tests
  // (test/integration/inference/worker-pool.test.ts). A suite may set its own.
  doc.inference = { timeout_ms: 10_000 };
  change?.(doc);
  const logger = new RecordingLogger();
  if (configFile) writeFileSync(configFile, stringify(doc));
  let dev: DevStack;
  try {
    dev = await startDev({
      ...bodyMode(),
      config: configFile ? loadConfigFile(configFile) : parseConfig(doc),
      ...(configFile ? { configFile: { path: configFile, hash: contentHash(configFile), watch: true } } : {}),
      listen: { host: '127.0.0.1', port: 0 },
      fakeUpstreams: false,
      grpcListen: '127.0.0.1:0',
      adminListen: '127.0.0.1:0',
      logger: opts.logger ?? logger,
    });
  } catch (e) {
    // A stack that fails to start must not leave its upstreams listening (jest would never exit).
    await Promise.all([small.close(), large.close()]);
    throw e;
  }
  return {
    url: dev.gateway.url,
    small,
    large,
    dev,
    logger,
    async close() {
      await dev.close();
      await small.close();
      await large.close();
    },
  };
}

/**
 * The body mode of the e2e-streamed / e2e-full_duplex_streamed jest projects (their setup files
 * set SEMROUTE_E2E_BODY_MODE); unset: the gateway's default (BUFFERED requests).
 */
function bodyMode(): { processingMode?: { request_body_mode: BodySendMode; response_body_mode: BodySendMode } } {
  const mode = process.env.SEMROUTE_E2E_BODY_MODE as BodySendMode | undefined;
  if (!mode) return {};
  // STREAMED request bodies are answered with a mode override to BUFFERED by semroute, which the
  // gateway honours (allow_mode_override, as in envoy/envoy.yaml); FULL_DUPLEX_STREAMED cannot be overridden.
  return { processingMode: { request_body_mode: mode, response_body_mode: mode === 'FULL_DUPLEX_STREAMED' ? mode : 'STREAMED' } };
}
