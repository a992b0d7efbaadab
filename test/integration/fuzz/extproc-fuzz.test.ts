// The short run of the ext_proc fuzz harness (`make fuzz` runs 100,000 sequences): seeded valid and
// broken Envoy flows, hostile bodies and headers, every way a stream ends. Oracle in
// test/fuzz/driver.ts; here: no wrong answer, no hang, no leaked stream, no crash. It runs the
// built harness (`make test` builds first) in a process of its own: grpc-js's client keeps a
// connection open for the calls it cancels before their stream starts, and that must not keep
// jest's process alive.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, ensureBuilt } from '../../helpers/cli.js';

describe('ext_proc fuzz (short run)', () => {
  it('answers 2,000 seeded sequences correctly and releases every stream', async () => {
    ensureBuilt();
    const harness = path.join(ROOT, 'dist', 'test', 'fuzz', 'main.js');
    const args = [harness, '--sequences', '2000', '--seed', '7', '--concurrency', '16', '--answer-timeout-ms', '10000'];
    const { stdout } = await promisify(execFile)('node', args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }).catch((e: { stdout: string }) => e);
    const report = JSON.parse(stdout.split('\n').find((l) => l.startsWith('{')) ?? '{}');
    expect({ report, firstViolations: stdout.split('\n').filter((l) => l.startsWith('sequence ')).slice(0, 5) }).toMatchObject({
      report: { sequences: 2000, violations: {}, leaked_streams: 0, crashed: false },
      firstViolations: [],
    });
  }, 240_000);
});
