import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { startUpstream } from '../helpers/gateway.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function tempConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-cli-'));
  const file = join(dir, 'palisade.yaml');
  writeFileSync(file, text);
  return file;
}

describe('palisade config check', () => {
  it('accepts a valid file', async () => {
    const file = tempConfig(
      'upstreams:\n  u:\n    targets: [http://127.0.0.1:3000]\nroutes:\n  - name: r\n    upstream: u\n',
    );
    const r = await runCli(['config', 'check', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok (1 routes)');
  });

  it('prints every problem as key.path: message and exits 2', async () => {
    const file = tempConfig(
      'mode: strict\nupstreams:\n  u:\n    targets: [ftp://x]\nroutes:\n  - name: r\n    upstream: nope\n    bodyLimit: lots\n',
    );
    const r = await runCli(['config', 'check', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContain('mode: Invalid option: expected one of "off"|"monitor"|"block"');
    expect(lines.some((l) => l.startsWith('upstreams.u.targets.0: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('routes.0.bodyLimit: '))).toBe(true);
  });

  it('reports unknown upstreams and unset environment variables with their key', async () => {
    const file = tempConfig(
      'admin:\n  token: ${PALISADE_TEST_UNSET_TOKEN}\nupstreams:\n  u:\n    targets: [http://127.0.0.1:1]\nroutes:\n  - name: r\n    upstream: other\n',
    );
    const r = await runCli(['config', 'check', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('admin.token: environment variable PALISADE_TEST_UNSET_TOKEN is not set');
  });

  it('reports malformed YAML with its line', async () => {
    const r = await runCli(['config', 'check', tempConfig('routes: [\n  - name: x\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^line \d+: /);
  });

  it('writes the JSON Schema', async () => {
    const r = await runCli(['config', 'schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.properties.routes.type).toBe('array');
    expect(schema.properties.mode.enum).toEqual(['off', 'monitor', 'block']);
  });
});

describe('palisade gateway', () => {
  it('exits 2 naming the key when the config is malformed', async () => {
    const file = tempConfig('upstreams: {}\nroutes: []\n');
    const r = await runCli(['gateway', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('routes: ');
  });

  it('drains in-flight requests on SIGTERM and exits 0', async () => {
    const u = await startUpstream((_req, res) => setTimeout(() => res.end('finished'), 700));
    cleanup.push(u.close);
    const file = tempConfig(
      `server: { host: 127.0.0.1, port: 0 }\nadmin: { port: 0, token: sigterm-test-token-123456 }\nevents: { store: memory }\n` +
        `upstreams:\n  u:\n    targets: [${u.url}]\nroutes:\n  - name: r\n    upstream: u\n`,
    );
    const child = spawnCli(['gateway', '--config', file]);
    cleanup.push(() => void child.kill('SIGKILL'));
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /"data":"127\.0\.0\.1:(\d+)"/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const inflight = fetch(`http://127.0.0.1:${port}/slow`).then(
      async (r) => [r.status, await r.text()] as const,
    );
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    expect(await inflight).toEqual([200, 'finished']);
    expect(await exited).toBe(0);
  });

  it('runs the quick start against an upstream with only --upstream', async () => {
    const u = await startUpstream((_req, res) => res.end('hello from upstream'));
    cleanup.push(u.close);
    const dir = mkdtempSync(join(tmpdir(), 'palisade-qs-'));
    const child = spawnCli(
      ['gateway', '--upstream', u.url, '--port', '0', '--admin-port', '0', '--host', '127.0.0.1'],
      { cwd: dir },
    );
    cleanup.push(() => void child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /"data":"127\.0\.0\.1:(\d+)"/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error(`exited early: ${out}${err}`)));
    });
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello from upstream');
    expect(err).toContain('generated an admin token');
  });
});
