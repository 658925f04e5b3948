/**
 * `aoai-probe sim`: serves the simulator (src/sim) until Ctrl-C.
 * Prints one ready line with the URL on stdout; with --verbose, one line per
 * request on stderr. Bad flags → InputError (exit 2) listing every problem.
 *
 * The flags and the help are defined here; what the command does is in sim-action.ts
 * (and sim-gateway-action.ts for --gateway), loaded when it runs (index.ts says why).
 */
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { FAULT_KINDS } from '../../sim/faults.js';
import { DEFAULT_API_VERSION, LIMITER_KINDS, SIMULATOR_PROFILES } from '../../sim/names.js';
import { REALTIME_LIMITS, REFUSAL_STYLES } from '../../sim/realtime/settings.js';
import type { CliIo } from '../io.js';
import { GATEWAY_HELP, addGatewayOptions, gatewayFlagsWithoutGateway } from './sim-gateway.js';
import type { SimFlags } from './sim-action.js';

const HELP_AFTER = `
Profiles:
  azure-standard  (default) sliding 10-s request window of TPM/1000 (= RPM/6), a 1-s cap
                  of RPM/60, a sliding 60-s token window of TPM; each request is charged
                  max_tokens + ceil(prompt characters / 4) at admission (640 + prompt when
                  max_tokens is unset, 16 for gpt-35 deployments; embeddings ceil(chars / 4) per
                  input); refusals are not charged. Usage in answers is tiktoken's real count.
  azure-seed      the same limits, every request charged a flat 648 tokens:
                  a burst gets 5 answers (49 … 45 requests left) and then 429s.
  azure-ptu       utilization bucket of TPM tokens draining TPM/60 per second; header
                  azure-openai-deployment-utilization; 429 + retry-after-ms above 100 %.
  openai          token buckets of RPM and TPM, OpenAI headers (resets like 6m0s) and bodies.
  azure-realtime  HTTP as azure-standard; realtime: 30 responses per min and 100,000 tokens per
                  min (output reserved at response.create), refused by a failed response.done.
  speech          HTTP as azure-standard; realtime: 30 new sessions per min (handshake 429),
                  20 sessions at once (close 4429), 120,000 tokens per min (close 1013
                  ResourceExhausted "no tokens available for passthrough").

Realtime (WebSocket upgrade on /openai/realtime, /openai/v1/realtime, /v1/realtime):
  --open-rate 30/m  --session-cap 20  --turn-rate 60/m  --realtime-tpm 100000  --session-max 60m
  --refusal STYLE (every limit) or LIMIT=STYLE,… with LIMIT one of ${REALTIME_LIMITS.join(', ')}
  and STYLE one of ${REFUSAL_STYLES.join(', ')}
  (handshake = HTTP 429 with retry-after, handshake-bare = without; a response cannot be refused at
  the handshake, so turns/tokens with a handshake style get an in-band error).

Generic limiters (--limiter replaces the profile's limits on every path; each request costs 1):
  token-bucket:capacity=10,rate=5/s       fixed-window:limit=10,window=1s
  sliding-log:limit=20,window=10s         sliding-counter:limit=20,window=10s
  gcra:rate=5/s,burst=10                  concurrency:limit=4[,retry=1s]
  restarting-window:limit=5,window=4s[,block=4s]   (blocked until quiet for the block)
  whole-token-bucket:capacity=5,rate=5/s           (whole tokens since the last admission)
  A+B: limits in AND, e.g. sliding-log:limit=5,window=1s+sliding-log:limit=30,window=10s
  Add to any: headers=none|x-ratelimit|ietf|azure (default azure), status=429|503,
  penalty=true (refused requests count too; not for concurrency, restarting-window, whole-token-bucket).

Faults (--faults, drawn with probability --fault-rate per request; default 500,503,reset,capacity):
  ${FAULT_KINDS.join(', ')}

Deployments (--deployment, repeatable; or --deployments-file FILE.yaml with a "deployments:" list):
  NAME:model=gpt-4o-mini[,kind=chat|embeddings|completions][,tpm=100000][,rpm=600]
  The model sets the usage encoding, the RPM per 1,000 TPM and the charge without max_tokens;
  an operation the kind does not serve gets 400 OperationNotSupported, as on Azure.

Answers: seeded text (--seed) sized by max_tokens ("length" when cut), usage counted with the
model's tiktoken encoding, Azure's content-filter annotations (prompt_filter_results, the first
stream chunk with empty choices, content_filter_results per choice and chunk).

Record and replay:
  --record-to FILE   every answer the simulator serves, as an aoai-probe recording (report reads it)
  --replay FILE      serve the answers of a recording again, in order (status, latency, rate-limit
                     headers), starting over after the last: an incident from a real deployment,
                     recorded with aoai-probe --record, reproduced offline. Limits are not applied.

Stopping: Ctrl-C or SIGTERM stops the simulator with exit code 130 (interrupted), as for every
  command; 2 means it could not start (a bad flag, a port in use).

Stats: --stats prints admitted, refused by class and tokens charged for each second on stderr;
  GET /_sim/stats returns the same as JSON.

Endpoints (any api-key is accepted unless --api-key is set; a classic path without api-version
is 404 Resource not found, as on Azure):
  POST /openai/deployments/NAME/chat/completions?api-version=${DEFAULT_API_VERSION}
  POST /openai/deployments/NAME/embeddings?api-version=${DEFAULT_API_VERSION}
  POST /openai/deployments/NAME/completions?api-version=${DEFAULT_API_VERSION}  (legacy completions)
  POST /openai/v1/chat/completions | /openai/v1/completions | /openai/v1/embeddings | /openai/v1/responses  (model = NAME)
  POST /v1/chat/completions | /v1/completions | /v1/embeddings | /v1/responses  (OpenAI style, Bearer auth)

Examples:
  aoai-probe sim --port 8080
  aoai-probe sim --profile azure-seed --verbose
  aoai-probe sim --tpm 10000 --no-subsecond-cap --latency 300ms±100ms
  aoai-probe sim --limiter token-bucket:capacity=10,rate=5/s,headers=none,status=503
  aoai-probe sim --profile speech --session-cap 5 --open-rate 60/m
  aoai-probe sim --profile azure-realtime --turn-rate 10/m --refusal turns=close-1013
  aoai-probe sim --fault-rate 0.05 --faults 500,capacity --deployments gpt-4o,gpt-4o-mini
  aoai-probe sim --deployment chat:model=gpt-4o-mini,tpm=100000 --deployment embed:model=text-embedding-3-small
  aoai-probe sim --replay incident.ndjson --stats
`;

/** Registers `sim` on the program. */
export function register(program: Command, io: CliIo): void {
  const command = program
    .command('sim')
    .description('Serve the Azure OpenAI simulator on loopback until Ctrl-C (no account or network needed).')
    .option('--port <port>', 'port to listen on; 0 picks any free port (printed)', '0')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--profile <name>', `limits and answers to imitate: ${SIMULATOR_PROFILES.join(', ')}`, 'azure-standard')
    .option('--tpm <tokens>', 'tokens per minute (default 50000)')
    .option('--rpm <requests>', 'requests per minute (default 6 × TPM / 1000)')
    .option('--request-window <duration>', 'request window (azure: default 10s; openai: bucket refill period, default 1m)')
    .option('--token-window <duration>', 'token window (default 1m)')
    .option('--subsecond-cap', 'enforce the 1-s cap of RPM/60 (azure-standard, azure-seed; the default)')
    .option('--no-subsecond-cap', 'turn the 1-s cap off: only the 10-s request window applies')
    .option('--limiter <spec>', `a generic limiter instead of the profile: ${LIMITER_KINDS.join(', ')} (see below)`)
    .option('--latency <latency>', 'delay before admitted answers, e.g. 300ms or 300ms±100ms')
    .option('--tokens-per-second <n>', 'streaming pace: reply tokens per second (default: unpaced)')
    .option('--fault-rate <rate>', 'probability of an injected fault per request, e.g. 0.05 or 5%')
    .option('--faults <list>', 'which faults to inject, comma-separated (see below)')
    .option('--deployments <names>', 'serve only these deployments (comma-separated), each with its own limits; others get 404')
    .option('--deployment <spec>', 'declare a deployment: NAME:model=M[,kind=K][,tpm=N][,rpm=N] (repeatable; see below)', collectValues, [])
    .option('--deployments-file <file>', 'declare deployments in a YAML file (a "deployments:" list)')
    .option('--seed <n>', 'seed of the answers\' text (same seed and prompt, same answer; default 0)')
    .option('--record-to <file>', 'write every served answer to FILE as an aoai-probe recording')
    .option('--replay <file>', 'serve the answers of an aoai-probe recording again, in order')
    .option('--stats', 'print admitted, refused by class and tokens charged each second on stderr')
    .option('--region <name>', 'region in x-ms-region and 429 messages', 'East US')
    .option('--api-key <key>', 'accept only this key (default: any key)')
    .option('--session-cap <n>', 'realtime: sessions open at once')
    .option('--open-rate <n/window>', 'realtime: new sessions per window, e.g. 30/m or 10/10s')
    .option('--turn-rate <n/window>', 'realtime: response.create per window, e.g. 60/m')
    .option('--realtime-tpm <tokens>', 'realtime: tokens per minute (output reserved at response.create)')
    .option('--refusal <styles>', 'realtime: how limits refuse, e.g. close-1013 or sessions=close-4429,open=handshake')
    .option('--session-max <duration>', 'realtime: longest session, then session_expired and close 1001 (default 60m)')
    .option('--verbose', 'log one line per request on stderr');
  addGatewayOptions(command)
    .addHelpText('after', HELP_AFTER + GATEWAY_HELP)
    .action(async (flags: SimFlags) => {
      if (flags.gateway) {
        const { serveGateway } = await import('./sim-gateway-action.js');
        return serveGateway(flags, io);
      }
      const misplaced = gatewayFlagsWithoutGateway(flags);
      if (misplaced.length > 0) throw new InputError(misplaced);
      const { serveSimulator } = await import('./sim-action.js');
      await serveSimulator(io, flags);
    });
}

/** Adds one more value of a repeatable flag (--deployment). */
function collectValues(value: string, previous: string[]): string[] {
  return [...previous, value];
}
