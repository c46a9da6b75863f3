import { z } from 'zod';
import { durationSchema, modeSchema, sizeSchema } from './common.js';
import { detectGlobalSchema, detectRouteSchema } from './sections/detect.js';
import { llmGlobalSchema, llmRouteSchema } from './sections/llm.js';
import { policyGlobalSchema, policyRouteSchema } from './sections/policy.js';

const serverSchema = z
  .object({
    host: z.string().default('0.0.0.0').describe('Address the data port binds to'),
    port: z.coerce.number().int().min(0).max(65535).default(8080).describe('Data port (0 = any free port)'),
    trustedProxies: z
      .array(z.string())
      .default([])
      .describe('Addresses or CIDRs whose X-Forwarded-* headers are trusted'),
    requestIdHeader: z.string().default('x-request-id').describe('Header carrying the request id'),
    via: z.boolean().default(false).describe('Add a Via header to proxied requests and responses'),
    maxHeaderSize: sizeSchema.default(16384).describe('Largest request head accepted (431 above)'),
    timeouts: z
      .object({
        headers: durationSchema.default(10_000).describe('Time to receive the request head'),
        idle: durationSchema.default(30_000).describe('Client inactivity while sending the body (408)'),
        upstreamConnect: durationSchema.default(5_000).describe('Upstream connect timeout (502)'),
        upstreamResponse: durationSchema.default(30_000).describe('Upstream response-head timeout (504)'),
        upstreamBodyIdle: durationSchema.default(60_000).describe('Upstream inactivity mid-body'),
        shutdownGrace: durationSchema.default(10_000).describe('Drain time on SIGTERM'),
      })
      .prefault({}),
  })
  .prefault({});

const adminSchema = z
  .object({
    host: z.string().default('127.0.0.1').describe('Admin API bind address (loopback by default)'),
    port: z.coerce.number().int().min(0).max(65535).default(9090),
    token: z
      .string()
      .min(16, 'admin token must be at least 16 characters')
      .optional()
      .describe('Bearer token for the admin API; generated and printed on first start when absent'),
    tokenFile: z.string().default('.palisade/admin-token').describe('Where a generated token is kept'),
  })
  .prefault({});

const upstreamSchema = z.object({
  targets: z
    .array(z.url({ protocol: /^https?$/ }))
    .min(1)
    .describe('Base URLs, round-robin'),
  connections: z.number().int().positive().default(128).describe('Keep-alive connections per target'),
  health: z
    .object({
      failures: z.number().int().positive().default(3).describe('Consecutive failures before ejection'),
      ejectFor: durationSchema.default(10_000).describe('How long an ejected target rests'),
      path: z.string().optional().describe('Active health-check path (passive only when absent)'),
      interval: durationSchema.default(5_000),
    })
    .prefault({}),
});

const routeSchema = z.object({
  name: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . - only'),
  match: z
    .object({
      host: z.string().optional().describe('Host header to match (exact, or *.example.com)'),
      pathPrefix: z.string().startsWith('/').default('/'),
    })
    .prefault({}),
  upstream: z.string().describe('Name of an entry under upstreams'),
  mode: modeSchema.optional().describe('Default mode of every control on this route'),
  bodyLimit: sizeSchema.optional().describe('Largest request body inspected (413 above)'),
  responseBodyLimit: sizeSchema.optional().describe('Largest response body buffered for full inspection'),
  stripPrefix: z.boolean().default(false),
  protocol: z.object({ mode: modeSchema.optional() }).prefault({}).describe('Protocol anomaly checks'),
  detect: detectRouteSchema.prefault({}),
  policy: policyRouteSchema.prefault({}),
  llm: llmRouteSchema.optional(),
});

const eventsSchema = z
  .object({
    store: z.enum(['sqlite', 'memory', 'postgres']).default('sqlite'),
    path: z.string().default('.palisade/events.db').describe('SQLite file'),
    url: z.string().optional().describe('PostgreSQL connection string (store: postgres)'),
    sampleAllowed: z.number().min(0).max(1).default(0.01).describe('Share of clean requests recorded'),
    queueSize: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Events buffered while the store is down'),
    batchSize: z.number().int().positive().default(200),
    flushInterval: durationSchema.default(250),
    retention: z
      .object({
        maxAge: durationSchema.prefault('30d'),
        maxRows: z.number().int().positive().default(1_000_000),
      })
      .prefault({}),
  })
  .prefault({});

export const configSchema = z
  .object({
    mode: modeSchema.default('block').describe('Global default mode of every control'),
    server: serverSchema,
    admin: adminSchema,
    logging: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .prefault({}),
    limits: z
      .object({ bodyLimit: sizeSchema.prefault('1mb'), responseBodyLimit: sizeSchema.prefault('4mb') })
      .prefault({}),
    blockResponse: z
      .object({
        status: z.number().int().min(400).max(599).default(403),
        message: z.string().default('Request blocked by security policy'),
      })
      .prefault({}),
    upstreams: z.record(z.string(), upstreamSchema),
    routes: z.array(routeSchema).min(1),
    events: eventsSchema,
    sharedState: z
      .object({
        store: z
          .enum(['memory', 'redis'])
          .default('memory')
          .describe('Where limits, deny-lists and grants live'),
        url: z
          .string()
          .default('redis://127.0.0.1:6379')
          .describe('Redis URL (store: redis), shared by many gateways'),
        prefix: z.string().default('palisade:').describe('Key prefix in Redis'),
      })
      .prefault({}),
    detect: detectGlobalSchema.prefault({}),
    policy: policyGlobalSchema.prefault({}),
    llm: llmGlobalSchema.prefault({}),
  })
  .superRefine((cfg, ctx) => {
    cfg.routes.forEach((route, i) => {
      if (!cfg.upstreams[route.upstream]) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'upstream'],
          message: `unknown upstream "${route.upstream}"`,
        });
      }
    });
    const names = new Set<string>();
    cfg.routes.forEach((route, i) => {
      if (names.has(route.name))
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'name'], message: 'duplicate route name' });
      names.add(route.name);
    });
  });

export type PalisadeConfig = z.infer<typeof configSchema>;
export type RouteConfig = PalisadeConfig['routes'][number];
export type UpstreamConfig = PalisadeConfig['upstreams'][string];
