/**
 * What the figures were measured on: CPU, cores, memory, kernel, Node and tool versions,
 * and how busy the machine was — RESULTS.md is only comparable with this beside it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { canPin } from './proc.js';

const require = createRequire(import.meta.url);

function firstLine(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0 && !result.stdout && !result.stderr) return null;
  return `${result.stdout}${result.stderr}`.trim().split('\n')[0];
}

/** Reads the machine's description once, at the start of a bench run. */
export function describeMachine() {
  const cpus = os.cpus();
  let osName = null;
  try {
    osName = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]+)"?/m)?.[1] ?? null;
  } catch {
    osName = null;
  }
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: os.totalmem() / 2 ** 30,
    kernel: os.release(),
    os: osName,
    node: process.version,
    undici: require('undici/package.json').version,
    autocannon: require('autocannon/package.json').version,
    nginx: firstLine('nginx', ['-v'])?.replace(/^nginx version: /, '') ?? null,
    tcpdump: firstLine('tcpdump', ['--version']),
    pinned: canPin,
    loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
  };
}
