import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { runGateway } from './gateway.js';

const examples = new URL('../../examples/', import.meta.url);

/** `npm start`: the demo upstream plus the gateway configured by examples/palisade.yaml. */
export async function runDemo(opts: { upstreamPort: string }): Promise<void> {
  const { startDemoUpstream } = (await import(new URL('demo-upstream/server.js', examples).href)) as {
    startDemoUpstream(port: number): Promise<Server>;
  };
  const upstream = await startDemoUpstream(Number(opts.upstreamPort));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  process.env.PALISADE_DEMO_UPSTREAM ??= upstreamUrl;
  const gateway = await runGateway({ config: fileURLToPath(new URL('palisade.yaml', examples)) }, (gw) => {
    const data = `http://127.0.0.1:${gw.dataAddress.port}`;
    const admin = `http://127.0.0.1:${gw.adminAddress.port}`;
    process.stdout.write(
      [
        '',
        `Palisade demo is running.`,
        `  gateway:  ${data}   (in front of the demo upstream at ${upstreamUrl})`,
        `  admin:    ${admin}   (token in .palisade/admin-token)`,
        '',
        'Try:',
        `  curl -s ${data}/api/users/1                                   # a normal call`,
        `  curl -s "${data}/api/files?name=../../etc/passwd"              # an attack: blocked`,
        `  curl -s -H "Authorization: Bearer $(cat .palisade/admin-token)" "${admin}/api/events?limit=5"   # the event`,
        '',
      ].join('\n'),
    );
  });
  if (!gateway) upstream.close();
  else process.once('SIGTERM', () => upstream.close());
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Run the gateway in front of the bundled demo upstream')
    .option('--upstream-port <port>', 'port of the demo upstream (0 = any free port)', '0')
    .action(runDemo);
}
