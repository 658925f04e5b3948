/**
 * Injected faults and quirks, each switchable, drawn per request at a set rate:
 * with probability `faultRate` a request gets one fault, chosen uniformly from
 * the enabled list (so with one kind enabled, `faultRate` is that kind's rate).
 *
 * Two sorts:
 * - answers that replace the normal one, nothing charged: `500`, `503`,
 *   `capacity` (Azure's "high demand" 429), `reset` (the connection is dropped
 *   without an answer);
 * - quirks that alter the normal answer: `slow-body` (the body arrives in two
 *   halves `slowBodyMs` apart), `no-retry-after` (a 429 without `retry-after` /
 *   `retry-after-ms`, as Azure sent some in Dec 2023), `minus-one-headers`
 *   (`x-ratelimit-*` read `-1` and resets `0`, as the Responses API did in
 *   Nov 2025). A quirk drawn for an answer it does not apply to changes nothing.
 */

/** Every fault the simulator can inject. */
export const FAULT_KINDS = ['500', '503', 'reset', 'capacity', 'slow-body', 'no-retry-after', 'minus-one-headers'] as const;

/** One of FAULT_KINDS. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The faults used when a fault rate is set and no list is given. */
export const DEFAULT_FAULTS: readonly FaultKind[] = ['500', '503', 'reset', 'capacity'];

/** Draws the fault of one request, or undefined for none. `random` returns [0, 1). */
export function pickFault(faultRate: number, faults: readonly FaultKind[], random: () => number): FaultKind | undefined {
  if (faultRate <= 0 || faults.length === 0) return undefined;
  if (random() >= faultRate) return undefined;
  return faults[Math.min(faults.length - 1, Math.floor(random() * faults.length))];
}

/** The `minus-one-headers` quirk: every `x-ratelimit-*` value becomes -1, resets become 0. */
export function applyMinusOneHeaders(headers: Record<string, string>): void {
  for (const name of Object.keys(headers)) {
    if (!name.startsWith('x-ratelimit-')) continue;
    headers[name] = name.startsWith('x-ratelimit-reset') ? '0' : '-1';
  }
}

/** The `no-retry-after` quirk: the retry hints disappear (the message text keeps its wait). */
export function removeRetryHints(headers: Record<string, string>): void {
  delete headers['retry-after'];
  delete headers['retry-after-ms'];
}
