/**
 * Child processes for the bench: spawned with a hard time limit, optionally pinned to a
 * CPU with taskset, and remembered so that a failure or Ctrl-C never leaves one running.
 *
 * Why a registry of children: the bench starts nginx, tcpdump, peers and aoai-probe
 * itself; an exception half-way through must still stop every one of them (by pid,
 * never by name — the machine is shared).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** Every child still running, so `stopAllChildren` can end them on failure or SIGINT. */
const running = new Set();

/** True when `taskset` exists and the machine has at least two CPUs to split. */
export const canPin = os.availableParallelism() >= 2 && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

/** CPU for the server side (nginx, tcpdump, the simulator); clients get CLIENT_CPU. */
export const SERVER_CPU = 0;
export const CLIENT_CPU = 1;

/** Prefixes a command with `taskset -c CPU` when pinning is possible. */
export function pinned(cpu, command, args) {
  if (!canPin || cpu === null || cpu === undefined) return { command, args };
  return { command: 'taskset', args: ['-c', String(cpu), command, ...args] };
}

/**
 * Starts a child that the caller manages (a server, a capture). Output goes to the
 * given fds/streams; the child is killed by `stopAllChildren` if the bench dies.
 */
export function startChild(command, args, { cpu = null, stdio = ['ignore', 'pipe', 'pipe'], env, cwd } = {}) {
  const spec = pinned(cpu, command, args);
  const child = spawn(spec.command, spec.args, { stdio, env: env ?? process.env, cwd });
  running.add(child);
  const exited = new Promise((resolve) => {
    // 'close' (not 'exit'): fires once the process has ended AND its output pipes are drained.
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      running.delete(child);
      resolve({ code: null, signal: null, error });
    });
  });
  return { child, exited };
}

/**
 * Runs a command to completion with a hard time limit and returns its output.
 * Rejects when it fails or times out, with the tail of stderr in the message.
 * `onStart(child)` lets a caller sample the live process (memory, CPU).
 */
export async function runCommand(command, args, { cpu = null, timeoutMs = 120_000, env, cwd, allowFailure = false, onStart } = {}) {
  const { child, exited } = startChild(command, args, { cpu, env, cwd });
  onStart?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const started = performance.now();
  const { code, signal, error } = await exited;
  clearTimeout(timer);
  const wallMs = performance.now() - started;
  if (error) throw new Error(`${command}: ${error.message}`);
  if (timedOut) throw new Error(`${command} ${args.join(' ')}: timed out after ${timeoutMs} ms\n${tail(stderr)}`);
  if (code !== 0 && !allowFailure) {
    throw new Error(`${command} ${args.join(' ')}: exit ${code ?? signal}\n${headAndTail(stderr || stdout)}`);
  }
  return { stdout, stderr, code, wallMs };
}

/** Kills every child still running (SIGKILL after a short grace). Safe to call twice. */
export async function stopAllChildren() {
  const children = [...running];
  for (const child of children) child.kill('SIGTERM');
  await sleep(300);
  for (const child of children) if (running.has(child)) child.kill('SIGKILL');
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The first and last lines of an output, for error messages: the cause is usually at the
 * top, and wrappers such as `/usr/bin/time -v` append their own block at the bottom.
 */
export function headAndTail(text, head = 8, last = 4) {
  const lines = text.trim().split('\n').filter((line) => !/^\t/.test(line));
  if (lines.length <= head + last) return lines.join('\n');
  return [...lines.slice(0, head), '…', ...lines.slice(-last)].join('\n');
}

/** The last lines of a long output, for error messages. */
export function tail(text, lines = 15) {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Whether an executable is on PATH (or at an absolute path). */
export function hasCommand(name) {
  if (name.startsWith('/')) return existsSync(name);
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Reads VmHWM (peak resident set) and VmRSS of a live process from /proc, in MB.
 * Returns null once the process has gone.
 */
export function readMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => {
      const match = status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
      return match ? Number(match[1]) / 1024 : null;
    };
    return { hwmMb: field('VmHWM'), rssMb: field('VmRSS') };
  } catch {
    return null;
  }
}

/** CPU time (user + system) of a live process in seconds, from /proc/PID/stat. */
export function readCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state); utime is 14, stime 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100;
  } catch {
    return null;
  }
}

/** Pids of a process's direct children (from /proc), e.g. node under /usr/bin/time. */
export function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Samples a process tree every `intervalMs` until stopped: returns the samples
 * `{ tMs, rssMb, hwmMb, cpuSeconds }` of the deepest process (the real worker under
 * taskset/time wrappers).
 */
export function sampleProcess(rootPid, intervalMs = 250) {
  const samples = [];
  const started = performance.now();
  const leaf = () => {
    let pid = rootPid;
    for (let depth = 0; depth < 4; depth += 1) {
      const [child] = childPids(pid);
      if (!child) break;
      pid = child;
    }
    return pid;
  };
  const timer = setInterval(() => {
    const pid = leaf();
    const memory = readMemory(pid);
    if (memory?.rssMb) samples.push({ tMs: performance.now() - started, rssMb: memory.rssMb, hwmMb: memory.hwmMb, cpuSeconds: readCpuSeconds(pid) });
  }, intervalMs);
  // Never keeps the bench alive: a measurement that throws before stop() must not hang it.
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/** Parses `/usr/bin/time -v` output: maximum resident set size in MB, or null. */
export function maxRssFromTime(stderr) {
  const match = stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
  return match ? Number(match[1]) / 1024 : null;
}
