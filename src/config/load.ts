import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { configSchema, type PalisadeConfig } from './schema.js';

export interface LoadedConfig {
  config: PalisadeConfig;
  /** Folder of the file; relative paths in the config resolve against it. */
  baseDir: string;
  path?: string;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces `${NAME}` / `${NAME:-default}` in every string; an unset variable is a config error. */
export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: string[] = [],
  issues: ConfigError['issues'] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined) return v;
      if (fallback !== undefined) return fallback;
      issues.push({ path: path.join('.'), message: `environment variable ${name} is not set` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, [...path, String(i)], issues));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, [...path, k], issues)]),
    );
  }
  return value;
}

export function zodIssues(error: z.ZodError): ConfigError['issues'] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Validates a raw config object (as YAML gives it). Throws ConfigError listing every problem. */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): PalisadeConfig {
  const issues: ConfigError['issues'] = [];
  const substituted = substituteEnv(raw ?? {}, env, [], issues);
  const result = configSchema.safeParse(substituted);
  if (!result.success) issues.push(...zodIssues(result.error));
  if (issues.length > 0) throw new ConfigError(issues);
  return result.data!;
}

export async function loadConfigFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedConfig> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (err) {
    throw new ConfigError([
      { path: '', message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}` },
    ]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        path: `line ${e.linePos?.[0]?.line ?? '?'}`,
        message: e.message.split('\n')[0],
      })),
    );
  }
  return { config: parseConfig(doc.toJS(), env), baseDir: dirname(absolute), path: absolute };
}

export interface QuickstartOptions {
  upstream: string;
  port?: number;
  adminPort?: number;
  openapi?: string;
  mode?: 'block' | 'monitor' | 'off';
  host?: string;
}

/** The one-route config `palisade gateway --upstream URL` runs: every protection on, LLM paths guarded. */
export function quickstartConfig(o: QuickstartOptions): Record<string, unknown> {
  // `llm` on the catch-all route: the guard recognises LLM-shaped paths and bodies
  // (/v1/chat/completions, /v1/messages, …) and passes every other request through untouched.
  const route: Record<string, unknown> = {
    name: 'default',
    upstream: 'default',
    match: { pathPrefix: '/' },
    llm: { format: 'auto', unknownShape: 'pass' },
  };
  if (o.openapi) route.policy = { openapi: { spec: resolve(o.openapi) } };
  return {
    mode: o.mode ?? 'block',
    server: { port: o.port ?? 8080, ...(o.host ? { host: o.host } : {}) },
    admin: { port: o.adminPort ?? 9090 },
    upstreams: { default: { targets: [o.upstream] } },
    routes: [route],
  };
}
