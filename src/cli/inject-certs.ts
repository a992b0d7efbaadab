// `semroute inject certs`: a self-signed CA and the injector's serving certificate, written to
// --out-dir, and the caBundle to put in the MutatingWebhookConfiguration (printed with the two
// kubectl commands that install them).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateCerts, serviceDnsNames } from '../inject/certs.js';
import { UsageError } from './usage.js';

export function runInjectCerts(args: string[], io: { stdout(s: string): void; stderr(s: string): void }): number {
  const { values } = parseArgs({
    args,
    options: {
      service: { type: 'string', default: 'semroute-inject' },
      namespace: { type: 'string', default: 'semroute-system' },
      'out-dir': { type: 'string', default: '.' },
      days: { type: 'string', default: '365' },
      'ca-bundle-only': { type: 'boolean', default: false },
    },
  });
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError('--days needs a whole number from 1 to 3650');
  const g = generateCerts({ dnsNames: serviceDnsNames(values.service, values.namespace), days });
  const dir = values['out-dir'];
  mkdirSync(dir, { recursive: true });
  // Keys readable by the owner only.
  writeFileSync(path.join(dir, 'ca.crt'), g.caCert);
  writeFileSync(path.join(dir, 'ca.key'), g.caKey, { mode: 0o600 });
  writeFileSync(path.join(dir, 'tls.crt'), g.cert);
  writeFileSync(path.join(dir, 'tls.key'), g.key, { mode: 0o600 });
  if (values['ca-bundle-only']) {
    io.stdout(`${g.caBundle}\n`);
    return 0;
  }
  const ns = values.namespace;
  io.stdout(
    [
      `# Wrote ${dir}/{ca.crt,ca.key,tls.crt,tls.key} for ${values.service}.${ns}.svc (valid ${days} days; keep ca.key safe or delete it).`,
      `kubectl -n ${ns} create secret tls semroute-inject-tls --cert=${path.join(dir, 'tls.crt')} --key=${path.join(dir, 'tls.key')}`,
      `kubectl patch mutatingwebhookconfiguration semroute-inject --type=json -p '[` +
        `{"op":"add","path":"/webhooks/0/clientConfig/caBundle","value":"${g.caBundle}"},` +
        `{"op":"add","path":"/webhooks/1/clientConfig/caBundle","value":"${g.caBundle}"}]'`,
      `# caBundle:`,
      g.caBundle,
      '',
    ].join('\n'),
  );
  return 0;
}
