import type { ScanProgress } from './runner.js';

/** A progress bar on a TTY, plain lines otherwise (CI); always on stderr. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (p: ScanProgress) => void {
  const tty = !!stream.isTTY && !process.env.CI;
  let lastPhase = '';
  return (p) => {
    if (tty) {
      const width = 30;
      const ratio = p.total ? p.done / p.total : 1;
      const bar = '#'.repeat(Math.round(ratio * width)).padEnd(width, '.');
      const label = p.phase === 'baseline' ? 'baseline' : p.phase === 'check' ? 'checks' : 'done';
      stream.write(`\r[${bar}] ${label} ${p.done}/${p.total} ${p.name.slice(0, 40).padEnd(40)}`);
      if (p.phase === 'done') stream.write('\n');
      return;
    }
    if (p.phase === 'baseline') {
      if (lastPhase !== 'baseline')
        stream.write(`palisade scan: recording baselines for ${p.total} operations\n`);
    } else if (p.phase === 'check') stream.write(`palisade scan: [${p.done + 1}/${p.total}] ${p.name}\n`);
    else stream.write('palisade scan: done\n');
    lastPhase = p.phase;
  };
}
