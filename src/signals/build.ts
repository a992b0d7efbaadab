// Builds the signals that some decision reads, from the config and the loaded models. Problems
// (a label the model does not have, ...) are reported with the signal's config path.
import type { ConfigIssue } from '../config/issues.js';
import type { Config } from '../config/schema.js';
import type { SignalKind } from '../config/schema/signals.js';
import type { ClassifierHandle, EmbedderHandle, ModelHandle, TokenClassifierHandle } from '../inference/index.js';
import { domainSignal, jailbreakSignal } from './classifier.js';
import { contextSignal } from './context.js';
import { conversationSignal } from './conversation.js';
import { embeddingSignal } from './embedding.js';
import { headerSignal } from './header.js';
import { KEYWORD_WORD_SET_MIN, keywordSignal } from './keyword.js';
import { languageSignal } from './language.js';
import { piiSignal } from './pii.js';
import { regexSignal } from './regex.js';
import type { Signal } from './types.js';

/** Inference models the given signals need, by name. */
export function modelsForSignals(cfg: Config, used: ReadonlySet<string>): Set<string> {
  const names = new Set<string>();
  for (const kind of ['domain', 'jailbreak', 'embedding', 'pii'] as const) {
    for (const s of cfg.signals[kind]) if (used.has(s.name) && s.model !== undefined) names.add(s.model);
  }
  return names;
}

export async function buildSignals(
  cfg: Config,
  used: ReadonlySet<string>,
  models: ReadonlyMap<string, ModelHandle>,
  issues: ConfigIssue[],
): Promise<Signal[]> {
  const out: Signal[] = [];
  const budget = (ms: number | undefined) => ms ?? cfg.inference.timeout_ms;
  const model = <T extends ModelHandle>(name: string) => models.get(name) as T;
  const attempt = async (path: string, make: () => Signal | Promise<Signal>) => {
    try {
      out.push(await make());
    } catch (e) {
      issues.push({ path, message: (e as Error).message });
    }
  };
  const each = async <T extends { name: string }>(kind: SignalKind, list: T[], make: (s: T) => Signal | Promise<Signal>) => {
    const work: Array<Promise<void>> = [];
    list.forEach((s, i) => {
      if (used.has(s.name)) work.push(attempt(`signals.${kind}[${i}]`, () => make(s)));
    });
    await Promise.all(work);
  };

  const keywordCount = cfg.signals.keyword.filter((s) => used.has(s.name)).length;
  await each('keyword', cfg.signals.keyword, (s) => keywordSignal(s, keywordCount >= KEYWORD_WORD_SET_MIN));
  await each('regex', cfg.signals.regex, regexSignal);
  await each('context', cfg.signals.context, contextSignal);
  await each('conversation', cfg.signals.conversation, conversationSignal);
  await each('header', cfg.signals.header, headerSignal);
  await each('language', cfg.signals.language, languageSignal);
  await each('domain', cfg.signals.domain, (s) => ({ ...domainSignal(s, model<ClassifierHandle>(s.model)), budgetMs: budget(s.timeout_ms) }));
  await each('jailbreak', cfg.signals.jailbreak, (s) => ({ ...jailbreakSignal(s, model<ClassifierHandle>(s.model)), budgetMs: budget(s.timeout_ms) }));
  await each('embedding', cfg.signals.embedding, async (s) => ({ ...(await embeddingSignal(s, model<EmbedderHandle>(s.model))), budgetMs: budget(s.timeout_ms) }));
  await each('pii', cfg.signals.pii, (s) => ({
    ...piiSignal(s, s.model !== undefined ? model<TokenClassifierHandle>(s.model) : undefined),
    budgetMs: budget(s.timeout_ms),
  }));
  return out;
}
