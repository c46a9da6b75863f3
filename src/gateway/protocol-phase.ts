import { protocolDetector } from '../detect/protocol.js';
import type { PhaseFactory } from './phase-env.js';

/** Runs the protocol-anomaly detector on the request head, before anything reads the body. */
export const createProtocolPhases: PhaseFactory = (route, _index, env) => {
  const mode = route.protocol.mode ?? route.mode ?? env.config.mode;
  if (mode === 'off') return {};
  const inspect = protocolDetector.compile({ paranoia: env.config.detect.paranoia });
  return {
    request: [
      {
        name: 'identify',
        needsBody: false,
        run(ctx) {
          const findings = inspect(ctx);
          let verdict: ReturnType<typeof ctx.report>;
          for (const f of findings) {
            verdict = ctx.report(f, mode, { status: 400, code: 'PAL_ERR_BAD_REQUEST' }) ?? verdict;
          }
          return verdict;
        },
      },
    ],
  };
};
