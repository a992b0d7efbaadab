// Builders for test configs: a valid base that each test changes.
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';

export function baseConfigDoc(): Record<string, unknown> {
  return {
    version: 'v1',
    routing: { auto_model_names: ['auto', 'semroute/auto'], default_decision: 'general' },
    models: [
      { name: 'small', served_name: 'org/small-8b', cluster: 'small', endpoints: ['127.0.0.1:8101'] },
      { name: 'large', served_name: 'org/large-235b', cluster: 'large', endpoints: ['127.0.0.1:8102'] },
    ],
    signals: {
      keyword: [
        { name: 'code', any: ['python', 'function', 'stack trace'] },
        { name: 'urgent', any: ['asap', 'urgent'] },
      ],
    },
    decisions: [
      { name: 'coding', priority: 100, rules: { any: ['code'] }, models: [{ model: 'large' }] },
      { name: 'general', priority: 0, rules: { all: [] }, models: [{ model: 'small' }] },
    ],
  };
}

export function testConfig(change?: (doc: Record<string, unknown>) => void): Config {
  const doc = baseConfigDoc();
  change?.(doc);
  return parseConfig(doc, 'test config');
}
