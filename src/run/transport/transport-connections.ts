/**
 * Connections opened before a burst's instant (Transport.prepare).
 *
 * Why: a burst must measure the limiter, not TCP and TLS handshakes. If the N
 * requests of a burst each opened their connection at the instant, the last one
 * would leave tens of milliseconds after the first (perf-baselines.md §2: 25 ms
 * cold vs 7-10 ms warm for 100 requests), and the spread would look like limiter
 * behaviour. Warming connections with a request would spend the very quota being
 * measured. So sockets are opened here, with undici's own connector (same TLS
 * options, session cache, keep-alive and no-delay settings as undici's), and kept
 * idle; the Pool's `connect` option takes them one by one when it needs a
 * connection, and falls back to a normal connect when none is left.
 *
 * Why the hand-over is deferred to a microtask: undici's Client expects its
 * connector to call back asynchronously (it is inside its resume loop when it
 * asks). A microtask still runs before any I/O, so all the requests of a burst
 * are written in the same turn of the event loop, right after the runner's
 * synchronous send loop. A fresh socket is also written at once, whereas undici
 * 7.30 defers the first write on a reused idle keep-alive socket by one
 * setImmediate (GHSA-35p6-xmwp-9g52).
 *
 * Trade-off: an idle socket can be closed by the server (idle timeout) while it
 * waits; closed sockets are dropped from the list, and one closed in the very
 * instant of the hand-over shows up as a `reset` on that request.
 */
import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';

/** Sockets opened ahead of time for one origin, handed to undici on demand. */
export class WarmConnections {
  private readonly idle: Socket[] = [];
  private readonly onIdleClose = new Map<Socket, () => void>();
  private closed = false;

  /**
   * @param connector undici's connector for the origin (from `buildConnector`).
   * @param origin the target's origin, e.g. `https://x.openai.azure.com`.
   */
  constructor(
    private readonly connector: buildConnector.connector,
    private readonly origin: URL,
  ) {}

  /** Sockets opened and not yet handed over. */
  get idleCount(): number {
    return this.idle.length;
  }

  /**
   * The `connect` option for undici's Pool or Client: a warm socket if one is
   * still open, otherwise a new connection.
   */
  readonly connect: buildConnector.connector = (options, callback) => {
    const socket = this.takeOpenSocket();
    if (socket === null) {
      this.connector(options, callback);
      return;
    }
    queueMicrotask(() => callback(null, socket));
  };

  /**
   * Opens `count` more sockets in parallel. Resolves with how many opened; failures
   * are not errors here (the requests themselves will record refused, dns, tls...).
   */
  async open(count: number): Promise<number> {
    if (this.closed || count <= 0) return 0;
    const attempts = Array.from({ length: count }, () => this.openOne());
    const results = await Promise.all(attempts);
    return results.filter(Boolean).length;
  }

  /** Destroys the sockets not handed over. */
  close(): void {
    this.closed = true;
    for (const socket of this.idle.splice(0)) {
      this.forget(socket);
      socket.destroy();
    }
  }

  private openOne(): Promise<boolean> {
    const url = this.origin;
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    return new Promise((resolve) => {
      this.connector({ hostname, host: url.host, protocol: url.protocol, port: url.port }, (error, socket) => {
        if (error !== null || socket === null) return resolve(false);
        if (this.closed) {
          socket.destroy();
          return resolve(false);
        }
        this.keep(socket);
        resolve(true);
      });
    });
  }

  private keep(socket: Socket): void {
    // Idle warm sockets must not keep the process alive; undici takes over ref/unref.
    socket.unref();
    const onClose = (): void => {
      const index = this.idle.indexOf(socket);
      if (index !== -1) this.idle.splice(index, 1);
      this.forget(socket);
    };
    socket.once('close', onClose);
    socket.once('end', onClose);
    this.onIdleClose.set(socket, onClose);
    this.idle.push(socket);
  }

  private forget(socket: Socket): void {
    const onClose = this.onIdleClose.get(socket);
    if (onClose === undefined) return;
    socket.off('close', onClose);
    socket.off('end', onClose);
    this.onIdleClose.delete(socket);
  }

  private takeOpenSocket(): Socket | null {
    while (this.idle.length > 0) {
      const socket = this.idle.pop()!;
      this.forget(socket);
      if (!socket.destroyed && socket.readyState === 'open' && socket.readableEnded === false) {
        socket.ref();
        return socket;
      }
      socket.destroy();
    }
    return null;
  }
}
