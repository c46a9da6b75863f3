import type { RouteConfig } from '../config/schema.js';
import type { PhaseEnv, PhaseFactory } from './phase-env.js';
import { PHASE_ORDER, type RequestPhase, type ResponsePhase } from './phase.js';
import { detectPhaseFactory } from '../detect/phase.js';
import { createLlmPhases } from '../llm/phases.js';
import { createIdentityPhases } from '../policy/identity-phases.js';
import { openApiSchemaProfiles } from '../policy/openapi/detect-profiles.js';
import { createOpenApiPhases } from '../policy/openapi-phases.js';
import { createProtocolPhases } from './protocol-phase.js';

/** Every subsystem's phase factory, in registration order; the phase name decides run order. */
const FACTORIES: readonly PhaseFactory[] = [
  createProtocolPhases,
  createOpenApiPhases,
  createIdentityPhases,
  detectPhaseFactory({ schemaProfiles: openApiSchemaProfiles }),
  createLlmPhases,
];

export interface Pipeline {
  request: RequestPhase[];
  response: ResponsePhase[];
  /** Some request phase reads the body: buffer it (up to the route limit). */
  needsBody: boolean;
  /** Some response phase reads the body: ask the upstream for an unencoded one. */
  readsResponseBody: boolean;
}

const rank = (name: string) => PHASE_ORDER.indexOf(name as (typeof PHASE_ORDER)[number]);

export async function buildPipeline(
  route: RouteConfig,
  index: number,
  env: PhaseEnv,
  factories: readonly PhaseFactory[] = FACTORIES,
): Promise<Pipeline> {
  const request: RequestPhase[] = [];
  const response: ResponsePhase[] = [];
  for (const factory of factories) {
    const set = await factory(route, index, env);
    if (set.request) request.push(...set.request);
    if (set.response) response.push(...set.response);
  }
  // Stable sort: phases of one name keep their registration order.
  request.sort((a, b) => rank(a.name) - rank(b.name));
  return {
    request,
    response,
    needsBody: request.some((p) => p.needsBody),
    readsResponseBody: response.some((p) => p.body !== 'none'),
  };
}
