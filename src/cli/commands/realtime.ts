/**
 * `aoai-probe realtime`: WebSocket sessions against a realtime API (Azure OpenAI,
 * OpenAI, Voice Live, any ws:// URL) or the embedded simulator — the open rate,
 * the concurrency cap, responses and tokens per minute, and every way a session
 * is refused (docs/realtime.md).
 *
 *   --sessions N --open-rate R/s     N sessions at R per second (default: all at once),
 *                                    each closed after session.created unless --hold
 *   --hold D --turns K               keep each open D, send K response.create turns
 *   --ramp STEP/EVERY                +STEP sessions every EVERY, held until the end
 *                                    (the concurrency experiment), up to --sessions
 *
 * Sessions go through the one firing loop (src/run/realtime/run-sessions.ts); the
 * recording is analysed from the file, as `report` would.
 *
 * The flags are defined here; what the command does is in realtime-action.ts, loaded
 * when it runs (index.ts says why).
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { addAdvertisedOptions, addOutputOptions, addTargetOptions, type RawOptions } from '../options.js';
import { addShardOptions } from '../shard-options.js';

const HELP_AFTER = `
Targets (as for HTTP; keys never reach the recording):
  --url wss://NAME.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-realtime
  --endpoint https://NAME.openai.azure.com --deployment gpt-realtime [--api v1]
  --endpoint https://NAME.services.ai.azure.com --deployment gpt-realtime --api voice-live   (Azure Voice Live)
  --url wss://api.openai.com/v1/realtime?model=gpt-realtime --bearer $OPENAI_API_KEY
  no target: the embedded simulator (--sim azure-realtime by default, or --sim speech)

Examples:
  aoai-probe realtime --sim speech --sessions 40 --open-rate 10/s        # the open rate
  aoai-probe realtime --sim speech --sessions 30 --ramp 2/1s             # the concurrency cap
  aoai-probe realtime --sim azure-realtime --sessions 1 --turns 40       # responses per minute

Sharded (docs/sharding.md): --shard I/N opens sessions I, I+N, … of every phase at their
planned times (a session's turns go with it); with --shard or --start-at the phases keep
planned starts, so shards that start together start every phase together.
`;

/** Registers `realtime`. */
export function register(program: Command, io: CliIo): void {
  const command = program
    .command('realtime')
    .description('open WebSocket sessions (realtime API or any ws:// URL) and measure how they are limited')
    .option('--sessions <n>', 'sessions to open (default 10)')
    .option('--open-rate <rate>', 'sessions per second, e.g. 5/s or 30/m (default: all at once)')
    .option('--hold <duration>', 'keep each session open this long after its first event (default 0: close after session.created)')
    .option('--turns <k>', 'response.create turns per session, one after another (text only, tiny answers)')
    .option('--turn-gap <duration>', 'pause between two turns of a session (default 0)')
    .option('--max-output-tokens <n>', 'max_output_tokens of each turn: the reservation a token limit counts (default 16)')
    .option('--ramp <step/every>', 'concurrency ramp: +STEP sessions every EVERY (e.g. 2/1s), each held until the ramp ends')
    .option('--event-timeout <duration>', 'no server event within this is a silent hang (default 10s)')
    .option('--kind <kind>', 'realtime: the only kind of this command (accepted for symmetry with probe --kind realtime)');
  addShardOptions(addOutputOptions(addAdvertisedOptions(addTargetOptions(command))));
  command.addHelpText('after', HELP_AFTER);
  command.action(async (raw: RawOptions) => {
    const { runRealtimeCommand } = await import('./realtime-action.js');
    io.setExitCode(await runRealtimeCommand(io, raw));
  });
}
