/**
 * The base/factor/cap parameters every exponential policy (and every header policy's
 * fallback) shares, with the defaults of the most common recipe: 0.5 s doubling up to 8 s
 * (the same curve the openai SDK uses before its jitter).
 */
import type { ExponentialParams } from '../backoff.js';
import { numberParam, type ParamDefinition, type ParamValues } from '../definition.js';

/** base, factor, cap. */
export const EXPONENTIAL_PARAMS: readonly ParamDefinition[] = [
  { name: 'base', kind: 'duration', defaultValue: '500ms', help: 'wait before the first retry' },
  { name: 'factor', kind: 'number', defaultValue: '2', min: 1, help: 'each wait is the previous one times this' },
  { name: 'cap', kind: 'duration', defaultValue: '8s', help: 'longest single wait' },
];

/** Reads base, factor and cap from parsed values. */
export function exponentialParamsOf(values: ParamValues): ExponentialParams {
  return { baseMs: numberParam(values, 'base'), factor: numberParam(values, 'factor'), capMs: numberParam(values, 'cap') };
}
