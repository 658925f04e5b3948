/**
 * The probe's summary block, rendered from the analysed recording's summary (so a live
 * probe and `aoai-probe report` on its recording print the same block):
 *
 *     advertised   50,000 TPM → 300 RPM → 50 per 10 s, 5 per 1 s
 *     requests     burst 5 · sustained 5.0/s · recovers in 1.0 s · sliding 1-s window
 *                  headers count a 10-s budget of 50: a burst never reaches it
 *                  offered 6.5/s from exhaustion, it admitted 5.0/s
 *     tokens       burst 49,967 · 49,844 per 60 s · sliding window
 *     verdict      …
 *     spent        236 requests · estimated tokens 52,000 admitted of 160,000 sent · 3,400 billed · 71 s
 */
import type { Summary } from '../analysis/summary-types.js';

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

/** The probe's summary block, from the analysed recording's summary; `width` is the terminal's. */
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
      ...(requests.windowSeconds !== null && requests.burst > 0 ? [`recovers in ${seconds(requests.windowSeconds)}`] : []),
      shapeWords(requests.shape, requests.shape === 'token-bucket' || requests.shape === 'concurrency' ? null : requests.windowSeconds),
    ];
    lines.push(`${label('requests')}${parts.join(' · ')}${requests.confidence === 'low' ? ' (low confidence)' : ''}`);
    const headerLimit = summary.headers.limitRequests ?? (summary.headers.firstRemainingRequests === null ? null : summary.headers.firstRemainingRequests + 1);
    if (headerLimit !== null && Math.abs(headerLimit - requests.burst) > Math.max(1, 0.1 * requests.burst)) {
      const window = summary.headers.requestsWindowSeconds === null ? 'budget' : `${figure(summary.headers.requestsWindowSeconds, 1)}-s budget`;
      const reach = headerLimit > requests.burst ? 'a burst never reaches it' : 'the measured burst is larger';
      lines.push(`${indent}headers count a ${window} of ${figure(headerLimit)}: ${reach}`);
    }
    const offered = requests.overdriveOfferedPerSecond ?? null;
    const admitted = requests.overdriveAdmittedPerSecond ?? null;
    if (offered !== null && admitted !== null) {
      // Always shown when measured: "pushed to 6.5/s it admitted 3.1/s" is the limit's other half (a collapse or none).
      const rate = (value: number): string => value.toFixed(value < 1 ? 2 : 1);
      lines.push(`${indent}offered ${rate(offered)}/s from exhaustion, it admitted ${rate(admitted)}/s${admitted < 0.85 * requests.perSecond ? ': sending faster than its rate gets less through' : ''}`);
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
  // The same words as the table's tokens row and the JSON: "admitted" is tokens.estimatedCharged, "sent" tokens.estimatedSent.
  const { estimatedCharged, estimatedSent, billed } = summary.tokens;
  const estimated = estimatedSent === undefined ? `${figure(estimatedCharged)} admitted` : `${figure(estimatedCharged)} admitted of ${figure(estimatedSent)} sent`;
  lines.push(`${label('spent')}${figure(summary.requests.sent)} requests · estimated tokens ${estimated} · ${figure(billed)} billed · ${figure(summary.durationSeconds)} s`);
  return `${lines.join('\n')}\n`;
}
