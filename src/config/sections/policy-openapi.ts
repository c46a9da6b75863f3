import { z } from 'zod';

// Owned by the OpenAPI positive model (src/policy/openapi).
export const openApiGlobalSchema = z.object({});
export const openApiRouteSchema = z.object({});
