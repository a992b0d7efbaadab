import { afterAll, describe, expect, it } from '@jest/globals';
import { startAdminServer, type AdminRoute } from '../../../src/admin/server.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';

// Route-table validation happens before the listener binds, so these never open a socket.
describe('admin route table', () => {
  const metrics = createMetrics({ processMetrics: false });
  afterAll(() => metrics.shutdown());
  const ok = (): Promise<{ status: number; body: string }> => Promise.resolve({ status: 200, body: '' });

  it.each<[string, AdminRoute[], RegExp]>([
    ['a built-in path and method', [{ method: 'GET', path: '/metrics', handle: ok }], /registered twice: GET \/metrics/],
    [
      'the same extra route twice',
      [
        { method: 'POST', path: '/explain', handle: ok },
        { method: 'POST', path: '/explain', handle: ok },
      ],
      /registered twice: POST \/explain/,
    ],
    ['a relative path', [{ method: 'GET', path: 'config', handle: ok }], /must start with "\/"/],
  ])('rejects %s', async (_what, routes, message) => {
    await expect(
      startAdminServer({ host: '127.0.0.1', port: 0, metrics, readiness: [], routes }),
    ).rejects.toThrow(message);
  });
});
