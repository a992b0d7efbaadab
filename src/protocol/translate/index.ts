// The translator of each client protocol that can be translated to chat completions. Chat needs
// none; text completions cannot be (a prompt has no roles), so a model without completions refuses them.
import type { Protocol } from '../ir.js';
import { anthropicTranslator } from './anthropic.js';
import { responsesTranslator } from './responses.js';
import type { ProtocolTranslator } from './types.js';

const TRANSLATORS: Partial<Record<Protocol, ProtocolTranslator>> = {
  'anthropic.messages': anthropicTranslator,
  'openai.responses': responsesTranslator,
};

export function translatorFor(protocol: Protocol): ProtocolTranslator | undefined {
  return TRANSLATORS[protocol];
}

export type { ProtocolTranslator, StreamTranslator, TranslationContext, ChatCompletion, ChatUsage } from './types.js';
