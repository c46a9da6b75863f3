// Writes docs/palisade.schema.json (for editors) and docs/configuration.md (the reference in the
// README) from the one zod schema. `--check` fails when the committed files are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../src/cli/config.js';

type Schema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  required?: string[];
  minimum?: number;
  maximum?: number;
};

function typeOf(s: Schema): string {
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return [...new Set(alts.map(typeOf))].join(' \\| ');
  if (s.type === 'array') return `${s.items ? typeOf(s.items) : 'any'}[]`;
  if (Array.isArray(s.type)) return s.type.join(' \\| ');
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object' && !s.properties) {
    return `map of ${typeOf(s.additionalProperties)}`;
  }
  return s.type ?? 'any';
}

function rows(s: Schema, path: string, out: string[]): void {
  const alts = s.anyOf ?? s.oneOf;
  const objectAlt = alts?.find((a) => a.properties);
  const props = s.properties ?? objectAlt?.properties;
  if (props) {
    for (const [key, child] of Object.entries(props)) {
      const p = path ? `${path}.${key}` : key;
      const dflt = child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``;
      const desc = (child.description ?? objectAlt?.description ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
      out.push(`| \`${p}\` | ${typeOf(child)} | ${dflt} | ${desc} |`);
      rows(child, p, out);
    }
  } else if (s.type === 'array' && s.items) {
    rows(s.items, `${path}[]`, out);
  } else if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
    rows(s.additionalProperties, `${path}.<name>`, out);
  }
}

export function renderDocs(): { schema: string; markdown: string } {
  const schema = configJsonSchema() as Schema;
  const out: string[] = [];
  rows(schema, '', out);
  const markdown = [
    '# Configuration reference',
    '',
    'Generated from the zod schema by `npm run docs:config`; do not edit by hand. Durations are',
    'milliseconds or strings such as `500ms`, `30s`, `5m`, `7d`; sizes are bytes or `64kb`, `10mb`.',
    '`${ENV_NAME}` and `${ENV_NAME:-default}` in any string are replaced from the environment.',
    'Editors can validate palisade.yaml with [palisade.schema.json](palisade.schema.json).',
    '',
    '| key | type | default | description |',
    '|---|---|---|---|',
    ...out,
    '',
  ].join('\n');
  return { schema: `${JSON.stringify(schema, null, 2)}\n`, markdown };
}

const docs = fileURLToPath(new URL('../docs/', import.meta.url));
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { schema, markdown } = renderDocs();
  if (process.argv.includes('--check')) {
    const stale = [
      ['palisade.schema.json', schema],
      ['configuration.md', markdown],
    ].filter(([f, text]) => {
      try {
        return readFileSync(docs + f, 'utf8') !== text;
      } catch {
        return true;
      }
    });
    if (stale.length) {
      process.stderr.write(`stale: ${stale.map(([f]) => `docs/${f}`).join(', ')} (run npm run docs:config)\n`);
      process.exitCode = 1;
    }
  } else {
    writeFileSync(`${docs}palisade.schema.json`, schema);
    writeFileSync(`${docs}configuration.md`, markdown);
  }
}
