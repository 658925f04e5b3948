/**
 * `aoai-probe probe`: automatic limit discovery (docs/probe.md). Runs the
 * probe's adaptive experiments (src/probe) through the shared session plumbing
 * (target or embedded simulator, consent, recording, signals), then analyses the
 * recording FILE like `report` does, so the live figures and `report` agree, and
 * prints the probe's own summary block (src/report/probe-block.ts):
 *
 *     advertised   50,000 TPM → 300 RPM → 50 per 10 s, 5 per 1 s
 *     requests     burst 5 · sustained 5.0/s · recovers in 1.0 s · sliding 1-s window
 *                  headers count a 10-s budget of 50: a burst never reaches it
 *     tokens       burst 49,967 · 49,844 per 60 s · sliding window
 *     verdict      …
 *     spent        236 requests · estimated tokens 52,000 admitted of 160,000 sent · 3,400 billed · 71 s
 */
import type { Command } from 'commander';
import { runRealtimeProbe } from './realtime.js';
import type { CliIo } from '../io.js';
import { addRunOptions, optionalCount, optionalDuration, Problems, type RawOptions } from '../options.js';
import { readRunSettings, type RunSettings } from '../run-settings.js';
import { GRACE_MS, openSession, runSession } from '../session.js';
import { renderProbeBlock } from '../../report/probe-block.js';
import { readRefusal } from '../../analysis/refusal-class.js';
import type { AnalysisResult } from '../../analysis/result-types.js';
import { EXIT } from '../../errors.js';
/** The probe's summary block lives with the other renderers; re-exported for the command's users. */
export { renderProbeBlock } from '../../report/probe-block.js';
import { runProbe, cheapestRequestTokens, DEFAULT_BUDGET, TOKEN_STAGE_REQUESTS, TOKEN_STAGE_SECONDS, type ProbeBudget } from '../../probe/index.js';

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

/** Registers `probe`. */
export function register(program: Command, io: CliIo): void {
  const command = program
    .command('probe')
    .description('find the burst, sustained rate, recovery window and shape of the limiter (and its token budget with --max-tokens)')
    .option('--budget-requests <n>', `most requests to send (default ${DEFAULT_BUDGET.requests}; ${DEFAULT_BUDGET.requests + TOKEN_STAGE_REQUESTS} with --max-tokens)`)
    .option('--budget-tokens <n>', `most tokens billed, counting each request in flight at prompt + max_tokens (default ${DEFAULT_BUDGET.billedTokens.toLocaleString('en-US')})`)
    .option('--budget-time <duration>', `longest the probe runs (default ${DEFAULT_BUDGET.seconds}s; ${DEFAULT_BUDGET.seconds + TOKEN_STAGE_SECONDS}s with --max-tokens)`);
  command
    .option('--phase-gap <duration>', 'with --kind realtime: pause between its experiments (default 60s)')
    .option('--ramp-max <n>', 'with --kind realtime: most sessions the concurrency ramp holds (default 40)')
    .option('--ramp-every <duration>', 'with --kind realtime: +2 sessions this often (default 1s)')
    .option('--opens <n>', 'with --kind realtime: sessions of the open-rate experiment (default 90)')
    .option('--opens-over <duration>', 'with --kind realtime: spread over this long (default 60s)')
    .option('--turns <k>', 'with --kind realtime: responses in the turns experiment (default 120)')
    .option('--turn-gap <duration>', 'with --kind realtime: pause between two responses (default 250ms)');
  addRunOptions(command);
  command.addHelpText(
    'after',
    `
Sharding (docs/sharding.md): the HTTP probe refuses --shard, --start-at and --coordinator
(exit 2): it chooses each experiment from the last answers, which one shard cannot see for
the others. Probe on one machine, then shard a fixed plan (burst, steady, ramp, run) at the
figures it found. probe --kind realtime runs a fixed plan, and takes --shard I/N.
`,
  );
  command.action(async (raw: RawOptions) => {
    if (raw.kind === 'realtime') {
      // WebSocket sessions instead of HTTP requests: a ramp, an open-rate run and turns.
      io.setExitCode(await runRealtimeProbe(io, raw));
      return;
    }
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
  });
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
