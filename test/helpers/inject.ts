// The injector under test: certificates from `semroute inject certs`' own generator in a temp dir,
// AdmissionReviews shaped as the API server sends them, and an HTTPS client that trusts the CA.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Agent } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { generateCerts, type GeneratedCerts } from '../../src/inject/certs.js';

export interface CertDir {
  dir: string;
  certFile: string;
  keyFile: string;
  certs: GeneratedCerts;
  cleanup(): void;
}

export function certDir(): CertDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'semroute-inject-'));
  const certs = generateCerts({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 1 });
  const certFile = path.join(dir, 'tls.crt');
  const keyFile = path.join(dir, 'tls.key');
  writeFileSync(certFile, certs.cert);
  writeFileSync(keyFile, certs.key);
  return { dir, certFile, keyFile, certs, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface HttpsAnswer {
  status: number;
  body: string;
  json(): any;
  peer: PeerCertificate;
}

export function httpsCall(url: string, ca: string, method: string, pathname: string, body?: unknown, opts: { agent?: Agent; contentType?: string } = {}): Promise<HttpsAnswer> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${pathname}`,
      {
        method,
        ca,
        ...(opts.agent ? { agent: opts.agent } : { agent: false }),
        headers: payload === undefined ? {} : { 'content-type': opts.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text), peer }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

let uid = 0;

/** An AdmissionReview for a pod CREATE, as the API server sends it (object = the pod as submitted). */
export function podReview(pod: any, namespace = 'llm-gateway', operation = 'CREATE'): any {
  uid++;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `00000000-0000-4000-8000-${String(uid).padStart(12, '0')}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      name: pod.metadata?.name ?? '',
      namespace,
      operation,
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', uid: 'x', groups: ['system:serviceaccounts', 'system:authenticated'] },
      object: pod,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  };
}

/**
 * The pod the ReplicaSet controller creates from a Deployment's template (what the webhook sees:
 * generateName, no name, owner reference, the template's labels and annotations, defaults not yet
 * all applied).
 */
export function gatewayPod(extra: { annotations?: Record<string, string>; labels?: Record<string, string>; spec?: Record<string, unknown> } = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'gateway-7d9f8b6c5d-',
      namespace: 'llm-gateway',
      labels: { app: 'gateway', 'pod-template-hash': '7d9f8b6c5d', 'semroute.io/inject': 'enabled', ...(extra.labels ?? {}) },
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gateway-7d9f8b6c5d', uid: '6d0e2c4a-1111-4222-8333-444455556666', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [
        {
          name: 'envoy',
          image: 'envoyproxy/envoy:v1.33.2',
          args: ['-c', '/etc/envoy/envoy.yaml'],
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          volumeMounts: [{ name: 'envoy-config', mountPath: '/etc/envoy', readOnly: true }],
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      volumes: [{ name: 'envoy-config', configMap: { name: 'envoy-config', defaultMode: 420 } }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 330,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      securityContext: {},
      schedulerName: 'default-scheduler',
      ...(extra.spec ?? {}),
    },
  };
}
