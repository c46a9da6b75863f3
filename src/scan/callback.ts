import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The scanner's own listener on 127.0.0.1: SSRF probes point at a unique path per probe. */
export class CallbackServer {
  private server?: Server;
  private hits = new Map<string, number>();
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const token = (req.url ?? '/').split('?')[0].split('/').filter(Boolean)[0] ?? '';
      if (token && this.hits.size < 10_000) this.hits.set(token, (this.hits.get(token) ?? 0) + 1);
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('palisade-callback');
    });
    this.server.headersTimeout = 5000;
    this.server.requestTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(token: string, host = '127.0.0.1'): string {
    return `http://${host}:${this.port}/${token}`;
  }

  hit(token: string): boolean {
    return (this.hits.get(token) ?? 0) > 0;
  }

  /** Waits up to `ms` for a hit on `token` (blind SSRF may fetch asynchronously). */
  async waitFor(token: string, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (this.hit(token)) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.hit(token);
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}
