/**
 * On-the-wire arrival times: tcpdump on `lo` with nanosecond timestamps, capturing only
 * the TCP segments to the nginx port whose payload starts with "POST" (the first segment
 * of each request), then reading the capture back as text.
 *
 * Why the wire and not the client's own clock: a client's "sent" time is when it handed
 * bytes to its HTTP library, not when they left. On loopback a packet is timestamped when
 * it is transmitted, in the sender's context, so the capture measures client dispatch
 * without depending on nginx's scheduling (perf-baselines.md §Setup).
 *
 * Why write a pcap and decode afterwards: formatting text while capturing costs CPU on
 * the server core and risks drops; `-w` with a large buffer does not.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { runCommand, sleep, startChild, SERVER_CPU, tail } from './proc.js';

/** BPF: TCP to `port` with a payload whose first four bytes are "POST" (0x504f5354). */
function postFilter(port) {
  return `tcp dst port ${port} and tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x504f5354`;
}

/**
 * Starts tcpdump writing `file` (pcap, ns precision). Resolves once tcpdump reports it is
 * listening. `stop()` ends it with SIGINT and resolves to the kernel drop count.
 */
export async function startCapture({ port, file }) {
  mkdirSync(path.dirname(file), { recursive: true });
  const args = [
    '-i', 'lo', '-nn', '-U', '--immediate-mode', '-B', '32768', '-s', '200',
    '--time-stamp-precision=nano', '-w', file, postFilter(port),
  ];
  const { child, exited } = startChild('tcpdump', args, { cpu: SERVER_CPU, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const stderrClosed = new Promise((resolve) => child.stderr.once('close', resolve));
  let timer;
  const ready = new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes('listening on')) resolve();
    });
    exited.then(() => reject(new Error(`tcpdump exited: ${tail(stderr)}`)));
    timer = setTimeout(() => reject(new Error(`tcpdump not ready after 5 s: ${tail(stderr)}`)), 5000);
  });
  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  // The filter is attached before "listening on" is printed; a short pause lets the ring settle.
  await sleep(100);
  return {
    file,
    async stop() {
      // Let the last segments reach the ring buffer before stopping.
      await sleep(200);
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      await stderrClosed;
      clearTimeout(timer);
      const dropped = stderr.match(/(\d+) packets? dropped by kernel/);
      const captured = stderr.match(/(\d+) packets? captured/);
      return {
        droppedByKernel: dropped ? Number(dropped[1]) : null,
        captured: captured ? Number(captured[1]) : null,
      };
    },
  };
}

/**
 * Decodes a capture with `tcpdump -r -A` and returns its request segments in time order:
 * `{ tMs, srcPort, target }`, where tMs is epoch milliseconds (sub-µs digits kept as far as
 * a double allows, about 0.25 µs) and target the request-target ("/path?tag=…").
 */
export async function readCapture(file) {
  const { stdout } = await runCommand('tcpdump', ['-r', file, '-nn', '-tt', '--time-stamp-precision=nano', '-A'], {
    timeoutMs: 120_000,
  });
  return parseTcpdumpText(stdout);
}

/** Matches a packet's first line: "1732350000.123456789 IP 127.0.0.1.54321 > 127.0.0.1.8088: …". */
const HEADER_LINE = /^(\d+)\.(\d{9}) IP6? [\d.:a-f]+?\.(\d+) > [\d.:a-f]+?\.(\d+): /;
const REQUEST_LINE = /POST (\S+) HTTP\/1\.[01]/;

/**
 * Parses `tcpdump -nn -tt --time-stamp-precision=nano -A` text: one header line per
 * packet, then its bytes as ASCII (non-printables as '.'). Exported for the bench's tests.
 */
export function parseTcpdumpText(text) {
  const segments = [];
  let current = null;
  const finish = () => {
    if (current) {
      const match = current.payload.match(REQUEST_LINE);
      segments.push({ tMs: current.tMs, srcPort: current.srcPort, dstPort: current.dstPort, target: match ? match[1] : null });
    }
  };
  for (const line of text.split('\n')) {
    const header = HEADER_LINE.exec(line);
    if (header) {
      finish();
      const seconds = Number(header[1]);
      const nanos = Number(header[2]);
      current = {
        tMs: seconds * 1000 + nanos / 1e6,
        srcPort: Number(header[3]),
        dstPort: Number(header[4]),
        payload: '',
      };
    } else if (current && current.payload.length < 400) {
      current.payload += line;
    }
  }
  finish();
  segments.sort((a, b) => a.tMs - b.tMs);
  return segments;
}

/** Reads the `tag` query parameter of a request-target, or null. */
export function tagOf(target) {
  if (!target) return null;
  const query = target.indexOf('?');
  if (query < 0) return null;
  return new URLSearchParams(target.slice(query + 1)).get('tag');
}
