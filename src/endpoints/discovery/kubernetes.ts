// kubernetes: the EndpointSlices of a Service, LIST then WATCH (newline-delimited JSON) on the API
// server with the pod's service account. Hand-written on node:https rather than
// @kubernetes/client-node: only two requests are needed, and it was not tried in time (see report).
// Failure modes: API unreachable or 401/403: the last endpoints are kept, reported, retried with
// backoff; 410 Gone (resourceVersion too old): re-list; a watch that ends (server timeout) resumes
// from the last resourceVersion.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { EndpointSource } from './types.js';
import { mergeSlices, type EndpointSlice } from './kubernetes-slices.js';

const SA = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubernetesSourceOptions {
  service: string;
  namespace?: string;
  port?: string;
  /** https://host:port; default from KUBERNETES_SERVICE_HOST/PORT. */
  apiServer?: string;
  tokenPath?: string;
  caPath?: string;
  namespacePath?: string;
  /** Server-side watch timeout in seconds. */
  watchTimeoutS?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  onError?: (message: string) => void;
}

class HttpError extends Error {
  constructor(readonly status: number, body: string) {
    super(`HTTP ${status}: ${body.slice(0, 200)}`);
  }
}

export function kubernetesSource(opts: KubernetesSourceOptions): EndpointSource {
  const tokenPath = opts.tokenPath ?? `${SA}/token`;
  const ns = opts.namespace ?? readFileSync(opts.namespacePath ?? `${SA}/namespace`, 'utf8').trim();
  const host = process.env.KUBERNETES_SERVICE_HOST ?? '';
  const api = opts.apiServer ?? `https://${host.includes(':') ? `[${host}]` : host}:${process.env.KUBERNETES_SERVICE_PORT ?? '443'}`;
  const ca = readFileSync(opts.caPath ?? `${SA}/ca.crt`);
  const base = `${api}/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${opts.service}`)}`;
  const min = opts.backoffMinMs ?? 500;
  const max = opts.backoffMaxMs ?? 30_000;
  const slices = new Map<string, EndpointSlice>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let req: ReturnType<typeof https.get> | undefined;
  let last: string | undefined;
  let onChange: (eps: readonly string[]) => void = () => undefined;
  let backoff = min;

  // The token is re-read per request: the kubelet rotates it.
  const headers = () => ({ authorization: `Bearer ${readFileSync(tokenPath, 'utf8').trim()}`, accept: 'application/json' });
  const publish = () => {
    const eps = mergeSlices(slices.values(), opts.port);
    const key = eps.join(',');
    if (key !== last) {
      last = key;
      onChange(eps);
    }
  };
  const fail = (e: Error) => {
    if (stopped) return;
    opts.onError?.(`kubernetes ${ns}/${opts.service}: ${e.message}`);
    timer = setTimeout(() => void list(), backoff).unref();
    backoff = Math.min(max, backoff * 2);
  };

  const list = () => {
    if (stopped) return;
    let r: ReturnType<typeof https.get>;
    try {
      r = https.get(base, { ca, headers: headers() }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          if (res.statusCode !== 200) return fail(new HttpError(res.statusCode ?? 0, body));
          try {
            const doc = JSON.parse(body) as { metadata?: { resourceVersion?: string }; items?: EndpointSlice[] };
            slices.clear();
            for (const s of doc.items ?? []) slices.set(s.metadata?.name ?? '', s);
            publish();
            watch(doc.metadata?.resourceVersion ?? '');
          } catch (e) {
            fail(e as Error);
          }
        });
        res.on('error', fail);
      });
    } catch (e) {
      return fail(e as Error);
    }
    req = r;
    r.on('error', fail);
  };

  const watch = (rv: string) => {
    if (stopped) return;
    const url = `${base}&watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(rv)}&timeoutSeconds=${opts.watchTimeoutS ?? 300}`;
    let resume = rv;
    let gone = false;
    const r = https.get(url, { ca, headers: headers() }, (res) => {
      if (res.statusCode === 410) {
        res.resume();
        return list();
      }
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => fail(new HttpError(res.statusCode ?? 0, body)));
        return;
      }
      backoff = min;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          let ev: { type: string; object: EndpointSlice & { code?: number } };
          try {
            ev = JSON.parse(line) as typeof ev;
          } catch {
            continue;
          }
          const name = ev.object?.metadata?.name ?? '';
          if (ev.object?.metadata?.resourceVersion) resume = ev.object.metadata.resourceVersion;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') slices.set(name, ev.object);
          else if (ev.type === 'DELETED') slices.delete(name);
          else if (ev.type === 'ERROR') {
            // An ERROR event with code 410: the resourceVersion expired mid-watch.
            gone = true;
            r.destroy();
            return list();
          }
          if (ev.type !== 'BOOKMARK') publish();
        }
      });
      res.on('end', () => {
        if (!gone && !stopped) watch(resume);
      });
      res.on('error', () => undefined);
    });
    req = r;
    r.on('error', (e) => {
      if (!gone) fail(e);
    });
  };

  return {
    kind: 'kubernetes',
    start(cb) {
      onChange = cb;
      list();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      req?.destroy();
    },
  };
}
