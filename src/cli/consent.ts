/**
 * Consent before sending to anything but this machine: the plan as a
 * person reads it, and the check that a plan above --max-requests or the token budget
 * was agreed to with --yes. Nothing here sends or writes.
 */
import { InputError } from '../errors.js';
import type { TargetSpec } from '../run/types.js';
import { describeTarget } from '../run/target.js';
import { isLoopbackUrl } from '../run/loopback.js';
import type { RunSettings } from './run-settings.js';
import type { SessionPlan } from './session.js';

/** Is every request going to this machine? Loopback targets need no consent (src/run/loopback.ts has the rule). */
export { isLoopbackUrl };

/** The plan as a person reads it before consenting (the URL without secrets). */
export function planText(plan: SessionPlan, target: TargetSpec | null, targets: readonly TargetSpec[] = []): string {
  const where =
    targets.length > 1
      ? `${targets.length} targets (${targets.map((spec) => `${spec.id} ${describeTarget(spec).url}`).join(', ')})`
      : target === null
        ? 'the embedded simulator'
        : describeTarget(target).url;
  const perRequest = estimatedTokensPerRequest(plan.settings);
  const tokens = formatCount(plannedTokens(plan));
  return `Plan: ${plan.command}, up to ${formatCount(plan.plannedRequests)} requests to ${where}; the limiter will count about ${tokens} tokens (≈${formatCount(perRequest)} per request, mostly max_tokens; the bill is far smaller).\n`;
}

/** A rough figure for the plan only; the recording holds each request's own estimate. */
function estimatedTokensPerRequest(settings: RunSettings): number {
  return (settings.payload.promptTokens ?? 20) + (settings.payload.maxTokens ?? 650);
}

/** Estimated tokens the limiter counts over the whole plan: the figure the token budget is checked against. */
export function plannedTokens(plan: SessionPlan): number {
  return plan.plannedRequests * estimatedTokensPerRequest(plan.settings);
}

/**
 * Against anything but loopback, plans above --max-requests or above the token budget
 * (--max-estimated-tokens) need --yes. Throws before anything is sent;
 * both limits are named when both are exceeded.
 */
export function checkConsent(plan: SessionPlan): void {
  const { settings } = plan;
  if (settings.yes || settings.dryRun) return;
  const problems: string[] = [];
  if (plan.plannedRequests > settings.maxRequests) {
    problems.push(
      `this plan sends up to ${formatCount(plan.plannedRequests)} requests to a real target, above --max-requests ${formatCount(settings.maxRequests)}; add --yes to run it, raise --max-requests, or use --dry-run to only see the plan`,
    );
  }
  const tokens = plannedTokens(plan);
  if (tokens > settings.maxEstimatedTokens) {
    problems.push(
      `this plan makes the limiter count about ${formatCount(tokens)} tokens, above --max-estimated-tokens ${formatCount(settings.maxEstimatedTokens)}; add --yes to run it, raise --max-estimated-tokens, lower --max-tokens, or use --dry-run to only see the plan`,
    );
  }
  if (problems.length > 0) throw new InputError(problems);
}

/** A count as people read it: 12,345. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
