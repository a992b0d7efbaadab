import { describe, expect, test } from '@jest/globals';
import { alignTokens, foldText, surface } from '../../../src/inference/offsets.js';
import type { TokenStyle } from '../../../src/inference/text-tokenizer.js';

const wordpiece: TokenStyle = { continuationPrefix: '##', byteLevel: false, metaspace: undefined };
const bytelevel: TokenStyle = { continuationPrefix: undefined, byteLevel: true, metaspace: undefined };
const metaspace: TokenStyle = { continuationPrefix: undefined, byteLevel: false, metaspace: '▁' };

function spans(text: string, tokens: string[], style: TokenStyle) {
  const special = tokens.map((t) => /^\[(CLS|SEP)\]$|^<\/?s>$/.test(t));
  return alignTokens(text, tokens, special, style).map((o) => (o.start < 0 ? null : text.slice(o.start, o.end) + (o.continuation ? '+' : '')));
}

describe('foldText', () => {
  test('maps folded characters back to the original, accents and case folded', () => {
    const f = foldText('Ça Écrit');
    expect(f.text).toBe('ca ecrit');
    expect(f.from).toHaveLength(f.text.length);
    expect(f.from[3]).toBe(3);
  });

  test('characters that fold to two units map both back to the one original', () => {
    const f = foldText('İx');
    expect(f.text).toBe('ix');
    expect(foldText('ﬁx').text).toBe('ﬁx');
  });
});

describe('alignTokens', () => {
  test('WordPiece: uncased, accent-stripped tokens find the original spans; ## pieces continue', () => {
    expect(spans('Héllo  WORLD, Jöhnathan!', ['[CLS]', 'hello', 'world', ',', 'john', '##athan', '!', '[SEP]'], wordpiece)).toEqual([
      null, 'Héllo', 'WORLD', ',', 'Jöhn', 'athan+', '!', null,
    ]);
  });

  test('[UNK] takes the gap between its neighbours', () => {
    expect(spans('I like 🍕 a lot', ['[CLS]', 'i', 'like', '[UNK]', 'a', 'lot', '[SEP]'], wordpiece)).toEqual([null, 'I', 'like', '🍕', 'a', 'lot', null]);
  });

  test('byte-level BPE: Ġ is a space; multibyte characters decode', () => {
    // "café au" → c a f é(2 bytes: Ã©) Ġau
    expect(spans('café au', ['<s>', 'caf', 'Ã©', 'Ġau', '</s>'], bytelevel)).toEqual([null, 'caf', 'é+', 'au', null]);
  });

  test('SentencePiece metaspace: ▁ starts a word', () => {
    expect(spans('Hello world', ['<s>', '▁Hel', 'lo', '▁world', '</s>'], metaspace)).toEqual([null, 'Hel', 'lo+', 'world', null]);
  });

  test('surface of a bare prefix token is not a continuation', () => {
    expect(surface('##', wordpiece, false)).toEqual({ text: '##', continuation: false });
  });
});
