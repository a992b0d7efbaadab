import { describe, expect, it } from '@jest/globals';
import { identifiersRule } from '../../../../src/state/cache-guard/identifiers.js';
import { ruleCheck } from './check.js';

const check = ruleCheck(identifiersRule);

describe('identifiers rule', () => {
  it.each([
    ['dotted names', 'What does os.path.join do?', 'What does os.path.split do?'],
    ['snake_case', 'Why is max_retries ignored?', 'Why is max_timeout ignored?'],
    ['camelCase against snake_case', 'Explain `getUser` in this code', 'Explain get_user in this code'],
    ['backticked code', 'What does `git rebase -i` do?', 'What does `git rebase` do?'],
    ['a file name', 'Why does index.ts fail to compile?', 'Why does main.ts fail to compile?'],
    ['a flag', 'What does npm install --save-dev do?', 'What does npm install --global do?'],
    ['a path', 'Who owns /etc/passwd?', 'Who owns /etc/shadow?'],
    ['a URL', 'Summarise https://example.com/a', 'Summarise https://example.com/b'],
    ['a call', 'When is componentDidMount() called?', 'When is componentWillUnmount() called?'],
    ['a plain call', 'What does print() return?', 'What does input() return?'],
    ['a longer identifier is another one', 'What does getUser return?', 'What does getUserById return?'],
    ['fenced code', 'Fix this:\n```\nx = 1 +\n```', 'Fix this:\n```\ny = 2 +\n```'],
  ])('rejects %s', (_, a, b) => {
    expect(check(a, b)).toBeDefined();
    expect(check(b, a)).toBeDefined();
  });

  it.each([
    ['backticks or not', 'What does `useEffect` do?', 'what does useEffect do'],
    ['a call written without parentheses', 'What does print() return?', 'what does print return'],
    ['case of an inner-capital name', 'How do I sort an array in JavaScript?', 'how to sort an array in javascript'],
    ['sentence punctuation after a name', 'Why does index.ts fail?', 'index.ts fails. Why?'],
    ['abbreviations are not dotted names', 'Name fruits, e.g. apples', 'Name fruits, for example apples'],
    ['fenced code spacing', 'Fix this:\n```js\nx = 1 +\n```', 'fix:\n```js\nx  =  1 +\n```'],
    ['no code', 'What is a closure?', 'Explain closures'],
  ])('accepts %s', (_, a, b) => {
    expect(check(a, b)).toBeUndefined();
    expect(check(b, a)).toBeUndefined();
  });
});
