// The scan command on its own (bench runs need no build and no src/cli/main.ts wiring):
// node --import tsx bench/scan/cli.ts scan --spec … --target …
import { Command } from 'commander';
import { registerScanCommand } from '../../src/cli/scan.js';

const program = new Command().name('palisade');
registerScanCommand(program);
await program.parseAsync(process.argv);
