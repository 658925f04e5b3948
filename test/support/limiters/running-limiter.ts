/** A real limiter started by a test, with what the probe should find about it. */
import type { Truth } from '../../probe/support/cases.js';

/** A real limiter on a loopback port. */
export interface RunningLimiter {
  /** Readable settings, e.g. `nginx limit_req rate=10r/s burst=5 nodelay`. */
  name: string;
  /** The URL to probe (`--url`). */
  url: string;
  /** What the probe should report (the definitions of docs/summary.md applied to the settings). */
  truth: Truth;
  stop(): Promise<void>;
}
