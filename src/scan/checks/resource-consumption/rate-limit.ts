import type { Check, OpState } from '../../context.js';
import type { Exchange } from '../../types.js';
import { llmShape } from '../llm/shape.js';
import { loginOps, wordList } from '../util.js';

const BURST = 30;
// whole words: "registered models" or "tokenizer settings" are not sensitive operations
const SENSITIVE =
  / (login|log in|logon|signin|sign in|token|tokens|otp|mfa|2fa|verify|verification|password|passwords|reset|forgot|signup|sign up|chat|completions?|messages|generate) /;

// "register" is a signup only for accounts: registering a model or a schema is not
const SIGNUP = / (register|registration) /;
const ACCOUNT = / (user|users|account|accounts|member|members|customer|customers) /;

function limited(ex: Exchange): boolean {
  const h = ex.response.headers;
  return ex.response.status === 429 || ex.response.status === 503 || h['retry-after'] !== undefined;
}

export const rateLimitCheck: Check = {
  id: 'rate-limit',
  category: 'resource-consumption',
  title: 'No rate limiting on sensitive operations',
  priority: 20,
  async run(ctx) {
    const picked = new Map<string, OpState>();
    for (const l of loginOps(ctx)) picked.set(l.state.op.key, l.state);
    for (const s of ctx.ops)
      if (
        s.baseline &&
        (SENSITIVE.test(wordList(s.op)) ||
          (SIGNUP.test(wordList(s.op)) && ACCOUNT.test(wordList(s.op))) ||
          llmShape(s.op, s.parts)) &&
        picked.size < 4
      )
        picked.set(s.op.key, s);
    for (const state of [...picked.values()].slice(0, 4)) {
      if (!state.baseline || state.baseline.response.status === 0) continue;
      const burst = async (shape: number): Promise<Exchange | undefined> => {
        let last: Exchange | undefined;
        const all = await Promise.all(
          Array.from({ length: BURST }, (_, i) =>
            ctx.send(state, state.parts, state.as, { headers: { 'x-palisade-burst': `${shape}-${i}` } }),
          ),
        );
        for (const ex of all) {
          if (limited(ex)) return undefined;
          last = ex;
        }
        return last;
      };
      const first = await burst(1);
      if (!first || first.response.status === 0) continue;
      // confirm with a second burst of another shape (different client header and query noise)
      const second = await burst(2);
      if (!second) continue;
      ctx.report({
        threat: { category: 'resource-consumption', subtype: 'no-rate-limit' },
        check: 'rate-limit',
        severity: 'medium',
        confidence: 0.8,
        operation: state.op.key,
        title: 'No rate limiting on a sensitive operation',
        description: `Two bursts of ${BURST} requests to ${state.op.key} were all answered (last: HTTP ${first.response.status}) without a 429 or Retry-After: brute force and cost abuse are not throttled.`,
        exchange: first,
        remediation:
          'Rate-limit authentication, password and expensive (LLM) operations per client and per account, answering 429 with Retry-After.',
        cwe: 770,
      });
    }
  },
};
