/**
 * Durations and rates as people write them: `500ms`, `10s`, `2m`, `1h`,
 * `1m30s`; `5/s`, `300/m`, `50/10s`, `2.5/s`.
 *
 * Each parser returns a number or throws an InputError whose message names the value,
 * what was expected and an example, so the CLI and the scenario validator can show it
 * as is. Hand-written because the formats are tiny and the messages must be ours;
 * `ms`-style packages accept things like "1 year" and return undefined silently.
 */
import { InputError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;

/** Parses `500ms`, `10s`, `2m`, `1h`, `1m30s`, `1.5s` into milliseconds. `0` alone is accepted. */
export function parseDuration(text: string, what = 'duration'): number {
  const value = String(text).trim();
  if (value === '0') return 0;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = DURATION_PART.exec(value)) !== null) {
    total += Number(match[1]) * (UNIT_MS[match[2]!] ?? Number.NaN);
    consumed = DURATION_PART.lastIndex;
  }
  if (value === '' || consumed !== value.length || !Number.isFinite(total)) {
    throw new InputError(`${what}: "${text}" is not a duration; write it like 500ms, 10s, 2m or 1m30s`);
  }
  return total;
}

/** Parses `5/s`, `300/m`, `50/10s`, `0.5/s` into requests per second. */
export function parseRate(text: string, what = 'rate'): number {
  const value = String(text).trim();
  const match = /^(\d+(?:\.\d+)?)\s*\/\s*(\S+)$/.exec(value);
  if (!match) {
    throw new InputError(`${what}: "${text}" is not a rate; write it like 5/s, 300/m or 50/10s`);
  }
  const count = Number(match[1]);
  if (!Number.isFinite(count)) {
    throw new InputError(`${what}: "${text}" is not a rate a run can keep; write it like 5/s, 300/m or 50/10s`);
  }
  const periodText = match[2]!;
  // "/s" means per one second; "/10s" per ten.
  const periodMs = /^\d/.test(periodText) ? parseDuration(periodText, what) : parseDuration(`1${periodText}`, what);
  if (periodMs <= 0) {
    throw new InputError(`${what}: "${text}" has a zero period; write it like 5/s`);
  }
  return (count * 1000) / periodMs;
}

/** Parses a whole number ≥ `min` (default 1). */
export function parseCount(text: string, what: string, min = 1): number {
  const value = String(text).trim();
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new InputError(`${what}: "${text}" is not a whole number ≥ ${min}; e.g. ${what.startsWith('--') ? what + ' ' : ''}${Math.max(min, 20)}`);
  }
  return Number(value);
}

/** Parses `300ms` or `300ms±100ms` (also `300ms+-100ms`) into a mean and a spread, ms. */
export function parseLatency(text: string, what = '--latency'): { meanMs: number; spreadMs: number } {
  const [mean, spread] = String(text).split(/±|\+-/);
  if (mean === undefined) throw new InputError(`${what}: "${text}" is not a latency; write it like 300ms or 300ms±100ms`);
  const meanMs = parseDuration(mean, what);
  const spreadMs = spread === undefined ? 0 : parseDuration(spread, what);
  return { meanMs, spreadMs };
}
