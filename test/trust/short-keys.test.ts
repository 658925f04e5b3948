/**
 * A key that is short or an ordinary word (`k`, `0`, `"`, `gpt-4o`, `azure`, `2024`...) is
 * what people type at a simulator. It must never rewrite the program's output or its
 * recording: the summary JSON stays valid with its field names, the table keeps its words,
 * the recording keeps its URLs, dates and header values. A real-shaped key never appears
 * anywhere. Each key goes through every command (burst, steady, ramp, run, probe, report)
 * and every output (table, JSON, markdown, HTML, recording, messages), in-process against
 * the simulator on loopback; `report` also runs with the key only in the environment, and
 * a run with a URL password.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { fakeIo } from '../report/fake-io.js';

const SHORT_KEYS = ['k', 'test', 'key', 'gpt-4o', '0', '"', 'azure', '2024'];
const REAL_KEY = '0123456789abcdef0123456789abcdef';

interface Outcome {
  code: number;
  out: string;
  err: string;
}

let simulator: RunningSimulator;
let folder: string;

async function cli(argv: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const io = fakeIo(argv, { cwd: folder, env });
  await main(io);
  return { code: io.exitCode(), out: io.out(), err: io.err() };
}

beforeAll(async () => {
  simulator = await startSimulator({ profile: 'azure-seed', port: 0 });
  folder = mkdtempSync(join(tmpdir(), 'aoai-probe-short-keys-'));
  writeFileSync(join(folder, 'two-phases.yaml'), 'phases:\n  - name: first-burst\n    burst: 3\n  - pause: 100ms\n  - name: steady-part\n    steady: { rate: 5/s, duration: 1s }\n');
});

afterAll(async () => {
  await simulator.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Every output and file of one key's runs, by name. */
async function everyOutput(key: string, index: number): Promise<Map<string, string>> {
  const target = ['--endpoint', simulator.url, '--deployment', 'gpt-4o', '--api-key', key];
  const outputs = new Map<string, string>();
  const keep = (name: string, outcome: Outcome, expectedCode = 0): void => {
    expect(outcome.code, `${name}: ${outcome.err}`).toBe(expectedCode);
    outputs.set(`${name} stdout`, outcome.out);
    outputs.set(`${name} stderr`, outcome.err);
  };
  const recording = join(folder, `burst-${index}.ndjson`);
  keep('burst --json', await cli(['burst', '--size', '6', ...target, '--json', '--record', recording]));
  outputs.set('burst recording', readFileSync(recording, 'utf8'));
  keep('burst markdown', await cli(['burst', '--size', '3', ...target, '--format', 'markdown', '--record', join(folder, `md-${index}.ndjson`)]));
  keep('burst html', await cli(['burst', '--size', '3', ...target, '--format', 'html', '--record', join(folder, `html-${index}.ndjson`)]));
  keep('steady table', await cli(['steady', '--rate', '5/s', '--duration', '1s', ...target, '--record', join(folder, `steady-${index}.ndjson`)]));
  keep('ramp --json', await cli(['ramp', '--from', '2/s', '--to', '6/s', '--duration', '1s', ...target, '--json', '--record', join(folder, `ramp-${index}.ndjson`)]));
  const scenarioRecording = join(folder, `run-${index}.ndjson`);
  keep('run --json', await cli(['run', join(folder, 'two-phases.yaml'), ...target, '--json', '--record', scenarioRecording]));
  outputs.set('run recording', readFileSync(scenarioRecording, 'utf8'));
  const probeRecording = join(folder, `probe-${index}.ndjson`);
  keep('probe --json', await cli(['probe', ...target, '--budget-requests', '30', '--budget-time', '8s', '--json', '--record', probeRecording]));
  outputs.set('probe recording', readFileSync(probeRecording, 'utf8'));
  for (const format of ['table', 'json', 'markdown', 'html']) {
    keep(`report ${format} (key in the environment)`, await cli(['report', recording, '--format', format], { AZURE_OPENAI_API_KEY: key }));
  }
  keep('usage error', await cli(['burst', '--api-key', key]), 2);
  return outputs;
}

describe('a short or common key never rewrites output or recordings', () => {
  it.each(SHORT_KEYS.map((key, index) => [key, index] as const))('key %j', async (key, index) => {
    const outputs = await everyOutput(key, index);
    for (const [name, text] of outputs) expect(text, name).not.toContain('REDACTED');
    // JSON stays valid and keeps its field names and values.
    for (const name of ['burst --json stdout', 'ramp --json stdout', 'run --json stdout', 'probe --json stdout', 'report json (key in the environment) stdout']) {
      const summary = JSON.parse(outputs.get(name)!) as { target?: { kind?: string }; targets?: { kind?: string }[]; requests: { sent: number } };
      expect(summary.requests.sent, name).toBeGreaterThan(0);
    }
    const burst = JSON.parse(outputs.get('burst --json stdout')!) as { requests: { sent: number; ok: number }; recording: string };
    expect(burst.requests.sent).toBe(6);
    expect(burst.recording).toContain(`burst-${index}.ndjson`);
    const lines = outputs.get('burst recording')!.trim().split('\n').map((line) => JSON.parse(line) as { type: string; status?: number });
    expect(lines.filter((line) => line.type === 'request' && typeof line.status === 'number')).toHaveLength(6);
    expect(outputs.get('burst recording')).toContain(`${simulator.url}/openai/deployments/gpt-4o/chat/completions?api-version=`);
    expect(outputs.get('usage error stderr')).toContain('--api-key was given without a target');
    // The probe re-reads its own recording: the token figures must not be misread.
    expect(outputs.get('probe --json stdout')).not.toContain('0.01 requests/s');
    // The environment key leaves report output byte for byte as without it.
    for (const format of ['json', 'markdown', 'html']) {
      const withoutKey = await cli(['report', join(folder, `burst-${index}.ndjson`), '--format', format]);
      expect(outputs.get(`report ${format} (key in the environment) stdout`), format).toBe(withoutKey.out);
    }
  }, 120_000);

  it('a real-shaped 32-hex key appears in no output and no recording', async () => {
    const outputs = await everyOutput(REAL_KEY, 100);
    for (const [name, text] of outputs) expect(text, name).not.toContain(REAL_KEY);
    expect(JSON.parse(outputs.get('burst --json stdout')!)).toMatchObject({ requests: { sent: 6 } });
    // The usage error names the flag and leaves the key out.
    expect(outputs.get('usage error stderr')).toContain('--api-key was given without a target');
  }, 120_000);

  it('a URL password is refused by name, and leaves report output as it was', async () => {
    const url = `http://u:s@127.0.0.1:${new URL(simulator.url).port}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`;
    const refused = await cli(['burst', '--size', '3', '--url', url, '--json']);
    expect(refused.code).toBe(2);
    expect(refused.out).toBe('');
    expect(refused.err).toContain('--url holds a user name or password');
    expect(refused.err).not.toContain('REDACTED');
    const recording = join(folder, 'burst-0.ndjson');
    const plain = await cli(['report', recording, '--format', 'json']);
    const report = await cli(['report', recording, '--format', 'json'], { AZURE_OPENAI_ENDPOINT: url.replace(/\/openai.*$/, '') });
    expect(report.out).toBe(plain.out);
    expect(Object.keys(JSON.parse(report.out) as Record<string, unknown>)).toContain('schema');
  }, 60_000);
});
