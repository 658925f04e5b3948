/**
 * The retry figures of a recording: every request line that carries `caller` and
 * `policy` is an attempt of a retrying caller; phase lines whose params name a
 * `policy` give that policy's start, its parameters and the caller limits of the run.
 * Pure: it reads only what the fold hands it, in recording order.
 */
import { POLICY_PARAM_PREFIX, type PhaseLine } from '../../record/types.js';
import type { RefusalClass } from '../summary-types.js';
import { PolicyFold, type AttemptFacts } from './policy-fold.js';
import { RETRY_RULE, bestPolicy, retryVerdict } from './ranking.js';
import type { CallerCounts, RetrySummary, RetryTimeline } from './types.js';

/** One attempt as the main fold sees it. */
export interface RetryAttemptInput {
  policy: string;
  caller: number;
  attempt: number;
  sentMs: number;
  doneMs: number;
  admitted: boolean;
  refusalClass: RefusalClass | null;
}

/** Gathers the attempts of every policy of a recording. */
export class RetryFold {
  private readonly policies = new Map<string, PolicyFold>();
  private arrival: string | null = null;
  private maxAttempts: number | null = null;
  private giveUpAfterMs: number | null = null;

  private foldOf(name: string): PolicyFold {
    let fold = this.policies.get(name);
    if (fold === undefined) {
      fold = new PolicyFold(name, {});
      this.policies.set(name, fold);
    }
    return fold;
  }

  /** A phase line; only those naming a policy matter here. */
  phase(line: PhaseLine): void {
    const name = line.params?.policy;
    if (typeof name !== 'string') return;
    const params: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(line.params)) {
      if (key.startsWith(POLICY_PARAM_PREFIX) && (typeof value === 'string' || typeof value === 'number')) params[key.slice(POLICY_PARAM_PREFIX.length)] = value;
    }
    this.foldOf(name).setPhase(line.startMs, params);
    const { arrival, maxAttempts, giveUpAfterMs } = line.params;
    if (typeof arrival === 'string') this.arrival = arrival;
    if (typeof maxAttempts === 'number') this.maxAttempts = maxAttempts;
    if (typeof giveUpAfterMs === 'number') this.giveUpAfterMs = giveUpAfterMs;
  }

  attempt(input: RetryAttemptInput): void {
    const facts: AttemptFacts = input;
    this.foldOf(input.policy).add(facts);
  }

  /** Whether any attempt of a retrying caller was seen. */
  get seen(): boolean {
    return this.policies.size > 0;
  }

  /** Callers over every policy: the `callers` block beside the request counts. */
  callers(): CallerCounts {
    const total: CallerCounts = { total: 0, done: 0, gaveUp: 0 };
    for (const fold of this.policies.values()) {
      const counts = fold.figures().callers;
      total.total += counts.total;
      total.done += counts.done;
      total.gaveUp += counts.gaveUp;
    }
    return total;
  }

  summary(): RetrySummary {
    const policies = [...this.policies.values()].map((fold) => fold.figures());
    return {
      policies,
      best: bestPolicy(policies)?.name ?? null,
      rule: RETRY_RULE,
      verdict: retryVerdict(policies),
      arrival: this.arrival,
      maxAttempts: this.maxAttempts,
      giveUpAfterSeconds: this.giveUpAfterMs === null ? null : this.giveUpAfterMs / 1000,
    };
  }

  timelines(): RetryTimeline[] {
    return [...this.policies.values()].map((fold) => fold.timeline());
  }
}
