/**
 * The last guard before a byte leaves the program: every write to stdout and stderr
 * passes through a redactor that knows the run's keys and tokens.
 *
 * Why a guard here when the recording is already cleaned where data enters it:
 * the CLI also prints things that never went through the recording: commander's
 * own errors, an InputError quoting a flag, an internal error's message and (with
 * AOAI_PROBE_DEBUG=1) its stack, which may quote a URL or a header. The secrets
 * are known before anything runs (flags and environment), so one wrapper around
 * the two streams covers every printer, present and future.
 */
import { createRedactor, secretsOfUrl } from '../record/redact.js';
import type { CliIo, OutputStream } from './io.js';

/** Flags whose value is a credential. */
const SECRET_FLAGS = ['--api-key', '--bearer'];

/** Environment variables whose value is a credential (the `openai` SDK's names). */
const SECRET_VARIABLES = ['AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_AD_TOKEN', 'OPENAI_API_KEY'];

/** Environment variables that may hold a URL with a key in its query. */
const URL_VARIABLES = ['AZURE_OPENAI_ENDPOINT', 'OPENAI_BASE_URL'];

/**
 * Every credential the command line and the environment hold: values of
 * `--api-key` / `--bearer` (both `--flag value` and `--flag=value`), the SDK's key
 * variables, and secret query values or passwords inside any URL-looking argument.
 */
export function knownSecrets(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] {
  const secrets: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    for (const flag of SECRET_FLAGS) {
      if (argument === flag && index + 1 < argv.length) secrets.push(argv[index + 1]!);
      else if (argument.startsWith(`${flag}=`)) secrets.push(argument.slice(flag.length + 1));
    }
    if (/[?&@]/.test(argument)) secrets.push(...secretsOfUrl(argument));
  }
  for (const name of SECRET_VARIABLES) {
    const value = env[name]?.trim();
    if (value) secrets.push(value);
  }
  for (const name of URL_VARIABLES) {
    const value = env[name];
    if (value) secrets.push(...secretsOfUrl(value));
  }
  return secrets;
}

/**
 * The same CliIo whose stdout and stderr replace the known secrets (as whole tokens of
 * plausible length, see createRedactor in src/record/redact.ts) and secrets inside URLs
 * with REDACTED. A key such as `k` or `0` is never searched for: it would rewrite JSON
 * field names, numbers and words, and it never reaches this point anyway (request headers
 * are not recorded, URLs and error texts are cleaned where they enter).
 */
export function redactingIo(io: CliIo, secrets: readonly string[]): CliIo {
  // Known secrets and secrets inside URLs only: the generic `Bearer x` / `api-key: x`
  // patterns would mangle the program's own prose, and data from servers was cleaned
  // where it entered the recording.
  const redactor = createRedactor(secrets, { headerPatterns: false });
  const guard = (stream: OutputStream): OutputStream => ({
    write: (chunk: string) => stream.write(typeof chunk === 'string' && redactor.mightContainSecret(chunk) ? redactor.text(chunk) : chunk),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  });
  return { ...io, stdout: guard(io.stdout), stderr: guard(io.stderr) };
}
