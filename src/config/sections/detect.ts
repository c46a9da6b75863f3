import { z } from 'zod';
import { modeSchema } from '../common.js';

// Owned by the detection engine (src/detect). Global settings and per-route overrides.
export const detectGlobalSchema = z
  .object({
    paranoia: z
      .union([z.literal(1), z.literal(2), z.literal(3)])
      .default(1)
      .describe('Paranoia level 1-3'),
  })
  .describe('Attack detection engine');

export const detectRouteSchema = z
  .object({
    mode: modeSchema
      .optional()
      .describe('Mode for attack detectors on this route (defaults to the route mode)'),
    paranoia: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  })
  .describe('Attack detection on this route');
