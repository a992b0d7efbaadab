import { describe, expect, it } from '@jest/globals';
import { readText } from '../../../../src/state/cache-guard/text.js';

const brief = (s: string) => readText(s).tokens.map((t) => `${t.sentenceStart ? '^' : ''}${t.glued ? '+' : ''}${t.text}`);

describe('guard text reading', () => {
  it('splits words, numbers and symbols, and marks glued tokens', () => {
    expect(brief('Convert 10km, $5 and 1,000.5!')).toEqual(['^Convert', '10', '+km', '+,', '$', '+5', 'and', '1,000.5', '+!']);
  });

  it('marks sentence starts after . ! ? : ; and line breaks, past bullets', () => {
    expect(brief('Hi. Is it? - Yes\nNo')).toEqual(['^Hi', '+.', '^Is', 'it', '+?', '-', '^Yes', '^No']);
  });

  it('keeps apostrophes inside words, typographic ones too', () => {
    expect(brief('don’t Paris\'s')).toEqual(["^don't", "Paris's"]);
    expect(readText("Paris's").words).toEqual(new Set(['paris']));
  });

  it('reads unspaced scripts a character at a time', () => {
    expect(brief('北京大')).toEqual(['^北', '+京', '+大']);
  });
});
