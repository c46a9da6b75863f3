import type { BlockList } from 'node:net';
import { ConfigError } from '../core/errors.js';
import { closeIdentity } from '../policy/identity-phases.js';
import type { PalisadeConfig, RouteConfig } from '../config/schema.js';
import { buildTrustedProxies } from './headers.js';
import type { PhaseEnv, PhaseFactory } from './phase-env.js';
import { buildPipeline, type Pipeline } from './pipeline.js';
import { Router } from './router.js';
import { Upstream } from './upstream.js';

export interface CompiledRoute {
  config: RouteConfig;
  pipeline: Pipeline;
  upstream: Upstream;
  bodyLimit: number;
  responseBodyLimit: number;
}

/** Everything compiled from one config: swapped atomically on reload. */
export interface Runtime {
  config: PalisadeConfig;
  router: Router<CompiledRoute>;
  upstreams: Map<string, Upstream>;
  trustedProxies: BlockList;
  anyTrustedProxy: boolean;
  /** server.requestIdHeader in lower case (node's header objects use lower-case names). */
  requestIdHeader: string;
}

export async function buildRuntime(
  config: PalisadeConfig,
  env: Omit<PhaseEnv, 'config'>,
  factories?: readonly PhaseFactory[],
): Promise<Runtime> {
  let trustedProxies: BlockList;
  try {
    trustedProxies = buildTrustedProxies(config.server.trustedProxies);
  } catch (err) {
    throw new ConfigError([{ path: 'server.trustedProxies', message: (err as Error).message }]);
  }
  const phaseEnv: PhaseEnv = { ...env, config };
  const pipelines = await Promise.all(
    config.routes.map((route, i) => buildPipeline(route, i, phaseEnv, factories)),
  );
  const t = config.server.timeouts;
  const upstreams = new Map(
    Object.entries(config.upstreams).map(([name, u]) => [
      name,
      new Upstream(name, u, {
        connect: t.upstreamConnect,
        response: t.upstreamResponse,
        bodyIdle: t.upstreamBodyIdle,
      }),
    ]),
  );
  const routes: CompiledRoute[] = config.routes.map((route, i) => ({
    config: route,
    pipeline: pipelines[i],
    upstream: upstreams.get(route.upstream)!,
    bodyLimit: route.bodyLimit ?? config.limits.bodyLimit,
    responseBodyLimit: route.responseBodyLimit ?? config.limits.responseBodyLimit,
  }));
  return {
    config,
    router: new Router(routes),
    upstreams,
    trustedProxies,
    anyTrustedProxy: config.server.trustedProxies.length > 0,
    requestIdHeader: config.server.requestIdHeader.toLowerCase(),
  };
}

export async function closeRuntime(rt: Runtime): Promise<void> {
  closeIdentity(rt.config);
  await Promise.all([...rt.upstreams.values()].map((u) => u.close()));
}
