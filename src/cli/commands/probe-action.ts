/**
 * What `aoai-probe probe` does over HTTP (its flags are in probe.ts; `--kind realtime`
 * is realtime-action.ts): checks the budget flags, runs the adaptive experiments of
 * src/probe through the session, and prints the probe's summary block.
 */
import type { CliIo } from '../io.js';
import { optionalCount, optionalDuration, Problems, type RawOptions } from '../options.js';
import { readRunSettings, type RunSettings } from '../run-settings.js';
import { renderProbeBlock } from '../../report/probe-block.js';
import { readRefusal } from '../../analysis/refusal-class.js';
import type { AnalysisResult } from '../../analysis/result-types.js';
import { EXIT } from '../../errors.js';
/** The probe's summary block lives with the other renderers; re-exported for the command's users. */
export { renderProbeBlock } from '../../report/probe-block.js';
import { cheapestRequestTokens, DEFAULT_BUDGET, TOKEN_STAGE_REQUESTS, TOKEN_STAGE_SECONDS, type ProbeBudget } from '../../probe/budget.js';

/** Prompt tokens assumed for the billed-tokens worst case when --prompt-tokens is not given (the default prompt is short). */
const DEFAULT_PROMPT_TOKENS = 40;

/** The budget from the flags; the defaults fit the accuracy goal (≤ 400 requests and ≤ 2 minutes, plus the token stage). */
export function probeBudget(requests: number | null, billedTokens: number | null, timeMs: number | null, tokens: boolean): ProbeBudget {
  return {
    requests: requests ?? DEFAULT_BUDGET.requests + (tokens ? TOKEN_STAGE_REQUESTS : 0),
    billedTokens: billedTokens ?? DEFAULT_BUDGET.billedTokens,
    seconds: timeMs !== null ? timeMs / 1000 : DEFAULT_BUDGET.seconds + (tokens ? TOKEN_STAGE_SECONDS : 0),
  };
}

/** Runs the HTTP `probe` with the flags commander parsed; sets the exit code. */
export async function runHttpProbe(io: CliIo, raw: RawOptions): Promise<void> {
  const problems = new Problems();
  const budgetRequests = optionalCount(problems, raw.budgetRequests, '--budget-requests', 5);
  const budgetTokens = optionalCount(problems, raw.budgetTokens, '--budget-tokens');
  const budgetTime = optionalDuration(problems, raw.budgetTime, '--budget-time');
  if (budgetTime !== null && budgetTime < 5000) problems.add(`--budget-time: ${String(raw.budgetTime)} is too short to measure anything; give at least 5s, e.g. --budget-time 2m`);
  const settings = problems.attempt(() => readRunSettings(raw, io.cwd, io.env));
  problems.throwIfAny();
  const runSettings = settings as RunSettings;
  const maxTokens = runSettings.payload.maxTokens;
  const budget = probeBudget(budgetRequests, budgetTokens, budgetTime, maxTokens !== null);
  const cheapest = cheapestRequestTokens(runSettings.payload.promptTokens ?? DEFAULT_PROMPT_TOKENS, maxTokens);
  if (budget.billedTokens < cheapest) {
    problems.add(`--budget-tokens: ${budget.billedTokens.toLocaleString('en-US')} cannot pay for one probe request (${cheapest.toLocaleString('en-US')} tokens: prompt + max_tokens), so the probe would send nothing; give at least ${cheapest.toLocaleString('en-US')}, e.g. --budget-tokens 20000`);
    problems.throwIfAny();
  }
  // The session and the prober load once the flags are good: bad input exits 2 without them (session.ts says why).
  const { GRACE_MS, openSession, runSession } = await import('../session.js');
  const { runProbe } = await import('../../probe/index.js');
  const session = await openSession(io, {
    command: 'probe',
    settings: runSettings,
    scenario: { budgetRequests: budget.requests, budgetTokens: budget.billedTokens, budgetSeconds: budget.seconds, tokensMaxTokens: maxTokens },
    plannedRequests: budget.requests,
  });
  if (session === null) return;

  let messages: string[] = [];
  const code = await runSession(
    session,
    async () => {
      const outcome = await runProbe({
        clock: session.clock,
        transport: session.transport,
        sink: session.sink,
        targetId: session.target.id,
        budget,
        tokens: maxTokens === null ? null : { maxTokens },
        promptTokens: runSettings.payload.promptTokens ?? DEFAULT_PROMPT_TOKENS,
        advertised: { tpm: session.advertised.tpm, rpm: session.advertised.rpm },
        refusalClassOf: (request) => readRefusal(request)?.refusalClass ?? null,
        stopSignal: session.stopSignal,
        abortSignal: session.abortSignal,
        graceMs: GRACE_MS,
        ...(runSettings.maxInFlight !== null ? { maxInFlight: runSettings.maxInFlight } : {}),
      });
      messages = outcome.messages;
      return { reason: session.interrupted() ? 'interrupted' : outcome.endReason, ...(messages.length > 0 ? { message: messages.join(' ') } : {}) };
    },
    () => ({ humanText: (result, width) => renderProbeBlock(result.summary, width), notes: messages, exitCodeOf: nothingAnsweredExitCode }),
  );
  io.setExitCode(code);
}

/**
 * Exit 2 when every request of the probe failed (resets, broken bodies, errors) and so
 * nothing was admitted or refused: the probe measured nothing, which is not "ok" (0), not a
 * bug (1) and no expectation (3); like a target that refuses the credential at the start,
 * the target as given is unusable input. A probe that saw a single 2xx or 429 exits 0.
 */
function nothingAnsweredExitCode(result: AnalysisResult): number | null {
  const { sent, ok, throttled } = result.summary.requests;
  return sent > 0 && ok === 0 && throttled === 0 ? EXIT.input : null;
}
