// Secrets: vendor prefixes, JWTs, PEM blocks and key=value assignments. Fake tokens are built at
// run time so that no secret-looking literal sits in the repository.
import { describe, expect, test } from '@jest/globals';
import { secretRecognizer } from '../../../src/pii/rules/secrets.js';

const found = (input: string): string[] => secretRecognizer.find(input).map((s) => s.text);
const alnum = (n: number): string => 'aB3dE5gH7jK9mN1pQ2sT4vW6yZ8'.repeat(Math.ceil(n / 26)).slice(0, n);

const OPENAI = 'sk-' + alnum(48);
const OPENAI_PROJECT = 'sk-proj-' + alnum(40) + '_' + alnum(20);
const AWS = 'AKIA' + 'IOSFODNN7EXAMPLE';
const GITHUB = 'ghp' + '_' + alnum(36);
const GITHUB_PAT = 'github' + '_pat_' + alnum(22) + '_' + alnum(59);
const SLACK = 'xox' + 'b-123456789012-1234567890123-' + alnum(24);
const GOOGLE = 'AI' + 'za' + alnum(35);
const STRIPE = 'sk' + '_live_' + alnum(24);
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.' + alnum(43);
const PEM = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEA' + alnum(48), alnum(64) + '==', '-----END RSA PRIVATE KEY-----'].join('\n');

describe('secrets', () => {
  test.each([
    ['openai', `key ${OPENAI} here`, [OPENAI]],
    ['openai project', `"${OPENAI_PROJECT}"`, [OPENAI_PROJECT]],
    ['aws', `aws ${AWS}.`, [AWS]],
    ['github', `token ${GITHUB}`, [GITHUB]],
    ['github fine-grained', GITHUB_PAT, [GITHUB_PAT]],
    ['slack', SLACK, [SLACK]],
    ['google', `key=${GOOGLE}`, [GOOGLE]],
    ['stripe', STRIPE, [STRIPE]],
    ['jwt', `Authorization: Bearer ${JWT}`, [JWT]],
    ['pem block', `here:\n${PEM}\nthanks`, [PEM]],
  ])('finds %s', (_name, input, expected) => expect(found(input)).toEqual(expected));

  test('an unterminated PEM block is reported up to its last base64 line', () => {
    const cut = PEM.split('\n').slice(0, 3).join('\n');
    expect(found(`key:\n${cut}\n\nWhat is wrong with it?`)).toEqual([cut]);
  });

  test.each([
    ['password=hunter22', ['hunter22']],
    ['db_password: "s3cr3t-value"', ['s3cr3t-value']],
    ['{"api_key": "abcd1234efgh"}', ['abcd1234efgh']],
    ['export CLIENT_SECRET=xyz987654', ['xyz987654']],
    ['access_token = tok_live_1234', ['tok_live_1234']],
  ])('reports the value of the assignment %j', (input, expected) => expect(found(input)).toEqual(expected));

  test.each([
    ['prose mention', 'what is a password manager?'],
    ['placeholder', 'password=********'],
    ['template', 'api_key: ${API_KEY}'],
    ['angle placeholder', 'password: <your password>'],
    ['too short', 'pwd=abc'],
    ['a word, not a value', 'my password: forgotten again'],
    ['sk- too short', 'sk-1234'],
    ['task- word', 'risk-assessment-document-for-the-quarter'],
    ['AKIA too short', 'AKIA1234'],
    ['not a jwt', 'eyJhbGciOi.notjwt'],
  ])('ignores %s', (_name, input) => expect(found(input)).toEqual([]));
});
