import { z } from 'zod';

// Owned by the positive-security / identity subsystem (src/policy).
export const policyGlobalSchema = z.object({}).describe('Authentication, access control and abuse limits');
export const policyRouteSchema = z.object({}).describe('Positive model and identity controls on this route');
