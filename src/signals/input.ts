// Which text of a request a signal reads (the `input` field of text signals).
import { lastUserText, type RoutingRequest } from '../protocol/ir.js';

export type SignalInput = 'last_user' | 'conversation' | 'system';

export function signalText(ir: RoutingRequest, input: SignalInput): string {
  switch (input) {
    case 'last_user':
      return lastUserText(ir);
    case 'conversation':
      return ir.messages.map((m) => m.text).join('\n');
    case 'system':
      return ir.messages
        .filter((m) => m.role === 'system' || m.role === 'developer')
        .map((m) => m.text)
        .join('\n');
  }
}
