/**
 * The backend pool: which backend the next forwarded request goes to.
 *
 * `priority` follows APIM's pool: only the best (lowest-numbered) priority with
 * an available backend is used, and its backends share by weight. `weighted`
 * ignores priority; `round-robin` ignores priority and weight.
 *
 * Why smooth weighted round-robin rather than a random draw by weight: APIM
 * draws, but a simulator must give exact, repeatable sequences so tests can
 * assert every pick on a fake clock. Smooth weighted round-robin (the algorithm
 * nginx uses for weighted upstreams) gives the same long-run shares with no
 * randomness: weights 2 and 1 give a, b, a, a, b, a, …
 */
import type { BackendSpec, RoutingMode } from './spec.js';

/** Picks backends; `available` says which are in the pool right now (breaker closed). */
export class BackendPool {
  private readonly current = new Map<string, number>();
  private nextIndex = 0;

  constructor(
    readonly backends: readonly BackendSpec[],
    readonly routing: RoutingMode,
  ) {}

  /** The backend for the next call, or undefined when none is available (every breaker open). */
  pick(available: (backend: BackendSpec) => boolean): BackendSpec | undefined {
    let candidates = this.backends.filter(available);
    if (candidates.length === 0) return undefined;
    if (this.routing === 'round-robin') return this.roundRobin(candidates);
    if (this.routing === 'priority') {
      const best = Math.min(...candidates.map((backend) => backend.priority));
      candidates = candidates.filter((backend) => backend.priority === best);
    }
    return this.smoothWeighted(candidates);
  }

  /** The next backend after the last one picked, in declaration order, skipping unavailable ones. */
  private roundRobin(candidates: BackendSpec[]): BackendSpec {
    for (let step = 0; step < this.backends.length; step++) {
      const backend = this.backends[(this.nextIndex + step) % this.backends.length]!;
      if (candidates.includes(backend)) {
        this.nextIndex = (this.backends.indexOf(backend) + 1) % this.backends.length;
        return backend;
      }
    }
    return candidates[0]!;
  }

  /** nginx's smooth weighted round-robin over the candidates (ties go to the earlier-declared). */
  private smoothWeighted(candidates: BackendSpec[]): BackendSpec {
    let total = 0;
    let chosen: BackendSpec | undefined;
    let chosenValue = Number.NEGATIVE_INFINITY;
    for (const backend of candidates) {
      const value = (this.current.get(backend.name) ?? 0) + backend.weight;
      this.current.set(backend.name, value);
      total += backend.weight;
      if (value > chosenValue) {
        chosen = backend;
        chosenValue = value;
      }
    }
    this.current.set(chosen!.name, chosenValue - total);
    return chosen!;
  }
}
