// Login protection on operations marked as login (config, `x-palisade: login`, or built-in
// POST …/login|signin|sign-in|token|sessions|authenticate):
//   - failed attempts (judged from the upstream's response status) are counted per username and
//     per client in SharedState; past `delayAfter` each attempt waits baseDelay·2^n (≤ maxDelay),
//     past `lockAfter` the username / client is locked for `lockFor` (429, brute-force);
//   - credential stuffing: too many distinct usernames failing from one client, or one password
//     failing across too many usernames (spraying) → authentication/credential-stuffing;
//   - every failed login is answered with one fixed status and body, so the upstream's different
//     answers for unknown users and wrong passwords cannot be told apart (user enumeration).
// Usernames are keyed by sha256; passwords by HMAC with a per-process random key, so the shared
// store never holds an unsalted password hash (the spraying counter is therefore per gateway).
import { createHmac, randomBytes } from 'node:crypto';
import type { Finding, Mode } from '../../core/findings.js';
import type { BlockVerdict, RequestContext, ResponsePhase } from '../../gateway/phase.js';
import type { SharedState } from '../../store/shared-state.js';
import { sha256Hex } from '../auth/hash.js';
import { PatternList, type PatternInput } from '../access/pattern.js';
import { type Denial, extensionFlag, type RequestView } from '../access/view.js';
import { bodyFields, firstField } from './body.js';

export interface LoginConfig {
  operations: PatternInput[];
  builtIn: boolean;
  usernameFields: string[];
  passwordFields: string[];
  failureStatuses: number[];
  perUser: { delayAfter: number; lockAfter: number };
  perClient: { delayAfter: number; lockAfter: number };
  window: number;
  lockFor: number;
  baseDelay: number;
  maxDelay: number;
  stuffing: { usernamesPerClient: number; usernamesPerPassword: number };
  uniformFailure: { status: number; body: string; contentType: string };
}

export interface LoginDeps {
  state: SharedState;
  /** Waits before answering (injectable for tests); must be bounded by maxDelay. */
  sleep?: (ms: number) => Promise<void>;
  /** Called with errors of fire-and-forget counter updates. */
  onError?: (err: unknown) => void;
}

const LOGIN_SEGMENTS = new Set([
  'login',
  'signin',
  'sign-in',
  'sign_in',
  'auth',
  'token',
  'sessions',
  'session',
  'authenticate',
  'logon',
]);
const ATTEMPT_KEY = 'identity.login';
const FAILED_KEY = 'identity.login.failed';
const REWRITTEN_HEADERS = new Set([
  'content-length',
  'content-type',
  'content-encoding',
  'etag',
  'www-authenticate',
  'location',
]);
const PASSWORD_KEY = randomBytes(32);

interface Attempt {
  user?: string;
  client: string;
  password?: string;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function finding(subtype: 'brute-force' | 'user-enumeration', message: string): Finding {
  return {
    category: 'session-password',
    subtype,
    detector: 'login-protection',
    severity: 'high',
    score: 1,
    message,
  };
}

export class LoginGuard {
  private readonly operations: PatternList;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly uniformBody: Buffer;
  /** Distinct failure answers seen from the upstream (bounded): more than one reveals users. */
  private readonly failureShapes = new Set<string>();

  constructor(
    private readonly cfg: LoginConfig,
    private readonly deps: LoginDeps,
  ) {
    this.operations = new PatternList(cfg.operations);
    this.sleep = deps.sleep ?? defaultSleep;
    this.uniformBody = Buffer.from(cfg.uniformFailure.body);
  }

  /** Marked as login in config or the OpenAPI document (these are public for authentication). */
  isExplicitLogin(view: RequestView): boolean {
    return extensionFlag(view, 'login') || this.operations.matches(view.method, view.segments);
  }

  /** Explicit, or built in by name (protected against brute force, but not made public). */
  isLogin(view: RequestView): boolean {
    if (this.isExplicitLogin(view)) return true;
    if (!this.cfg.builtIn || view.method !== 'POST') return false;
    const template = view.matched?.op.template;
    const segments = template ? template.split('/').filter(Boolean) : view.segments;
    const last = segments[segments.length - 1]?.toLowerCase();
    return last !== undefined && LOGIN_SEGMENTS.has(last);
  }

  private lockDenial(what: string, retryMs: number): Denial {
    const retryAfter = Math.max(1, Math.ceil(retryMs / 1000));
    return {
      finding: finding('brute-force', `too many failed logins for this ${what}; locked`),
      verdict: {
        status: 429,
        code: 'PAL_ERR_RATE_LIMITED',
        headers: { 'retry-after': String(retryAfter) },
        details: { retryAfter },
      },
    };
  }

  /**
   * Before forwarding a login: refuses locked usernames/clients and stuffing, delays repeated
   * failures (only when `enforce`, i.e. block mode). Remembers the attempt for the response phase.
   */
  async before(ctx: RequestContext, enforce: boolean): Promise<Denial | undefined> {
    const fields = bodyFields(ctx);
    const username = firstField(fields, this.cfg.usernameFields);
    const password = firstField(fields, this.cfg.passwordFields);
    const attempt: Attempt = {
      user: username ? sha256Hex(username.trim().toLowerCase()) : undefined,
      client: sha256Hex(ctx.clientIp),
      password: password ? createHmac('sha256', PASSWORD_KEY).update(password).digest('hex') : undefined,
    };
    ctx.state.set(ATTEMPT_KEY, attempt);
    const { state } = this.deps;

    const lockedUser = attempt.user ? await state.get(`login:lock:u:${attempt.user}`) : undefined;
    if (lockedUser) return this.lockDenial('username', Number(lockedUser) - Date.now());
    const lockedClient = await state.get(`login:lock:c:${attempt.client}`);
    if (lockedClient) return this.lockDenial('client', Number(lockedClient) - Date.now());

    const userFails = attempt.user ? Number((await state.get(`login:fail:u:${attempt.user}`)) ?? 0) : 0;
    const clientFails = Number((await state.get(`login:fail:c:${attempt.client}`)) ?? 0);
    const until = String(Date.now() + this.cfg.lockFor);
    if (attempt.user && userFails >= this.cfg.perUser.lockAfter) {
      if (enforce) await state.set(`login:lock:u:${attempt.user}`, until, this.cfg.lockFor);
      return this.lockDenial('username', this.cfg.lockFor);
    }
    if (clientFails >= this.cfg.perClient.lockAfter) {
      if (enforce) await state.set(`login:lock:c:${attempt.client}`, until, this.cfg.lockFor);
      return this.lockDenial('client', this.cfg.lockFor);
    }

    const usernames = Number((await state.get(`login:cun:${attempt.client}`)) ?? 0);
    if (usernames >= this.cfg.stuffing.usernamesPerClient) {
      return stuffing(`failed logins for ${usernames} different usernames from one client`);
    }
    if (attempt.password) {
      const sprayed = Number((await state.get(`login:pun:${attempt.password}`)) ?? 0);
      if (sprayed >= this.cfg.stuffing.usernamesPerPassword) {
        return stuffing(`one password failed for ${sprayed} different usernames`);
      }
    }

    const over = Math.max(
      userFails - this.cfg.perUser.delayAfter,
      clientFails - this.cfg.perClient.delayAfter,
    );
    if (enforce && over >= 0) {
      await this.sleep(Math.min(this.cfg.maxDelay, this.cfg.baseDelay * 2 ** Math.min(over, 20)));
    }
    return undefined;
  }

  /** Counts a failure (or clears the username's counter on success). Fire and forget. */
  private record(attempt: Attempt, failed: boolean): void {
    const { state } = this.deps;
    const w = this.cfg.window;
    const run = async () => {
      if (!failed) {
        if (attempt.user) await state.delete(`login:fail:u:${attempt.user}`);
        return;
      }
      if (attempt.user) await state.increment(`login:fail:u:${attempt.user}`, 1, w);
      await state.increment(`login:fail:c:${attempt.client}`, 1, w);
      if (attempt.user && (await state.setIfAbsent(`login:cu:${attempt.client}:${attempt.user}`, '1', w))) {
        await state.increment(`login:cun:${attempt.client}`, 1, w);
      }
      if (attempt.user && attempt.password) {
        if (await state.setIfAbsent(`login:pu:${attempt.password}:${attempt.user}`, '1', w)) {
          await state.increment(`login:pun:${attempt.password}`, 1, w);
        }
      }
    };
    run().catch((err) => this.deps.onError?.(err));
  }

  /**
   * Rewrites failed logins to the uniform answer and feeds the counters. Status and headers are
   * changed in onHeaders (the gateway copies headers before bodies are read); the body in onBody.
   */
  responsePhase(modeOf: (ctx: RequestContext) => Mode): ResponsePhase {
    return {
      name: 'inspect-response',
      body: 'full',
      wantsBody: (ctx) => ctx.state.has(FAILED_KEY),
      onHeaders: (ctx, head) => {
        const attempt = ctx.state.get(ATTEMPT_KEY) as Attempt | undefined;
        const mode = modeOf(ctx);
        if (!attempt || mode === 'off') return undefined;
        if (!this.cfg.failureStatuses.includes(head.status)) {
          if (head.status >= 200 && head.status < 300) this.record(attempt, false);
          return undefined;
        }
        this.record(attempt, true);
        ctx.state.set(FAILED_KEY, head.status);
        if (mode === 'block') {
          ctx.state.set('response-modified', true); // the gateway's event action `modified`
          head.status = this.cfg.uniformFailure.status;
          for (const h of Object.keys(head.headers)) {
            if (REWRITTEN_HEADERS.has(h.toLowerCase())) delete head.headers[h];
          }
          head.headers['content-type'] = this.cfg.uniformFailure.contentType;
        }
        return undefined;
      },
      onBody: (ctx, _head, body): Buffer | BlockVerdict => {
        const original = ctx.state.get(FAILED_KEY) as number | undefined;
        const mode = modeOf(ctx);
        if (original === undefined || mode === 'off') return body;
        const shape = sha256Hex(`${original}\u0000${body.toString('utf8')}`);
        if (!this.failureShapes.has(shape) && this.failureShapes.size < 16) {
          this.failureShapes.add(shape);
          if (this.failureShapes.size > 1) {
            record(
              ctx,
              finding('user-enumeration', 'the upstream answers failed logins in different ways'),
              mode,
            );
          }
        }
        return mode === 'block' ? this.uniformBody : body;
      },
    };
  }
}

function stuffing(message: string): Denial {
  return {
    finding: {
      category: 'authentication',
      subtype: 'credential-stuffing',
      detector: 'login-protection',
      severity: 'high',
      score: 1,
      message,
    },
    verdict: {
      status: 429,
      code: 'PAL_ERR_RATE_LIMITED',
      headers: { 'retry-after': '60' },
      details: { retryAfter: 60 },
    },
  };
}

/**
 * Records a finding without turning it into a block: in block mode the response was neutralised
 * (rewritten), not refused, so it is stored with mode `block` directly.
 */
function record(ctx: RequestContext, f: Finding, mode: Mode): void {
  if (mode === 'block') ctx.findings.push({ ...f, mode });
  else ctx.report(f, mode);
}
