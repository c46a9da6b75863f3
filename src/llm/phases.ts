import { randomBytes } from 'node:crypto';
import type { LlmRouteConfig } from '../config/sections/llm.js';
import type { Finding, Mode } from '../core/findings.js';
import type { PhaseFactory } from '../gateway/phase-env.js';
import type { RequestContext, RequestPhase, ResponseHead, ResponsePhase, Verdict } from '../gateway/phase.js';
import { type BudgetScope, Budgets } from './budget/budget.js';
import { countTokens, type EncodingName, preloadEncoder } from './budget/tokens.js';
import { ADAPTERS, detectFormat } from './formats/detect-format.js';
import {
  type FormatAdapter,
  isObject,
  type JsonPath,
  type LlmRequest,
  locationOf,
  patchJson,
  type Usage,
} from './formats/types.js';
import { inspectBody, LlmStreamInspector, type OutputSession } from './output/inspect.js';
import { compileHostAllowList } from './output/markup.js';
import type { OutputRules } from './output/scanner.js';
import { createPseudonymiser, redact } from './pii/redact.js';
import { compilePiiScanner, SECRET_KINDS } from './pii/scan.js';
import { compilePromptGuard, createExternalClassifier } from './prompt-guard/index.js';
import { compileToolPolicy, type ToolViolation } from './tools.js';

// The LLM guard's phases for a route with an `llm` section:
//   rate-limit  budgets (requests and tokens per identity / API key)
//   detect      shape, limits, tools, prompt injection, PII; rewrites the body (masking, max-tokens
//               cap, canary) into ctx.upstreamBody only when something changed
//   inspect-response  SSE streams chunk by chunk ('stream') and JSON bodies ('full')

const STATE_KEY = 'llm';

interface LlmState {
  adapter?: FormatAdapter;
  json?: unknown;
  req?: LlmRequest;
  /** Budget scopes charged for this request and the estimate already charged. */
  scopes: BudgetScope[];
  estimate: number;
  restore: Map<string, string>;
  canary?: string;
  /** The guard turned on OpenAI's final usage chunk; it is removed from the client's stream. */
  addedStreamUsage: boolean;
}

function parseBody(ctx: RequestContext): unknown {
  const parsed = ctx.json();
  if (parsed !== undefined || !ctx.body || ctx.body.length === 0) return parsed;
  try {
    return JSON.parse(ctx.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function stateOf(ctx: RequestContext, format: LlmRouteConfig['format']): LlmState {
  let st = ctx.state.get(STATE_KEY) as LlmState | undefined;
  if (st) return st;
  st = { scopes: [], estimate: 0, restore: new Map(), addedStreamUsage: false };
  ctx.state.set(STATE_KEY, st);
  const json = parseBody(ctx);
  if (json === undefined) return st;
  st.json = json;
  const id = detectFormat(format, ctx.path, json, ctx.headers as Record<string, unknown>);
  if (!id) return st;
  const adapter = ADAPTERS[id];
  const req = adapter.parseRequest(json);
  if (req) {
    st.adapter = adapter;
    st.req = req;
  }
  return st;
}

const finding = (f: Omit<Finding, 'score'> & { score?: number }): Finding => ({ score: 1, ...f }) as Finding;

function apiKeyOf(ctx: RequestContext): string | undefined {
  if (ctx.identity?.method === 'api-key' && ctx.identity.credentialId)
    return `id:${ctx.identity.credentialId}`;
  const auth = ctx.headers.authorization;
  if (typeof auth === 'string' && auth.length > 7 && auth.slice(0, 7).toLowerCase() === 'bearer ')
    return `bearer:${auth.slice(7).trim()}`;
  const key = ctx.headers['x-api-key'];
  if (typeof key === 'string' && key.length > 0) return `x-api-key:${key}`;
  return undefined;
}

export const createLlmPhases: PhaseFactory = (route, index, env) => {
  const llm = route.llm;
  if (!llm) return {};
  const keyPath = `routes.${index}.llm`;
  const base: Mode = llm.mode ?? route.mode ?? env.config.mode;
  const modeOf = (m: Mode | undefined): Mode => m ?? base;
  const injectionMode = modeOf(llm.promptInjection.mode);
  const piiMode = modeOf(llm.pii.mode);
  const budgetMode = modeOf(llm.budgets.mode);
  const toolMode = modeOf(llm.tools.mode);
  const outputMode = modeOf(llm.output.mode);
  const unknownShape = llm.unknownShape ?? env.config.llm.unknownShape;
  // Every LLM control off: the route costs nothing (no body buffering, no response inspection).
  if ([base, injectionMode, piiMode, budgetMode, toolMode, outputMode].every((m) => m === 'off')) return {};

  const guard =
    injectionMode === 'off'
      ? undefined
      : compilePromptGuard({
          threshold: llm.promptInjection.threshold,
          paranoia: llm.promptInjection.paranoia ?? env.config.detect.paranoia,
        });
  const ext = llm.promptInjection.external;
  const external =
    injectionMode !== 'off' && ext
      ? createExternalClassifier({ url: ext.url, timeoutMs: ext.timeout, failOpen: ext.failOpen })
      : undefined;
  const piiScanner = piiMode === 'off' ? undefined : compilePiiScanner(llm.pii.kinds);
  const pseudonymiser = createPseudonymiser();
  const tools = compileToolPolicy(llm.tools, `${keyPath}.tools`);

  const budgetLimits = { identity: llm.budgets.identity, 'api-key': llm.budgets.apiKey };
  const budgetsOn =
    budgetMode !== 'off' &&
    Object.values(budgetLimits).some((l) => l && Object.values(l).some((v) => v !== undefined));
  const budgets = budgetsOn ? new Budgets(env.state, `llm:budget:${route.name}`) : undefined;
  const encoding: EncodingName = llm.budgets.encoding;
  if (budgetsOn) env.background('llm-tokenizer', async () => void (await preloadEncoder(encoding)));

  const out = llm.output;
  const outputKinds = [
    ...(out.secrets !== 'off' ? [...SECRET_KINDS] : []),
    ...(out.pii !== 'off' ? out.piiKinds.filter((k) => !SECRET_KINDS.has(k)) : []),
  ];
  const outputScanner =
    outputMode !== 'off' && outputKinds.length > 0 ? compilePiiScanner(outputKinds) : undefined;
  const markdownAllowed =
    outputMode !== 'off' && out.markdownExfiltration.enabled
      ? compileHostAllowList(out.markdownExfiltration.allowHosts)
      : undefined;

  const scopesFor = (ctx: RequestContext): BudgetScope[] => {
    const scopes: BudgetScope[] = [];
    if (budgetLimits.identity)
      scopes.push({
        scope: 'identity',
        key: ctx.identity ? `sub:${ctx.identity.subject}` : `ip:${ctx.clientIp}`,
        limits: budgetLimits.identity,
      });
    const apiKey = budgetLimits['api-key'] ? apiKeyOf(ctx) : undefined;
    if (apiKey && budgetLimits['api-key'])
      scopes.push({ scope: 'api-key', key: apiKey, limits: budgetLimits['api-key'] });
    return scopes;
  };

  const request: RequestPhase[] = [];

  if (budgets)
    request.push({
      name: 'rate-limit',
      needsBody: true,
      async run(ctx) {
        const st = stateOf(ctx, llm.format);
        if (!st.req) return undefined;
        const scopes = scopesFor(ctx);
        if (scopes.length === 0) return undefined;
        const estimate = await countTokens(encoding, st.req.segments.map((s) => s.text).join('\n'));
        const exhausted = await budgets.admit(scopes, estimate);
        st.scopes = scopes;
        if (!exhausted) {
          st.estimate = estimate;
          return undefined;
        }
        const v = ctx.report(
          finding({
            category: 'resource-consumption',
            subtype: 'llm-token-budget',
            detector: 'llm-budget',
            severity: 'medium',
            message: `${exhausted.scope} budget ${exhausted.budget} (${exhausted.limit}) exhausted`,
          }),
          budgetMode,
          {
            status: 429,
            code: 'PAL_ERR_BUDGET_EXHAUSTED',
            headers: { 'retry-after': String(exhausted.retryAfter) },
            details: { budget: exhausted.budget, scope: exhausted.scope, limit: exhausted.limit },
          },
        );
        if (!v) {
          await budgets.charge(scopes, estimate); // monitor: keep counting
          st.estimate = estimate;
        }
        return v;
      },
    });

  type Patches = { path: JsonPath; value: unknown }[];

  /** Model allow-list, message count, prompt size, max-tokens cap. */
  const checkLimits = (ctx: RequestContext, req: LlmRequest, patches: Patches): Verdict => {
    let v: Verdict;
    if (llm.models && req.model !== undefined && !llm.models.includes(req.model)) {
      v = ctx.report(
        finding({
          category: 'broken-access-control',
          subtype: 'bfla',
          detector: 'llm-model-allow-list',
          severity: 'medium',
          location: 'body.$.model',
          fragment: req.model.slice(0, 120),
          message: `model "${req.model.slice(0, 64)}" is not allowed on this route`,
        }),
        base,
        { status: 403, code: 'PAL_ERR_FORBIDDEN' },
      );
      if (v) return v;
    }
    const tooLarge = { status: 413, code: 'PAL_ERR_BODY_TOO_LARGE' } as const;
    if (llm.maxMessages !== undefined && req.messageCount > llm.maxMessages) {
      v = ctx.report(oversized(`${req.messageCount} messages (limit ${llm.maxMessages})`), base, tooLarge);
      if (v) return v;
    }
    if (llm.maxPromptChars !== undefined) {
      const chars = req.segments.reduce((n, s) => n + s.text.length, 0);
      if (chars > llm.maxPromptChars) {
        v = ctx.report(
          oversized(`${chars} characters of prompt (limit ${llm.maxPromptChars})`),
          base,
          tooLarge,
        );
        if (v) return v;
      }
    }
    const cap = llm.maxTokensCap;
    if (cap === undefined || !req.maxTokensPath) return undefined;
    if (req.maxTokens !== undefined && req.maxTokens > cap)
      ctx.report(
        finding({
          category: 'resource-consumption',
          subtype: 'llm-token-budget',
          detector: 'llm-max-tokens',
          severity: 'low',
          location: locationOf(req.maxTokensPath),
          message: `max tokens ${req.maxTokens} above the cap ${cap}: lowered`,
        }),
        base,
      );
    if (base === 'block' && (req.maxTokens === undefined || req.maxTokens > cap))
      patches.push({ path: req.maxTokensPath, value: cap });
    return undefined;
  };

  /** Declared tools against the allow-list; tool calls in the history against their schemas. */
  const checkTools = (ctx: RequestContext, req: LlmRequest): Verdict => {
    if (toolMode === 'off') return undefined;
    const violations: { violation: ToolViolation; path: JsonPath }[] = [];
    for (const d of tools.checkDefinitions(req.toolDefinitions, ctx.identity))
      violations.push({
        violation: d,
        path: req.toolDefinitions.find((t) => t.name === d.tool)?.path ?? ['tools'],
      });
    const declared = new Map(req.toolDefinitions.map((d) => [d.name, d.schema] as const));
    for (const call of req.toolCalls) {
      const violation = tools.checkCall(call, declared, ctx.identity);
      if (violation) violations.push({ violation, path: call.path });
    }
    for (const { violation, path } of violations) {
      const v = ctx.report(
        finding({
          category: 'llm-excessive-agency',
          subtype: violation.subtype,
          detector: 'llm-tools',
          severity: 'high',
          location: locationOf(path),
          fragment: violation.tool.slice(0, 120),
          message: violation.message,
        }),
        toolMode,
      );
      if (v) return v;
    }
    return undefined;
  };

  /** Prompt injection: user text = direct, tool results and documents = indirect. */
  const checkInjection = async (ctx: RequestContext, req: LlmRequest): Promise<Verdict> => {
    if (!guard) return undefined;
    for (const seg of req.segments) {
      for (const f of guard.scan(seg.text, seg.provenance).findings) {
        const v = ctx.report({ ...f, location: locationOf(seg.path) }, injectionMode);
        if (v) return v;
      }
    }
    if (!external) return undefined;
    const untrusted = req.segments
      .filter((s) => s.provenance === 'user' || s.provenance === 'tool' || s.provenance === 'document')
      .map((s) => s.text)
      .join('\n\n');
    const score = untrusted.length > 0 ? await external(untrusted) : undefined;
    if (score === undefined || score < llm.promptInjection.threshold) return undefined;
    return ctx.report(
      finding({
        category: 'llm-prompt-injection',
        subtype: 'direct',
        detector: 'llm-prompt-external',
        severity: 'high',
        score,
        message: 'external classifier flagged the prompt',
      }),
      injectionMode,
    );
  };

  /** Personal data and secrets in untrusted text: refused, masked or pseudonymised. */
  const checkPersonalData = (
    ctx: RequestContext,
    req: LlmRequest,
    st: LlmState,
    patches: Patches,
  ): Verdict => {
    if (!piiScanner) return undefined;
    const action = llm.pii.action;
    const rewrite = piiMode === 'block' && action !== 'block';
    for (const seg of req.segments) {
      if (seg.provenance === 'system' || seg.provenance === 'assistant') continue;
      const matches = piiScanner(seg.text);
      if (matches.length === 0) continue;
      const kinds = [...new Set(matches.map((m) => m.kind))];
      const v = ctx.report(
        finding({
          category: 'llm-sensitive-disclosure',
          subtype: 'pii-in-prompt',
          detector: 'llm-pii',
          severity: kinds.some((k) => SECRET_KINDS.has(k)) ? 'high' : 'medium',
          location: locationOf(seg.path),
          message: `${kinds.join(', ')} in prompt${rewrite ? ` (${action === 'mask' ? 'masked' : 'pseudonymised'})` : ''}`,
        }),
        piiMode,
      );
      if (v && action === 'block') return v;
      if (rewrite)
        patches.push({ path: seg.path, value: redact(seg.text, matches, action, pseudonymiser, st.restore) });
    }
    return undefined;
  };

  /** Rewrites that serve the response checks: canary, OpenAI's final usage chunk. */
  const prepareResponse = (req: LlmRequest, st: LlmState, patches: Patches): void => {
    if (outputMode !== 'off' && out.canary && req.system.length > 0) {
      const seg = req.system[req.system.length - 1];
      st.canary = `pal-${randomBytes(8).toString('hex')}`;
      patches.push({ path: seg.path, value: `${seg.text}\n\n<!-- ${st.canary} -->` });
    }
    const openAiStream = req.format === 'openai-chat' || req.format === 'openai-completions';
    if (
      budgets &&
      st.scopes.length > 0 &&
      req.stream &&
      openAiStream &&
      !req.streamUsageRequested &&
      isObject(st.json)
    ) {
      const existing = isObject(st.json.stream_options) ? st.json.stream_options : {};
      patches.push({ path: ['stream_options'], value: { ...existing, include_usage: true } });
      st.addedStreamUsage = true;
    }
  };

  request.push({
    name: 'detect',
    needsBody: true,
    async run(ctx) {
      if (!ctx.body || ctx.body.length === 0) return undefined;
      const st = stateOf(ctx, llm.format);
      const req = st.req;
      if (!req) {
        if (unknownShape === 'pass') return undefined;
        return ctx.report(
          finding({
            category: 'inventory',
            subtype: 'undocumented-parameter',
            detector: 'llm-format',
            severity: 'low',
            message: 'body does not match a known LLM API shape',
          }),
          'block',
          { status: 400, code: 'PAL_ERR_BAD_REQUEST' },
        );
      }
      const patches: Patches = [];
      const v =
        checkLimits(ctx, req, patches) ??
        checkTools(ctx, req) ??
        (await checkInjection(ctx, req)) ??
        checkPersonalData(ctx, req, st, patches);
      if (v) return v;
      prepareResponse(req, st, patches);
      if (patches.length > 0) ctx.upstreamBody = Buffer.from(JSON.stringify(patchJson(st.json, patches)));
      return undefined;
    },
  });

  const session = (ctx: RequestContext, st: LlmState): OutputSession => {
    const req = st.req!;
    const rules: OutputRules = {
      canary: st.canary,
      restore: st.restore,
      secrets: outputMode === 'off' ? 'off' : out.secrets,
      pii: outputMode === 'off' ? 'off' : out.pii,
      scanner: outputScanner,
      markdownAllowed,
      html: outputMode !== 'off' && out.html,
      systemPrompt:
        outputMode !== 'off' && out.systemPromptLeak ? req.system.map((s) => s.text).join('\n') : undefined,
      instructionDisclosure: outputMode === 'off' ? 'off' : out.instructionDisclosure,
      enforce: outputMode === 'block',
    };
    const declared = new Map(req.toolDefinitions.map((d) => [d.name, d.schema] as const));
    return {
      adapter: st.adapter!,
      rules,
      mode: outputMode,
      toolMode,
      checkTool(name, args, complete) {
        if (toolMode === 'off') return undefined;
        if (!complete) {
          const allowed = tools.allowedFor(ctx.identity);
          return allowed && !allowed.has(name)
            ? { subtype: 'tool-not-allowed', tool: name, message: `call of tool "${name}" is not allowed` }
            : undefined;
        }
        return tools.checkCall({ name, arguments: args }, declared, ctx.identity);
      },
      report: (f, mode) => ctx.report(f, mode, { status: 502, code: 'PAL_ERR_UPSTREAM_RESPONSE' }),
      dropUsageOnly: st.addedStreamUsage,
      maxToolArgumentBytes: out.maxToolArgumentBytes,
      onUsage: (usage, text) => reconcile(st, usage, text),
      markModified: () => ctx.state.set('response-modified', true),
    };
  };

  /** Charges the difference between the provider's usage (or a count of the output) and the estimate. */
  const reconcile = (st: LlmState, usage: Partial<Usage>, text: string): void => {
    if (!budgets || st.scopes.length === 0) return;
    env.background('llm-budget-reconcile', async () => {
      const output = usage.outputTokens ?? (await countTokens(encoding, text));
      const input = usage.inputTokens ?? st.estimate;
      await budgets.charge(st.scopes, input + output - st.estimate);
    });
  };

  const active = (ctx: RequestContext): LlmState | undefined => {
    const st = ctx.state.get(STATE_KEY) as LlmState | undefined;
    return st?.req && st.adapter ? st : undefined;
  };
  const contentType = (head: ResponseHead) => String(head.headers['content-type'] ?? '').toLowerCase();

  const response: ResponsePhase[] = [
    {
      name: 'inspect-response',
      body: 'stream',
      wantsBody: (ctx, head) =>
        contentType(head).startsWith('text/event-stream') && active(ctx)?.adapter?.stream !== undefined,
      createInspector(ctx) {
        const st = active(ctx);
        return st ? new LlmStreamInspector(session(ctx, st)) : undefined;
      },
    },
    {
      name: 'inspect-response',
      body: 'full',
      wantsBody: (ctx, head) =>
        contentType(head).includes('json') && active(ctx) !== undefined && head.status < 400,
      onBody(ctx, _head, body) {
        const st = active(ctx);
        return st ? inspectBody(session(ctx, st), body) : body;
      },
    },
  ];

  return { request, response };
};

function oversized(message: string): Finding {
  return finding({
    category: 'resource-consumption',
    subtype: 'oversized-payload',
    detector: 'llm-limits',
    severity: 'medium',
    message,
  });
}
