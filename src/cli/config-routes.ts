// Admin routes for the config: GET /v1/config (viewer) shows what is in use and the last reload;
// POST /v1/config/reload (admin) reloads the file now, as SIGHUP does, and says what happened.
import { JSON_TYPE as JSON_CONTENT_TYPE, type AdminRoute } from '../admin/server.js';
import type { ConfigReloader } from '../config/reload.js';

const JSON_TYPE = { 'content-type': JSON_CONTENT_TYPE };

export function configRoutes(reloader: () => ConfigReloader<unknown> | undefined): AdminRoute[] {
  const notFollowing = { status: 409, headers: JSON_TYPE, body: JSON.stringify({ error: { message: 'this instance was started without a config file to follow', type: 'invalid_request_error', param: null, code: 'no_config_file' } }) };
  return [
    {
      method: 'GET',
      path: '/v1/config',
      handle: () => {
        const r = reloader();
        return Promise.resolve(r ? { status: 200, headers: JSON_TYPE, body: JSON.stringify(r.status()) } : notFollowing);
      },
    },
    {
      method: 'POST',
      path: '/v1/config/reload',
      handle: async () => {
        const r = reloader();
        if (!r) return notFollowing;
        const applied = await r.reload('admin');
        // 422: the file was read but refused; the running config stays.
        return { status: applied ? 200 : 422, headers: JSON_TYPE, body: JSON.stringify({ applied, ...r.status() }) };
      },
    },
  ];
}
