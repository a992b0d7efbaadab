// Hot reload: the config file is watched (and SIGHUP or the admin API can ask), a new config is
// validated and built completely, and only then swapped in by the caller's `apply`. A rejected
// config leaves the running one in place; the rejection is logged, counted and kept for /readyz.
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { ConfigError, formatIssue, type ConfigIssue } from './issues.js';
import { loadConfigFile } from './load.js';
import type { Config } from './schema.js';

export type ReloadTrigger = 'file' | 'signal' | 'admin';

export interface ReloadAttempt {
  at: string;
  trigger: ReloadTrigger;
  ok: boolean;
  /** Why it was rejected (empty when applied). */
  issues: ConfigIssue[];
}

export interface ReloadStatus {
  file: string;
  /** 1 for the config loaded at start, +1 per applied reload. */
  generation: number;
  /** sha256 of the file content in use. */
  hash: string;
  lastAttempt: ReloadAttempt | undefined;
}

export interface ReloaderOptions<T> {
  file: string;
  /** The config in use and the file content it came from. */
  initial: { config: Config; hash: string };
  /** Builds everything a config needs (signals, models). Throws ConfigError or any error to reject. */
  build(config: Config): Promise<T>;
  /** Swaps the built result in. Called only after build succeeded. */
  apply(built: T, config: Config, previous: Config): void;
  logger: {
    debug(msg: string, f?: Record<string, unknown>): void;
    info(msg: string, f?: Record<string, unknown>): void;
    warn(msg: string, f?: Record<string, unknown>): void;
    error(msg: string, f?: Record<string, unknown>): void;
  };
  metrics: { recordReload(result: 'success' | 'rejected'): void };
  /** Quiet time after the last file event before reloading (editors write in several steps). */
  debounceMs?: number;
  env?: Record<string, string | undefined>;
}

export function contentHash(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export class ConfigReloader<T> {
  private config: Config;
  private hash: string;
  private generation = 1;
  private lastAttempt: ReloadAttempt | undefined;
  /** Content that was rejected: file events with the same content do not retry it. */
  private rejectedHash: string | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;
  private again: ReloadTrigger | undefined;

  constructor(private readonly opts: ReloaderOptions<T>) {
    this.config = opts.initial.config;
    this.hash = opts.initial.hash;
  }

  /**
   * Watches the file's folder, not the file: editors and Kubernetes ConfigMap updates replace
   * the file (rename / ..data symlink swap), which a watch on the old inode would miss.
   */
  watch(): void {
    if (this.watcher) return;
    const dir = path.dirname(path.resolve(this.opts.file));
    this.watcher = watch(dir, { persistent: false }, () => this.schedule());
    this.watcher.on('error', (e) => this.opts.logger.warn('config watch failed; reload with SIGHUP', { error: e.message }));
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reloadIfChanged(), this.opts.debounceMs ?? 250);
    this.timer.unref();
  }

  private async reloadIfChanged(): Promise<void> {
    let hash: string;
    try {
      hash = contentHash(this.opts.file);
    } catch {
      return; // mid-replace, or removed: the next event (or SIGHUP) will tell
    }
    if (hash === this.hash || hash === this.rejectedHash) {
      // Why an edit did not apply: the folder changed, the config content did not (or it is the
      // content already rejected; fix it, or SIGHUP to retry).
      this.opts.logger.debug('config folder changed; content unchanged, not reloading', {
        file: this.opts.file,
        content: hash === this.hash ? 'in use' : 'rejected',
      });
      return;
    }
    await this.reload('file');
  }

  /** Loads, validates, builds and applies the file. Resolves true when applied. Never rejects. */
  reload(trigger: ReloadTrigger): Promise<boolean> {
    if (this.running) {
      this.again = trigger;
      return this.running;
    }
    this.running = this.attempt(trigger).finally(() => {
      this.running = undefined;
      const next = this.again;
      this.again = undefined;
      if (next) void this.reload(next);
    });
    return this.running;
  }

  private async attempt(trigger: ReloadTrigger): Promise<boolean> {
    const { file, logger, metrics } = this.opts;
    const at = new Date().toISOString();
    let hash: string | undefined;
    try {
      hash = contentHash(file);
      const config = loadConfigFile(file, this.opts.env);
      const built = await this.opts.build(config);
      const previous = this.config;
      this.opts.apply(built, config, previous);
      this.config = config;
      this.hash = hash;
      this.rejectedHash = undefined;
      this.generation++;
      this.lastAttempt = { at, trigger, ok: true, issues: [] };
      metrics.recordReload('success');
      logger.info('config reloaded', { file, trigger, generation: this.generation, sha256: hash.slice(0, 12) });
      if (JSON.stringify(config.listeners) !== JSON.stringify(previous.listeners)) {
        logger.warn('listeners changed in the config; they apply at the next restart', { file });
      }
      return true;
    } catch (e) {
      const issues = e instanceof ConfigError ? e.issues : [{ path: file, message: (e as Error).message }];
      this.rejectedHash = hash;
      this.lastAttempt = { at, trigger, ok: false, issues };
      metrics.recordReload('rejected');
      logger.error('config reload rejected; the previous config stays in use', {
        file,
        trigger,
        generation: this.generation,
        issues: issues.map(formatIssue),
      });
      return false;
    }
  }

  status(): ReloadStatus {
    return { file: this.opts.file, generation: this.generation, hash: this.hash, lastAttempt: this.lastAttempt };
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }
}
