// Step-up with TOTP (RFC 6238, otplib v13 functional API): per-subject enrolment through the admin
// API, code verification from a request header, a grant cached per subject in SharedState for
// `grantTtl`, replay refused (each accepted time step is claimed once with setIfAbsent) and
// guessing limited (maxFailures wrong codes lock the factor for lockFor).
//
// Secrets live in SharedState (`stepup:secret:<subject>`); with a shared Redis that store must be
// protected like a password database.
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { AdminHandler, AdminResponse } from '../../gateway/phase-env.js';
import type { SharedState } from '../../store/shared-state.js';

export type OtpCheck = 'ok' | 'invalid' | 'replayed' | 'locked' | 'not-enrolled' | 'malformed';

export interface StepUpOptions {
  issuer: string;
  header: string;
  grantTtlMs: number;
  /** Accepted drift in 30 s steps on either side. */
  window: number;
  maxFailures: number;
  lockForMs: number;
  now?: () => number;
}

export interface Enrolment {
  subject: string;
  uri: string;
  svg: string;
  png: Buffer;
}

const PERIOD = 30;
const key = (kind: string, subject: string) => `stepup:${kind}:${encodeURIComponent(subject)}`;

export class StepUp {
  private readonly now: () => number;
  constructor(
    private readonly state: SharedState,
    readonly opts: StepUpOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  async enroll(subject: string, force = false): Promise<Enrolment | undefined> {
    if (!force && (await this.isEnrolled(subject))) return undefined;
    const secret = generateSecret();
    await this.state.set(key('secret', subject), secret, 0);
    await this.state.delete(key('fail', subject));
    const uri = generateURI({ issuer: this.opts.issuer, label: subject, secret });
    const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M' });
    const png = await QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: 'M' });
    return { subject, uri, svg, png };
  }

  async isEnrolled(subject: string): Promise<boolean> {
    return (await this.state.get(key('secret', subject))) !== undefined;
  }

  async unenroll(subject: string): Promise<boolean> {
    const had = await this.isEnrolled(subject);
    await this.state.delete(key('secret', subject));
    await this.state.delete(key('grant', subject));
    return had;
  }

  async hasGrant(subject: string): Promise<boolean> {
    return (await this.state.get(key('grant', subject))) !== undefined;
  }

  /** Checks a code; on success records the grant. Never throws for bad input. */
  async verify(subject: string, code: string): Promise<OtpCheck> {
    if (!/^\d{6}$/.test(code)) return 'malformed';
    const secret = await this.state.get(key('secret', subject));
    if (!secret) return 'not-enrolled';
    const failures = Number((await this.state.get(key('fail', subject))) ?? 0);
    if (failures >= this.opts.maxFailures) return 'locked';
    const epoch = Math.floor(this.now() / 1000);
    const result = await verify({
      secret,
      token: code,
      epoch,
      epochTolerance: this.opts.window * PERIOD,
    });
    if (!result.valid) {
      await this.state.increment(key('fail', subject), 1, this.opts.lockForMs);
      return 'invalid';
    }
    // Claim this time step once: a code seen before (here or on another gateway) is refused.
    const ttl = (this.opts.window * 2 + 2) * PERIOD * 1000;
    // The TOTP result carries the matched time step (the HOTP branch of the union does not).
    const step = 'timeStep' in result ? result.timeStep : Math.floor(epoch / PERIOD);
    const fresh = await this.state.setIfAbsent(`${key('used', subject)}:${step}`, '1', ttl);
    if (!fresh) return 'replayed';
    await this.state.delete(key('fail', subject));
    await this.state.set(key('grant', subject), String(this.now()), this.opts.grantTtlMs);
    return 'ok';
  }

  /** POST /api/step-up/enroll, GET/DELETE /api/step-up/:subject. */
  adminRoutes(): { method: string; pattern: string; handler: AdminHandler }[] {
    return [
      {
        method: 'POST',
        pattern: '/api/step-up/enroll',
        handler: async (req): Promise<AdminResponse> => {
          const body = (req.body ?? {}) as { subject?: unknown; force?: unknown };
          if (typeof body.subject !== 'string' || body.subject.length === 0 || body.subject.length > 256) {
            return {
              status: 400,
              body: { error: 'PAL_ERR_BAD_REQUEST', message: 'subject (string) is required' },
            };
          }
          const enrolment = await this.enroll(body.subject, body.force === true);
          if (!enrolment) {
            return {
              status: 409,
              body: {
                error: 'PAL_ERR_BAD_REQUEST',
                message: 'subject already enrolled; send force: true to replace',
              },
            };
          }
          if (req.query.get('format') === 'png') {
            return {
              status: 201,
              raw: enrolment.png,
              headers: { 'content-type': 'image/png', 'cache-control': 'no-store' },
            };
          }
          return {
            status: 201,
            headers: { 'cache-control': 'no-store' },
            body: {
              subject: enrolment.subject,
              uri: enrolment.uri,
              qrSvg: enrolment.svg,
              qrPng: `data:image/png;base64,${enrolment.png.toString('base64')}`,
            },
          };
        },
      },
      {
        method: 'GET',
        pattern: '/api/step-up/:subject',
        handler: async (req) => ({
          status: 200,
          body: { subject: req.params.subject, enrolled: await this.isEnrolled(req.params.subject ?? '') },
        }),
      },
      {
        method: 'DELETE',
        pattern: '/api/step-up/:subject',
        handler: async (req) =>
          (await this.unenroll(req.params.subject ?? ''))
            ? { status: 204 }
            : { status: 404, body: { error: 'PAL_ERR_NOT_FOUND', message: 'subject not enrolled' } },
      },
    ];
  }
}
