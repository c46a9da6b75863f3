import { z } from 'zod';
import { DETECTOR_IDS } from '../../detect/registry.js';
import { CONTENT_PROFILES } from '../../detect/types.js';
import { modeSchema, sizeSchema } from '../common.js';

// Owned by the detection engine (src/detect). Global settings and per-route overrides.

const paranoiaSchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const detectorIdSchema = z.enum(DETECTOR_IDS);

const thresholdSchema = z.number().min(0).max(1);

const limitsSchema = z
  .object({
    maxValues: z
      .number()
      .int()
      .positive()
      .default(2000)
      .describe('Most values (parameters, headers, JSON keys and leaves) inspected per request'),
    maxDepth: z
      .number()
      .int()
      .positive()
      .max(256)
      .default(32)
      .describe('Deepest JSON/XML nesting followed; deeper is reported as resource-consumption/deep-nesting'),
    maxBytes: sizeSchema.default(1024 * 1024).describe('Most bytes of values inspected per request'),
    maxValueLength: sizeSchema
      .default(4096)
      .describe('Longer values are inspected in overlapping windows of this size (within maxBytes)'),
    multipartFileBytes: sizeSchema
      .default(1024)
      .describe('Bytes of each uploaded file part inspected (its file name is always inspected)'),
    decodeBudget: z
      .number()
      .int()
      .positive()
      .default(1_000_000)
      .describe('Characters of decoding work allowed per request (URL/HTML/JS/base64 variants)'),
    reportTruncation: z
      .boolean()
      .default(true)
      .describe(
        'Report resource-consumption/oversized-payload when a limit stops inspection early, so padding cannot hide an attack',
      ),
  })
  .describe('Bounds on the work done per request');

export const detectGlobalSchema = z
  .object({
    paranoia: paranoiaSchema
      .default(1)
      .describe('Paranoia level 1-3: higher levels enable more rules and a lower score threshold'),
    thresholds: z
      .object({
        1: thresholdSchema.default(0.7).describe('Lowest score reported at paranoia 1'),
        2: thresholdSchema.default(0.5).describe('Lowest score reported at paranoia 2'),
        3: thresholdSchema.default(0.3).describe('Lowest score reported at paranoia 3'),
      })
      .prefault({})
      .describe('Score threshold per paranoia level; detector scores are compared against it'),
    limits: limitsSchema.prefault({}),
    ssrfDnsCheck: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe('Resolve host names in URL-like values and flag those that point to internal addresses'),
        timeout: z.number().int().positive().default(200).describe('Milliseconds per DNS lookup'),
        cacheSize: z.number().int().positive().default(10_000).describe('Host names whose verdict is cached'),
        ttl: z.number().int().positive().default(60_000).describe('Milliseconds a verdict stays cached'),
      })
      .prefault({})
      .describe(
        'Optional DNS check for SSRF (off by default). Never on the request path: a name not yet in the cache is looked up in the background and judged from the next request on.',
      ),
    headers: z
      .object({
        include: z
          .array(z.string().toLowerCase())
          .default(['*'])
          .describe('Request headers inspected: lower-case names or globs (`x-*`, `*`)'),
        exclude: z
          .array(z.string().toLowerCase())
          .default([])
          .describe('Headers never inspected, on top of the built-in list'),
      })
      .prefault({})
      .describe(
        'Header inspection. Never inspected: credentials (authorization, API keys, tokens), cookies (parsed apart), hop-by-hop headers and structured standard headers (accept*, cache-control, if-*, sec-*, content-*, …)',
      ),
  })
  .describe('Attack detection engine');

const exclusionSchema = z.object({
  location: z
    .string()
    .min(1)
    .describe(
      'Location glob: `query.q`, `header.x-*`, `body.$.notes`, `body.$.items[*].text`, `body.$.**` (`*` = one segment, `**` = any)',
    ),
  detectors: z
    .array(detectorIdSchema)
    .min(1)
    .optional()
    .describe('Detectors not run on this location (all when absent)'),
});

export const detectRouteSchema = z
  .object({
    mode: modeSchema
      .optional()
      .describe('Mode for attack detectors on this route (defaults to the route mode)'),
    paranoia: paranoiaSchema
      .optional()
      .describe('Paranoia level on this route (defaults to detect.paranoia)'),
    detectors: z
      .array(detectorIdSchema)
      .optional()
      .describe('Detectors run on this route (all when absent; [] turns value inspection off)'),
    inspectBody: z
      .boolean()
      .default(true)
      .describe('Inspect the request body (JSON, forms, multipart, XML, text)'),
    profiles: z
      .record(z.string(), z.enum(CONTENT_PROFILES))
      .default({})
      .describe('Location glob → content profile, e.g. `body.$.description: free-text`'),
    exclusions: z
      .array(exclusionSchema)
      .default([])
      .describe('Per-location detector exclusions, to fix a false positive without switching a detector off'),
    llmMessages: z
      .enum(['guard', 'inspect'])
      .default('guard')
      .describe(
        'On LLM routes: `guard` leaves message text to the LLM guard; `inspect` runs the attack detectors on it too',
      ),
  })
  .describe('Attack detection on this route');

export type DetectGlobalConfig = z.infer<typeof detectGlobalSchema>;
export type DetectRouteConfig = z.infer<typeof detectRouteSchema>;
