// Conversation signal: number of user turns, tools offered, an agent's tool-call loop in progress.
import type { z } from 'zod';
import type { conversationSignalSchema } from '../config/schema/signals.js';
import { inToolLoop } from '../protocol/ir.js';
import type { Signal } from './types.js';

export type ConversationSignalConfig = z.infer<typeof conversationSignalSchema>;

export function conversationSignal(cfg: ConversationSignalConfig): Signal {
  return {
    kind: 'conversation',
    name: cfg.name,
    extract(ir) {
      const turns = ir.messages.filter((m) => m.role === 'user').length;
      const toolLoop = inToolLoop(ir);
      const checks = [
        cfg.min_turns === undefined || turns >= cfg.min_turns,
        cfg.max_turns === undefined || turns <= cfg.max_turns,
        cfg.tools_present === undefined || cfg.tools_present === ir.hasTools,
        cfg.tool_loop === undefined || cfg.tool_loop === toolLoop,
      ];
      const matched = checks.every(Boolean);
      return Promise.resolve({ matched, confidence: matched ? 1 : 0, detail: `${turns} turns, tools ${ir.hasTools}, tool loop ${toolLoop}` });
    },
  };
}
