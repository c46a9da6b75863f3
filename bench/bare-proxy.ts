// The baseline a proxy can at best reach on this stack: node:http in, undici Pool out, no checks.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:3000';
const port = Number(process.env.PORT ?? 8181);
const pool = new Pool(upstream, { connections: 128, pipelining: 1 });

createServer((req, res) => {
  const headers = { ...req.headers };
  delete headers.connection;
  delete headers['keep-alive'];
  delete headers['transfer-encoding'];
  delete headers.host;
  const hasBody =
    req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  pool
    .request({ path: req.url ?? '/', method: req.method as 'GET', headers, body: hasBody ? req : undefined })
    .then(async (up) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers))
        if (v !== undefined && k !== 'connection' && k !== 'keep-alive' && k !== 'transfer-encoding')
          out[k] = v;
      res.writeHead(up.statusCode, out);
      // Same relay as the gateway (pipe; stream.pipeline costs an AbortController per call).
      up.body.pipe(res);
      await new Promise((r) => res.once('close', r));
    })
    .catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
}).listen(port, '127.0.0.1', () => process.stdout.write(`ready ${port}\n`));
process.once('SIGINT', () => process.exit(0));
process.once('SIGTERM', () => process.exit(0));
