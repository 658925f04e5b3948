/**
 * `aoai-probe probe`: automatic limit discovery (issue 5, PRODUCT §2). Runs the
 * probe's adaptive experiments (src/probe) through the shared session plumbing
 * (target or embedded simulator, consent, recording, signals), then analyses the
 * recording FILE like `report` does, so the live figures and `report` agree, and
 * prints the probe's own summary block:
 *
 *     advertised   50,000 TPM → 300 RPM → 50 per 10 s, 5 per 1 s
 *     requests     burst 5 · sustained 5.0/s · recovers in 1.0 s · sliding 1-s window
 *                  headers count a 10-s budget of 50: a burst never reaches it
 *     tokens       burst 49,967 · 49,844 per 60 s · sliding window
 *     verdict      …
 *     spent        236 requests, ~3,400 billed tokens, ~160,000 estimated charged tokens, 71 s
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { addRunOptions, optionalCount, optionalDuration, Problems, type RawOptions } from '../options.js';
import { readRunSettings, type RunSettings } from '../run-settings.js';
import { abandonSession, analyseRecordingFile, endForBadConfiguration, openSession, renderOutputs } from '../session.js';
import { EXIT } from '../../errors.js';
import type { Summary } from '../../analysis/summary-types.js';
import { readRefusal } from '../../analysis/refusal-class.js';
import { evaluateExpectations } from '../../expect/evaluate.js';
import { assertExpectationsMet } from '../../expect/failures.js';
import { runProbe, DEFAULT_BUDGET, TOKEN_STAGE_REQUESTS, TOKEN_STAGE_SECONDS, type ProbeBudget, type ProbeOutcome } from '../../probe/index.js';

/** Prompt tokens assumed for the billed-tokens worst case when --prompt-tokens is not given (the default prompt is short). */
const DEFAULT_PROMPT_TOKENS = 40;

/** A number for the block: grouped thousands, at most `decimals` decimals. */
function figure(value: number, decimals = 0): string {
  const factor = 10 ** decimals;
  return (Math.round(value * factor) / factor).toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: decimals });
}

/** Seconds as a person reads them: "250 ms", "1.0 s", "60 s". */
function seconds(value: number): string {
  if (value < 0.95) return `${figure(value * 1000, 0)} ms`;
  return value < 10 ? `${value.toFixed(1)} s` : `${figure(value, 0)} s`;
}

/** "sliding 1-s window", "token bucket", "fixed 10-s window", "concurrency cap". */
function shapeWords(shape: string, windowSeconds: number | null): string {
  const window = windowSeconds === null ? '' : `${figure(windowSeconds, windowSeconds < 10 ? 1 : 0)}-s `;
  switch (shape) {
    case 'token-bucket':
      return 'token bucket';
    case 'fixed-window':
      return `fixed ${window}window`;
    case 'sliding-window':
      return `sliding ${window}window`;
    case 'concurrency':
      return 'concurrency cap';
    case 'none-observed':
      return 'no limit reached';
    default:
      return 'shape unknown';
  }
}

/** Wraps text to `width` columns, continuation lines indented by `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/).filter((word) => word !== '');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.join(`\n${indent}`);
}

/** The probe's summary block (issue 5's "what a user sees"), from the analysed recording. */
export function renderProbeBlock(summary: Summary, width = 80): string {
  const label = (name: string): string => name.padEnd(13);
  const indent = ' '.repeat(13);
  const textWidth = Math.max(40, Math.min(width, 100) - 13);
  const lines: string[] = [];

  const { tpm, rpm, requestsPer10s, requestsPer1s } = summary.advertised;
  const advertisedParts: string[] = [];
  if (tpm !== null) advertisedParts.push(`${figure(tpm)} TPM`);
  if (rpm !== null) advertisedParts.push(`${figure(rpm)} RPM`);
  if (requestsPer10s !== null && requestsPer1s !== null) advertisedParts.push(`${figure(requestsPer10s, 1)} per 10 s, ${figure(requestsPer1s, 1)} per 1 s`);
  lines.push(`${label('advertised')}${advertisedParts.length > 0 ? advertisedParts.join(' → ') : 'nothing given (use --tpm or --rpm to compare)'}`);

  const requests = summary.effective.requests;
  if (requests.burst !== null && requests.perSecond !== null) {
    const parts = [
      `burst ${figure(requests.burst)}`,
      `sustained ${requests.perSecond.toFixed(requests.perSecond < 1 ? 2 : 1)}/s`,
      ...(requests.windowSeconds !== null ? [`recovers in ${seconds(requests.windowSeconds)}`] : []),
      shapeWords(requests.shape, requests.shape === 'token-bucket' || requests.shape === 'concurrency' ? null : requests.windowSeconds),
    ];
    lines.push(`${label('requests')}${parts.join(' · ')}${requests.confidence === 'low' ? ' (low confidence)' : ''}`);
    const headerLimit = summary.headers.limitRequests ?? (summary.headers.firstRemainingRequests === null ? null : summary.headers.firstRemainingRequests + 1);
    if (headerLimit !== null && Math.abs(headerLimit - requests.burst) > Math.max(1, 0.1 * requests.burst)) {
      const window = summary.headers.requestsWindowSeconds === null ? 'budget' : `${figure(summary.headers.requestsWindowSeconds, 1)}-s budget`;
      const reach = headerLimit > requests.burst ? 'a burst never reaches it' : 'the measured burst is larger';
      lines.push(`${indent}headers count a ${window} of ${figure(headerLimit)}: ${reach}`);
    }
  } else {
    lines.push(`${label('requests')}${shapeWords(requests.shape, null)}`);
  }

  const tokens = summary.effective.tokens;
  if (tokens.burst !== null || tokens.perMinute !== null) {
    const parts = [
      ...(tokens.burst !== null ? [`burst ${figure(tokens.burst)}`] : []),
      ...(tokens.perMinute !== null && tokens.windowSeconds !== null
        ? [`${figure((tokens.perMinute * tokens.windowSeconds) / 60)} per ${seconds(tokens.windowSeconds)}`]
        : tokens.perMinute !== null
          ? [`${figure(tokens.perMinute)} per minute`]
          : []),
    ];
    lines.push(`${label('tokens')}${parts.join(' · ')}${tokens.confidence === 'low' ? ' (low confidence)' : ''}`);
  }

  lines.push(`${label('verdict')}${wrap(summary.verdict, textWidth, indent)}`);
  const estimated = summary.tokens.estimatedSent ?? summary.tokens.estimatedCharged;
  lines.push(
    `${label('spent')}${figure(summary.requests.sent)} requests, ~${figure(summary.tokens.billed)} billed tokens, ` +
      `~${figure(estimated)} estimated charged tokens, ${figure(summary.durationSeconds)} s`,
  );
  return `${lines.join('\n')}\n`;
}

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
  addRunOptions(command);
  command.action(async (raw: RawOptions) => {
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
    const session = await openSession(io, {
      command: 'probe',
      settings: runSettings,
      scenario: { budgetRequests: budget.requests, budgetTokens: budget.billedTokens, budgetSeconds: budget.seconds, tokensMaxTokens: maxTokens },
      plannedRequests: budget.requests,
    });
    if (session === null) return;

    let outcome: ProbeOutcome;
    try {
      outcome = await runProbe({
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
      });
    } catch (error) {
      await abandonSession(session, error);
      throw error;
    }
    const reason = session.interrupted() ? 'interrupted' : outcome.endReason;
    session.stopProgress();
    const authStop = session.authStop();
    if (authStop !== null) await endForBadConfiguration(session, authStop);
    session.counters.write({ type: 'end', reason, endMs: session.clock.now(), sent: session.counters.sent, dropped: session.counters.dropped, ...(outcome.messages.length > 0 ? { message: outcome.messages.join(' ') } : {}) });
    await session.close();

    const result = await analyseRecordingFile(io, session.recordingPath);
    const expectationResults = evaluateExpectations(session.expectations, result.summary);
    renderOutputs(io, runSettings, result, expectationResults, (width) => renderProbeBlock(result.summary, width));
    for (const message of outcome.messages) io.stderr.write(`note: ${message}\n`);
    io.stderr.write(`Recording: ${session.recordingPath}\n`);
    if (reason === 'interrupted') {
      io.setExitCode(EXIT.interrupted);
      return;
    }
    assertExpectationsMet(expectationResults);
    io.setExitCode(EXIT.ok);
  });
}
