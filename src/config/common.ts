import { z } from 'zod';
import { MODES } from '../core/findings.js';

export const modeSchema = z
  .enum(MODES)
  .describe('off: control disabled; monitor: record only; block: enforce');

/** Durations are written as numbers of milliseconds or strings like `500ms`, `30s`, `5m`, `1h`, `7d`. */
export const durationSchema = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(/^\d+(ms|s|m|h|d)$/, 'expected e.g. 500ms, 30s, 5m, 1h, 7d'),
  ])
  .transform((v) => (typeof v === 'number' ? v : parseDuration(v)));

/** Sizes are numbers of bytes or strings like `512kb`, `10mb`. */
export const sizeSchema = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+(b|kb|mb|gb)$/i, 'expected e.g. 64kb, 10mb')])
  .transform((v) => (typeof v === 'number' ? v : parseSize(v)));

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`bad duration ${text}`);
  return Number(m[1]) * DURATION_UNITS[m[2]];
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
export function parseSize(text: string): number {
  const m = /^(\d+)(b|kb|mb|gb)$/i.exec(text);
  if (!m) throw new Error(`bad size ${text}`);
  return Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()];
}
