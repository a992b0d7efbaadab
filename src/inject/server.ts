// `semroute inject`'s HTTPS server: POST /mutate answers AdmissionReviews; GET /healthz, /readyz
// and /metrics for the kubelet and Prometheus (HTTPS too: the kubelet does not verify probe
// certificates, Prometheus scrapes with the CA or insecure_skip_verify).
// Bounds: a body over 4 MiB is 413 (the API server caps objects at 3 MiB); headers within 10 s
// and the whole request within 30 s (the webhook's timeoutSeconds is far below).
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildInfo } from '../telemetry/build-info.js';
import { errorMessage } from '../telemetry/errors.js';
import type { Logger } from '../telemetry/logger.js';
import { createInjectorMetrics, type InjectorMetrics } from './metrics.js';
import { review, type OnInvalid } from './review.js';
import type { SidecarSettings } from './overrides.js';
import { certInfo, readPair, watchCerts, type CertInfo, type CertPair } from './tls.js';

const MAX_BODY = 4 * 1024 * 1024;
const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface InjectorOptions {
  host: string;
  port: number;
  certFile: string;
  keyFile: string;
  defaults: SidecarSettings;
  /** How the default mode was chosen (readyz says so). */
  modeReason: string;
  onInvalid: OnInvalid;
  logger: Logger;
  /** Backstop poll of the certificate files. Default 60 s. */
  certPollMs?: number;
}

export interface Injector {
  url: string;
  metrics: InjectorMetrics;
  /** The certificate being presented now. */
  cert(): CertInfo;
  /** 1 at start, +1 per reloaded certificate. */
  certGeneration(): number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too_large');
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startInjector(opts: InjectorOptions): Promise<Injector> {
  const logger = opts.logger.child({ component: 'inject' });
  const metrics = createInjectorMetrics();
  let pair: CertPair = readPair(opts.certFile, opts.keyFile);
  let info = certInfo(pair.cert);
  let generation = 1;
  const version = buildInfo().version;
  const ctx = { defaults: opts.defaults, version, onInvalid: opts.onInvalid, metrics, logger };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://injector');
    const json = 'application/json';
    if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, json, '{"status":"ok"}');
    if (req.method === 'GET' && url.pathname === '/readyz') {
      const body = { status: 'ready', version: buildInfo(), mode: { default: opts.defaults.mode, why: opts.modeReason }, onInvalid: opts.onInvalid, certificate: info };
      return send(res, 200, json, JSON.stringify(body));
    }
    if (req.method === 'GET' && url.pathname === '/metrics') return send(res, 200, PROMETHEUS_TYPE, await metrics.render());
    if (url.pathname !== '/mutate') return send(res, 404, json, '{"error":"not found"}');
    if (req.method !== 'POST') return send(res, 405, json, '{"error":"POST an AdmissionReview"}');
    if (!String(req.headers['content-type'] ?? '').startsWith(json)) return send(res, 415, json, '{"error":"content-type must be application/json"}');
    const raw = await readBody(req);
    if (raw === 'too_large') return send(res, 413, json, `{"error":"body over ${MAX_BODY} bytes"}`);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      metrics.recordReview('malformed');
      return send(res, 400, json, JSON.stringify({ error: `invalid JSON: ${errorMessage(e)}` }));
    }
    const a = review(body, ctx);
    return send(res, a.status, json, JSON.stringify(a.body));
  };

  const server: Server = createServer({ ...pair, minVersion: 'TLSv1.2', headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      logger.error('request failed', { error: errorMessage(e) });
      if (!res.headersSent) send(res, 500, 'application/json', '{"error":"internal error"}');
      else res.destroy();
    });
  });
  const watcher = watchCerts(
    {
      certFile: opts.certFile,
      keyFile: opts.keyFile,
      logger,
      ...(opts.certPollMs !== undefined ? { pollMs: opts.certPollMs } : {}),
      onChange(next) {
        // New handshakes get the new pair; open connections keep theirs until they close.
        server.setSecureContext({ ...next, minVersion: 'TLSv1.2' });
        pair = next;
        info = certInfo(next.cert);
        generation++;
        metrics.recordCertReload(true);
        logger.info('serving certificate reloaded', { subject: info.subject, notAfter: info.notAfter, fingerprint: info.fingerprint });
      },
      onError: () => metrics.recordCertReload(false),
    },
    pair,
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address === '::' ? '::1' : addr.address}]` : addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address;
  const url = `https://${host}:${addr.port}`;
  logger.info('semroute inject ready', { url, version, mode: opts.defaults.mode, why: opts.modeReason, onInvalid: opts.onInvalid, certificate: info.notAfter });

  let closing: Promise<void> | undefined;
  return {
    url,
    metrics,
    cert: () => info,
    certGeneration: () => generation,
    close() {
      closing ??= (async () => {
        watcher.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await metrics.shutdown();
      })();
      return closing;
    },
  };
}
