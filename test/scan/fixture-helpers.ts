import { request } from 'undici';
import { type Fixture, SPEC_PATH, startFixture } from '../fixtures/vuln-api/app.js';

export { SPEC_PATH };

export interface Twin {
  fixture: Fixture;
  tokenA: string;
  tokenB: string;
}

async function login(url: string, username: string, password: string): Promise<string> {
  const res = await request(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.body.json()) as { token?: string };
  if (!body.token) throw new Error(`login ${username} failed: ${res.statusCode}`);
  return body.token;
}

/** Starts one twin and logs in its two normal users (alice = A, bob = B). */
export async function startTwin(hardened: boolean): Promise<Twin> {
  const fixture = await startFixture({ hardened });
  const tokenA = await login(fixture.url, 'alice', 'alice-Pass-1');
  const tokenB = await login(fixture.url, 'bob', 'bob-Pass-1');
  return { fixture, tokenA, tokenB };
}
