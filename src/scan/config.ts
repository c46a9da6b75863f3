import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

const loginSchema = z
  .object({
    operation: z
      .string()
      .describe('Login operation, `METHOD /path` as in the API description (or a path for POST)'),
    body: z.record(z.string(), z.unknown()).describe('JSON body with the credentials'),
    tokenPath: z
      .string()
      .default('token')
      .describe('Dot path to the token in the JSON response, e.g. `data.access_token`'),
    header: z.string().default('Authorization').describe('Header that carries the token'),
    prefix: z.string().default('Bearer ').describe('Text put before the token in the header'),
  })
  .describe('A login flow: called at start and again when a request answers 401');

const identitySchema = z
  .object({
    headers: z.record(z.string(), z.string()).default({}).describe('Static headers sent by this identity'),
    login: loginSchema.optional(),
  })
  .describe('Credentials of one identity');

export const scanConfigSchema = z
  .object({
    identities: z
      .object({
        a: identitySchema.optional().describe('Primary identity (owner of created objects)'),
        b: identitySchema.optional().describe('Second identity, used as the attacker for BOLA'),
        admin: identitySchema.optional().describe('Administrator identity, to compare admin functions'),
      })
      .default({})
      .describe('Identities used by the scan'),
    checks: z.array(z.string()).optional().describe('Only run these checks (ids or categories)'),
    excludeChecks: z.array(z.string()).default([]).describe('Never run these checks (ids or categories)'),
    excludeOperations: z.array(z.string()).default([]).describe('Operations (`METHOD /path`) never called'),
    rps: z.number().min(0).optional().describe('Requests per second (0 = unlimited)'),
    concurrency: z.number().int().min(1).max(64).optional().describe('Requests in flight at once'),
    budget: z.string().optional().describe('Total time budget, e.g. `120s` or `5m`'),
    timeout: z.string().optional().describe('Timeout of one request, e.g. `10s`'),
    allowDestructive: z.boolean().optional().describe('Allow DELETE and other destructive calls'),
    failOn: z.enum(['critical', 'high', 'medium', 'low', 'info']).optional().describe('Exit code threshold'),
    pathValues: z
      .record(z.string(), z.union([z.string(), z.number()]))
      .default({})
      .describe('Fixed values for path parameters by name'),
  })
  .strict()
  .describe('palisade scan configuration (scan.yaml)');

export type ScanConfig = z.infer<typeof scanConfigSchema>;
export type LoginConfig = z.infer<typeof loginSchema>;

export async function loadScanConfig(file: string): Promise<ScanConfig> {
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read ${file}: ${(err as Error).message}` }]);
  }
  const res = scanConfigSchema.safeParse(raw ?? {});
  if (!res.success) {
    throw new ConfigError(res.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return res.data;
}

/** `120s`, `2m`, `1500ms`, `90` (seconds) → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new ConfigError([{ path: 'budget', message: `not a duration: ${text}` }]);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000));
}

/** `Header: value` → [name, value]. */
export function parseHeader(text: string): [string, string] {
  const i = text.indexOf(':');
  if (i <= 0)
    throw new ConfigError([
      { path: 'auth', message: `expected "Header: value", got "${text.slice(0, 40)}"` },
    ]);
  return [text.slice(0, i).trim(), text.slice(i + 1).trim()];
}
