// Transport security of semroute's own listeners: TLS / mutual TLS from PEM files re-read on
// change, and the permissions of the ext_proc Unix socket.
import { z } from 'zod';

export const MIN_TLS_RELOAD_INTERVAL_MS = 100;

export const listenerTlsSchema = z.strictObject({
  cert_file: z.string().min(1).describe('PEM certificate chain this listener presents, leaf first (e.g. a mounted cert-manager Secret\'s tls.crt).'),
  key_file: z.string().min(1).describe('PEM private key of cert_file (tls.key).'),
  client_ca_file: z
    .string()
    .min(1)
    .optional()
    .describe(
      'PEM CA bundle that client certificates must chain to (ca.crt). Set: mutual TLS, a client without a certificate or with one from another CA is refused in the handshake, before any request. Absent: TLS without client certificates.',
    ),
  reload_interval_ms: z
    .number()
    .int()
    .min(MIN_TLS_RELOAD_INTERVAL_MS)
    .max(3_600_000)
    .default(10_000)
    .describe(
      'How often the three files are re-read. A changed set that is valid (PEM parses, the key matches the certificate, the CA parses) is used for every new connection; open connections and their streams keep the one they started with. An invalid set is refused (logged, last good set kept) and retried at the next interval, so a half-written rotation is picked up once complete.',
    ),
  min_version: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2').describe('Oldest TLS version accepted.'),
});

export type ListenerTlsConfig = z.infer<typeof listenerTlsSchema>;

export const unixSocketSchema = z
  .strictObject({
    mode: z
      .string()
      .regex(/^0?[0-7]{3}$/, 'an octal file mode such as 0660')
      .default('0660')
      .describe(
        'File mode of the socket once bound (octal). Connecting needs write permission, so 0660 lets the owner and the group connect and nobody else; 0600 the owner only.',
      ),
    group: z
      .union([z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/), z.number().int().min(0)])
      .optional()
      .describe(
        'Group of the socket (a name from /etc/group or a numeric gid), e.g. the group Envoy runs with; semroute must be a member (or root) to set it. Absent: the group semroute creates files with (in Kubernetes the pod\'s fsGroup on an emptyDir).',
      ),
  })
  .prefault({})
  .describe('File permissions of a unix: ext_proc listener (ignored for TCP).');

export type UnixSocketConfig = z.infer<typeof unixSocketSchema>;
