import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Proc {
  child: ChildProcess;
  /** Peak resident set size so far, in MB (VmHWM). */
  peakRssMb(): number;
  /** CPU time (user + system) the process used so far, in ms (10 ms resolution). */
  cpuMs(): number;
  stop(): Promise<void>;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime from /proc/<pid>/stat (fields 14 and 15, counted after the parenthesised name). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Starts a process and resolves once `ready` matches its output. */
export function startProc(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  cwd?: string,
): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      if (ready.test(out)) {
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve({
          child,
          peakRssMb() {
            const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
            const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
            return Math.round(kb / 1024);
          },
          cpuMs: () => cpuMsOf(child.pid!),
          stop: () =>
            new Promise<void>((r) => {
              if (child.exitCode !== null) return r();
              child.once('exit', () => r());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 5000).unref();
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out.slice(-2000)}`)),
    );
  });
}
