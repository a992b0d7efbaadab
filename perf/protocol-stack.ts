// The HTTP side of the protocol benchmark, in its own process so the load generator and the router
// each keep theirs: one fake vLLM upstream per configured endpoint (serving the APIs its model
// lists in models[].api, as `semroute dev --fake-upstreams` does) and two local gateways (Envoy
// stand-ins, bodies BUFFERED with mode override, as envoy/envoy.yaml): one in front of semroute
// (routes on x-semroute-model, as devRoutes builds them), one in front of the no-op ext_proc floor
// (every request to the default upstream, which must serve every API natively).
//   node dist/perf/protocol-stack.js --config FILE --router ADDR --floor ADDR --floor-upstream MODEL
// Prints `protocol-stack-ready {"semroute":URL,"floor":URL}`; stops when its parent goes away.
import { parseArgs } from 'node:util';
import { devRoutes } from '../src/cli/dev.js';
import { loadConfigFile } from '../src/config/load.js';
import { startFakeUpstream, type FakeUpstream } from '../src/dev/fake-upstream.js';
import { startGateway } from '../src/dev/gateway.js';
import { exitWithParent } from './child-stats.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, router: { type: 'string' }, floor: { type: 'string' }, 'floor-upstream': { type: 'string' } },
  });
  if (!values.config || !values.router || !values.floor || !values['floor-upstream']) throw new Error('--config, --router, --floor and --floor-upstream are required');
  const config = loadConfigFile(values.config);
  const upstreams: FakeUpstream[] = [];
  let floorUpstream: string | undefined;
  for (const m of config.models) {
    const ep = m.endpoints[0];
    if (!ep) continue;
    const port = Number(ep.slice(ep.lastIndexOf(':') + 1));
    const u = await startFakeUpstream({ name: m.name, host: ep.slice(0, ep.lastIndexOf(':')), port, models: [m.served_name ?? m.name], apis: m.api });
    upstreams.push(u);
    if (m.name === values['floor-upstream']) floorUpstream = u.url;
  }
  if (!floorUpstream) throw new Error(`no model "${values['floor-upstream']}" with an endpoint`);
  // The fakes record every request for tests; a benchmark would grow that list without bound.
  setInterval(() => {
    for (const u of upstreams) u.requests.length = 0;
  }, 1000).unref();
  const { routes, defaultUpstream } = devRoutes(config);
  // Failed requests' access-log lines go to stderr (the bench prints them): "method path status upstream ms details".
  const log = (line: string) => {
    if (!/ 200 /.test(line)) process.stderr.write(`${line}\n`);
  };
  // The message timeout `semroute dev` uses (Envoy's default is 200 ms): two cores shared by
  // three processes must not turn a scheduling pause into a failed request.
  const semroute = await startGateway({ listen: { host: '127.0.0.1', port: 0 }, extProcTarget: values.router, routes, ...(defaultUpstream ? { defaultUpstream } : {}), messageTimeoutMs: 1000, log });
  const floor = await startGateway({ listen: { host: '127.0.0.1', port: 0 }, extProcTarget: values.floor, routes: [], defaultUpstream: floorUpstream, messageTimeoutMs: 1000, log });
  exitWithParent();
  process.on('SIGTERM', () => {
    void Promise.all([semroute.close(), floor.close(), ...upstreams.map((u) => u.close())]).finally(() => process.exit(0));
  });
  process.stdout.write(`protocol-stack-ready ${JSON.stringify({ semroute: semroute.url, floor: floor.url })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`protocol-stack: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
