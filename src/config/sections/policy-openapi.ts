import { z } from 'zod';
import { modeSchema } from '../common.js';

// Owned by the OpenAPI positive model (src/policy/openapi). Everything lives under one key,
// `openapi`, both globally (config.policy.openapi) and per route (routes[i].policy.openapi), so it
// never collides with the identity controls that share the `policy` section.
//
// Mode inheritance for each control X (first one set wins):
//   route.policy.openapi.X → route.policy.openapi.mode → route.mode
//   → config.policy.openapi.X → config.policy.openapi.mode → config.mode
// `undocumentedParameters` and `zombie` are capped at `monitor` unless set explicitly (route or
// global) to `block`: both are inventory signals that legitimate clients trip.

const controlMode = (what: string) =>
  modeSchema.optional().describe(`Mode of ${what} (inherits the OpenAPI mode, then the route mode)`);

const massAssignmentObject = z.object({
  mode: controlMode('the mass-assignment guard'),
  optOut: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'Operations exempt from the guard: operationId or "METHOD /template" (e.g. "PATCH /users/{id}"). ' +
        'An operation can also opt out in the spec with `x-palisade-mass-assignment: allow`',
    ),
});

const massAssignmentSchema = z
  .union([modeSchema, massAssignmentObject])
  .optional()
  .describe(
    'Refuses request-body properties that the schema does not declare, or declares readOnly, on ' +
      'POST/PUT/PATCH (nested objects too), whatever additionalProperties says. A mode, or {mode, optOut}',
  );

const responseSchema = z
  .object({
    undeclaredProperties: z
      .enum(['remove', 'flag', 'off'])
      .optional()
      .describe(
        'JSON response properties that the response schema does not declare (or declares writeOnly): ' +
          'remove them from the body, flag them (record only), or off. Default follows the mode: ' +
          'block → remove, monitor → flag, off → off',
      ),
    verboseErrors: controlMode(
      'verbose-error replacement (4xx/5xx bodies carrying stack traces, SQL errors or server paths)',
    ),
  })
  .describe('Checks on the responses of matched operations');

const limitsSchema = z
  .object({
    mode: controlMode('the schema-derived limits (page size, array items, string length, nesting)'),
    defaultMaxPageSize: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'Largest value accepted for a paging query parameter (limit, page_size, per_page, size, count, ' +
          'top, first, …) whose schema sets no maximum (default 100)',
      ),
    maxArrayItems: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Largest JSON body array where the schema sets no maxItems (default 1000)'),
    maxDepth: z
      .number()
      .int()
      .positive()
      .max(256)
      .optional()
      .describe('Deepest JSON body nesting accepted, counted in objects/arrays (default 32)'),
    maxStringLength: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Longest JSON body string where the schema sets no maxLength (default 65536)'),
  })
  .describe('Resource limits taken from the schema, with these defaults where it sets none');

/** Settings shared by global and route level (route values win). */
const openApiCommon = {
  mode: modeSchema.optional().describe('Default mode of every OpenAPI control'),
  shadow: controlMode('shadow-endpoint detection (requests to operations not in the document; 404)'),
  zombie: controlMode('zombie-endpoint detection (deprecated operations; capped at monitor unless set)'),
  validation: controlMode('parameter and request-body validation (400 / 415)'),
  undocumentedParameters: controlMode('undeclared query parameters (capped at monitor unless set)'),
  massAssignment: massAssignmentSchema,
  response: responseSchema.optional(),
  limits: limitsSchema.optional(),
};

export const openApiGlobalSchema = z.object({
  openapi: z
    .object(openApiCommon)
    .prefault({})
    .describe('Defaults of the OpenAPI positive security model for every route that names a spec'),
});

export const openApiRouteSchema = z.object({
  openapi: z
    .object({
      spec: z
        .string()
        .min(1)
        .optional()
        .describe(
          'OpenAPI 3.0/3.1 or Swagger 2.0 document (YAML or JSON), relative to the config file. ' +
            'Without it the route has no positive model',
        ),
      basePath: z
        .string()
        .optional()
        .describe(
          'Path prefix in front of the spec paths as the upstream sees them. Default: the path of each ' +
            '`servers` URL (3.x) or `basePath` (2.0); "" for none',
        ),
      validateSpec: z
        .boolean()
        .default(true)
        .describe('Check the document against the OpenAPI/Swagger schema at load (false: only parse it)'),
      ...openApiCommon,
    })
    .optional()
    .describe('OpenAPI positive security model for this route'),
});

export type OpenApiGlobalConfig = z.infer<typeof openApiGlobalSchema>['openapi'];
export type OpenApiRouteConfig = NonNullable<z.infer<typeof openApiRouteSchema>['openapi']>;
