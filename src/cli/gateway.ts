import type { Command } from 'commander';
import { type LoadedConfig, loadConfigFile, parseConfig, quickstartConfig } from '../config/load.js';
import { Gateway } from '../gateway/gateway.js';
import { reportConfigError } from './io.js';

export interface GatewayCliOptions {
  config?: string;
  upstream?: string;
  port?: string;
  adminPort?: string;
  openapi?: string;
  mode?: 'block' | 'monitor' | 'off';
  host?: string;
}

export async function loadGatewayConfig(opts: GatewayCliOptions): Promise<LoadedConfig> {
  if (opts.config) return loadConfigFile(opts.config);
  if (!opts.upstream) throw new Error('either --config FILE or --upstream URL is required');
  const raw = quickstartConfig({
    upstream: opts.upstream,
    port: opts.port !== undefined ? Number(opts.port) : undefined,
    adminPort: opts.adminPort !== undefined ? Number(opts.adminPort) : undefined,
    openapi: opts.openapi,
    mode: opts.mode,
    host: opts.host,
  });
  return { config: parseConfig(raw), baseDir: process.cwd() };
}

/** Starts a gateway and keeps it running until SIGTERM/SIGINT; SIGHUP reloads the config file. */
export async function runGateway(
  opts: GatewayCliOptions,
  banner?: (gw: Gateway) => void,
): Promise<Gateway | undefined> {
  let gateway: Gateway;
  try {
    const loaded = await loadGatewayConfig(opts);
    gateway = await Gateway.start({
      loaded,
      watchConfig: Boolean(opts.config),
      onGeneratedToken: (token, file) =>
        process.stderr.write(`palisade: generated an admin token (kept in ${file}):\n  ${token}\n`),
    });
  } catch (err) {
    if (reportConfigError(err)) return undefined;
    process.stderr.write(`palisade: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return undefined;
  }
  const data = gateway.dataAddress;
  const admin = gateway.adminAddress;
  gateway.logger.info(
    { data: `${data.address}:${data.port}`, admin: `${admin.address}:${admin.port}` },
    'palisade gateway listening',
  );
  banner?.(gateway);
  process.on('SIGHUP', () => void gateway.reload());
  const shutdown = (signal: string) => {
    gateway.logger.info({ signal }, 'draining');
    gateway.stop().then(
      () => {
        process.exitCode = 0;
      },
      (err) => {
        gateway.logger.error({ err }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return gateway;
}

export function registerGatewayCommand(program: Command): void {
  program
    .command('gateway')
    .description('Run the protecting reverse proxy')
    .option('-c, --config <file>', 'palisade.yaml')
    .option('--upstream <url>', 'quick start: protect this upstream with the default profile')
    .option('--port <port>', 'data port (quick start)', '8080')
    .option('--admin-port <port>', 'admin port (quick start)', '9090')
    .option('--host <host>', 'data bind address (quick start)')
    .option('--openapi <file>', 'OpenAPI document of the upstream (quick start)')
    .option('--mode <mode>', 'block | monitor | off (quick start)')
    .action(async (opts: GatewayCliOptions) => {
      await runGateway(opts);
    });
}
