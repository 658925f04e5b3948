/**
 * `--replay`: hands out the recorded answers one by one, in the order they
 * were recorded, and starts over after the last one, so a load longer than the
 * recording keeps meeting the same pattern. Each answer's headers and error
 * body are prepared once: the rate-limit headers as recorded, without the
 * recording's request ids (every answer gets fresh ones), and the error body in
 * the family's shape with the recorded code and message.
 */
import type { AnswerFamily, RefusalClass } from '../policies/policy.js';
import type { RecordedAnswer } from './recorded-answers.js';

/** One recorded answer ready to serve. */
export interface ScriptedAnswer {
  /** 1-based position in the recording. */
  index: number;
  answer: RecordedAnswer;
  headers: Record<string, string>;
  /** The error body (empty for 200s). */
  body: string;
  /** For the stats: why a 429 was refused, read from its message. */
  refusalClass: RefusalClass | undefined;
}

/** Headers that identify one request: never replayed (the simulator sends its own). */
const PER_REQUEST_HEADERS = new Set(['apim-request-id', 'x-request-id', 'x-ms-client-request-id', 'request-id', 'content-length', 'content-type']);

/** The recorded answers of one `--replay`, served in a loop. */
export class ReplayScript {
  private readonly answers: ScriptedAnswer[];
  private position = 0;

  constructor(recorded: readonly RecordedAnswer[], family: AnswerFamily) {
    this.answers = recorded.map((answer, index) => prepare(answer, index + 1, family));
  }

  /** The next answer, starting over after the last. */
  next(): ScriptedAnswer {
    const answer = this.answers[this.position]!;
    this.position = (this.position + 1) % this.answers.length;
    return answer;
  }
}

function prepare(answer: RecordedAnswer, index: number, family: AnswerFamily): ScriptedAnswer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) if (!PER_REQUEST_HEADERS.has(name)) headers[name] = value;
  const error = answer.error;
  const message = error?.message ?? (answer.status === null ? '' : `The recorded answer had status ${answer.status}.`);
  const code = error?.code ?? (answer.status === null ? null : String(answer.status));
  const body =
    answer.status === 200 || answer.status === null
      ? ''
      : family === 'openai'
        ? JSON.stringify({ error: { message, type: error?.type ?? null, param: null, code } })
        : JSON.stringify({ error: { code, message } });
  return { index, answer, headers, body, refusalClass: answer.status === 429 ? refusalClassOf(message) : undefined };
}

/** The class of a 429 from its wording (the same words the service uses). */
function refusalClassOf(message: string): RefusalClass {
  if (/86400|too large/i.test(message)) return 'never';
  if (/high demand|temporarily unable/i.test(message)) return 'capacity';
  if (/token/i.test(message)) return 'tokens';
  return 'requests';
}
