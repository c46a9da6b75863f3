import { z } from 'zod';

// Owned by identity controls (src/policy/auth, access, stepup, abuse).
export const identityGlobalSchema = z.object({});
export const identityRouteSchema = z.object({});
