import { z } from 'zod';
import { identityGlobalSchema, identityRouteSchema } from './policy-identity.js';
import { openApiGlobalSchema, openApiRouteSchema } from './policy-openapi.js';

export const policyGlobalSchema = z
  .object({ ...openApiGlobalSchema.shape, ...identityGlobalSchema.shape })
  .describe('Positive security model, authentication, access control and abuse limits');
export const policyRouteSchema = z
  .object({ ...openApiRouteSchema.shape, ...identityRouteSchema.shape })
  .describe('Positive model and identity controls on this route');
