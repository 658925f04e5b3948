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
 *
 * The flags are defined here; what the command does is in probe-action.ts (HTTP) and
 * realtime-action.ts (`--kind realtime`), loaded when it runs (index.ts says why).
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { addRunOptions, type RawOptions } from '../options.js';
import { DEFAULT_BUDGET, TOKEN_STAGE_REQUESTS, TOKEN_STAGE_SECONDS } from '../../probe/budget.js';

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
      const { runRealtimeProbe } = await import('./realtime-action.js');
      io.setExitCode(await runRealtimeProbe(io, raw));
      return;
    }
    const { runHttpProbe } = await import('./probe-action.js');
    await runHttpProbe(io, raw);
  });
}
