import { readFile } from 'node:fs/promises';
import SwaggerParser from '@apidevtools/swagger-parser';
import { request } from 'undici';
import { parse as parseYaml } from 'yaml';
import type { ApiModel } from '../types.js';
import { readHar } from './har.js';
import { readOpenApi } from './openapi.js';
import { readPostman } from './postman.js';

export class SpecError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SpecError';
  }
}

const MAX_SPEC_BYTES = 20 * 1024 * 1024;

async function fetchText(url: string): Promise<string> {
  const res = await request(url, { method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 });
  if (res.statusCode >= 400) {
    await res.body.dump();
    throw new SpecError(`could not fetch the API description ${url}: HTTP ${res.statusCode}`);
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) {
    size += chunk.length;
    if (size > MAX_SPEC_BYTES) throw new SpecError(`API description ${url} is larger than 20 MB`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseDocument(text: string, source: string): any {
  const trimmed = text.trimStart();
  try {
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) return JSON.parse(text);
    return parseYaml(text, { maxAliasCount: 1000 });
  } catch (err) {
    throw new SpecError(`${source} is neither valid JSON nor YAML: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Loads an API description: OpenAPI 3.0/3.1, Swagger 2.0, Postman collection v2.1 or HAR.
 * `location` is a file path, an absolute URL, or a path on the target (`/openapi.json`).
 */
export async function loadApi(location: string, target?: string): Promise<ApiModel> {
  let source = location;
  let text: string;
  let isUrl = /^https?:\/\//i.test(location);
  if (!isUrl && location.startsWith('/') && target) {
    // a path that does not exist locally is read from the target
    try {
      text = await readFile(location, 'utf8');
    } catch {
      source = new URL(location, target).toString();
      isUrl = true;
      text = '';
    }
  } else {
    text = '';
  }
  try {
    if (isUrl) text = await fetchText(source);
    else if (!text) text = await readFile(location, 'utf8');
  } catch (err) {
    if (err instanceof SpecError) throw err;
    throw new SpecError(`cannot read the API description ${source}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const doc = parseDocument(text, source);
  if (doc === null || typeof doc !== 'object') throw new SpecError(`${source} is not an API description`);
  if (typeof doc.openapi === 'string' || typeof doc.swagger === 'string') {
    let api: any;
    try {
      api = await SwaggerParser.dereference(isUrl ? source : location, doc, {
        resolve: { external: !isUrl, http: false } as any,
        dereference: { circular: true },
      } as any);
    } catch (err) {
      throw new SpecError(`invalid OpenAPI/Swagger document ${source}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return readOpenApi(api, source);
  }
  if (doc.log && Array.isArray(doc.log.entries)) return readHar(doc, source);
  if (Array.isArray(doc.item) && doc.info) return readPostman(doc, source);
  throw new SpecError(`${source}: unknown format (expected OpenAPI 3, Swagger 2.0, Postman v2.1 or HAR)`);
}
