import { isAbsolute, resolve } from 'node:path';
import type { DetectPhaseDeps, SchemaProfiles } from '../../detect/phase.js';
import { profilesFromOperation } from '../../detect/profiles.js';
import type { SpecOperation } from './types.js';
import { loadSpec } from './load.js';

/** Reshapes an operation for profilesFromOperation (which reads the raw OpenAPI layout). */
function operationLike(op: SpecOperation) {
  return {
    parameters: op.parameters.map((p) => ({
      name: p.name,
      in: p.in,
      schema: p.schema as Record<string, unknown>,
    })),
    requestBody: op.body
      ? {
          content: Object.fromEntries(
            op.body.content.map((m) => [m.mediaType, { schema: m.schema as Record<string, unknown> }]),
          ),
        }
      : undefined,
  };
}

/**
 * Content profiles from the route's OpenAPI document, so the detectors judge each value in its
 * declared context (a `format: uri` field is a URL, an integer id an identifier, a field marked
 * `x-palisade-content: markup` carries HTML). Keys match `ctx.operation` (`GET /users/{id}`).
 */
export const openApiSchemaProfiles: NonNullable<DetectPhaseDeps['schemaProfiles']> = async (
  route,
  _index,
  env,
) => {
  const spec = (route.policy as { openapi?: { spec?: string } }).openapi?.spec;
  if (!spec) return undefined;
  const file = isAbsolute(spec) ? spec : resolve(env.baseDir, spec);
  // The OpenAPI phase reports an unreadable document with its key path; here it only means no profiles.
  const loaded = await loadSpec(file, { validate: false }).catch(() => undefined);
  if (!loaded) return undefined;
  const operations: NonNullable<SchemaProfiles['operations']> = {};
  for (const op of loaded.operations) {
    const profiles = profilesFromOperation(operationLike(op) as Parameters<typeof profilesFromOperation>[0]);
    if (Object.keys(profiles).length > 0) operations[`${op.info.method} ${op.info.template}`] = profiles;
  }
  return { operations };
};
