// Keeps one listener's certificate set current: read (and checked) at start, so a bad file fails
// the start; then re-read every interval, and a changed set that checks out is handed to the
// listeners (new connections use it, open ones keep theirs). Polling rather than fs.watch: a
// Kubernetes Secret volume rotates by swapping a symlinked folder, which file watches miss.
import type { Logger } from '../telemetry/logger.js';
import { checkCertSet, digestOf, readCertFiles, readCertFilesSync, type CertPaths, type CertSet } from './cert-files.js';

export type CheckResult = 'unchanged' | 'rotated' | 'rejected';

export interface CertStatus {
  subject: string;
  not_after: string;
  fingerprint256: string;
  /** Why the newest files on disk are not in use, when they are not. */
  rejected?: string;
}

export class CertWatcher {
  private set: CertSet;
  private readonly listeners = new Set<(set: CertSet) => void>();
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<CheckResult> | undefined;
  /** The digest of files last refused, so that one bad rotation is logged once, not every interval. */
  private rejectedDigest: string | undefined;
  private rejectedReason: string | undefined;

  /** Throws CertFilesError when the files are missing or do not form a valid set. */
  constructor(
    readonly listener: string,
    private readonly paths: CertPaths,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {
    this.set = checkCertSet(readCertFilesSync(paths), paths);
    if (this.set.notAfter.getTime() < Date.now()) {
      logger.warn('TLS certificate has expired: clients will refuse it', { listener, subject: this.set.subject, not_after: this.set.notAfter.toISOString() });
    }
  }

  get current(): CertSet {
    return this.set;
  }

  /** Called with every new set in use; returns the unsubscribe function. */
  onChange(fn: (set: CertSet) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  status(): CertStatus {
    return {
      subject: this.set.subject,
      not_after: this.set.notAfter.toISOString(),
      fingerprint256: this.set.fingerprint256,
      ...(this.rejectedReason !== undefined ? { rejected: this.rejectedReason } : {}),
    };
  }

  /** Reads the files now; one read at a time. */
  check(): Promise<CheckResult> {
    this.checking ??= this.read().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async read(): Promise<CheckResult> {
    let next: CertSet;
    try {
      const files = await readCertFiles(this.paths);
      const digest = digestOf(files);
      if (digest === this.set.digest) {
        this.rejectedDigest = this.rejectedReason = undefined;
        return 'unchanged';
      }
      if (digest === this.rejectedDigest) return 'rejected';
      this.rejectedDigest = digest;
      next = checkCertSet(files, this.paths);
    } catch (e) {
      const reason = (e as Error).message;
      if (reason !== this.rejectedReason) {
        this.logger.warn('TLS files refused; the certificate in use stays', { listener: this.listener, reason, subject: this.set.subject });
      }
      this.rejectedReason = reason;
      return 'rejected';
    }
    this.set = next;
    this.rejectedDigest = this.rejectedReason = undefined;
    this.logger.info('TLS certificate reloaded', { listener: this.listener, subject: next.subject, not_after: next.notAfter.toISOString(), fingerprint256: next.fingerprint256 });
    for (const fn of this.listeners) fn(next);
    return 'rotated';
  }
}
