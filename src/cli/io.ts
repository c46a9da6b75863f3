import { ConfigError } from '../core/errors.js';

/** Prints a config problem as one `key.path: message` line each and sets exit code 2. */
export function reportConfigError(err: unknown): boolean {
  if (!(err instanceof ConfigError)) return false;
  for (const issue of err.issues) process.stderr.write(`${issue.path || '(root)'}: ${issue.message}\n`);
  process.exitCode = 2;
  return true;
}
