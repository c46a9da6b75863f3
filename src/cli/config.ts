import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import pino from 'pino';
import { loadConfigFile } from '../config/load.js';
import { configSchema } from '../config/schema.js';
import { buildRuntime, closeRuntime } from '../gateway/runtime.js';
import { MemorySharedState } from '../store/shared-state.js';
import { reportConfigError } from './io.js';

/** Validates a config file completely: schema, then compiling every route's pipeline (specs, keys, rules). */
export async function checkConfig(file: string): Promise<void> {
  try {
    const loaded = await loadConfigFile(file);
    const state = new MemorySharedState();
    const runtime = await buildRuntime(loaded.config, {
      baseDir: loaded.baseDir,
      logger: pino({ level: 'silent' }),
      state,
      registerAdminRoute: () => undefined,
      background: () => undefined,
    });
    await closeRuntime(runtime);
    await state.close();
    process.stdout.write(`${file}: ok (${loaded.config.routes.length} routes)\n`);
  } catch (err) {
    if (!reportConfigError(err)) throw err;
  }
}

export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('Validate configuration and export its JSON Schema');
  config
    .command('check')
    .argument('<file>', 'palisade.yaml')
    .description('Print every problem as key.path: message (exit 2) or ok')
    .action(checkConfig);
  config
    .command('schema')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .description('Write the JSON Schema of palisade.yaml for editors')
    .action(async (opts: { out?: string }) => {
      const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
      if (opts.out) await writeFile(opts.out, text);
      else process.stdout.write(text);
    });
}
