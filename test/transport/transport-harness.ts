/**
 * The setup every transport test file shares: the secrets and payload they send,
 * an Azure-shaped target, request numbering, and cleanup of the servers and
 * transports a test starts. One place, so the contract suite
 * (transport-contract.ts) and the lean-only cases (lean-wire.test.ts) cannot drift.
 */
import { afterEach } from 'vitest';
import type { HttpTransport, TransportOptions } from '../../src/run/transport/transport.js';
import type { PayloadSpec, SendRequest, TargetSpec } from '../../src/run/types.js';
import { offsetClock, startTestServer, type Handler, type TestServer } from './test-server.js';

/** An Azure-looking key: long enough that a leak in a line would be found by search. */
export const API_KEY = 'key-0123456789abcdef0123456789abcdef';
/** A JWT-shaped bearer token, for the same reason. */
export const BEARER = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl';
/** The default payload of the transport tests: a small chat completion. */
export const chat: PayloadSpec = { kind: 'chat', model: null, maxTokens: 16, promptTokens: null, stream: false };
/** A signal that never aborts, for requests no test cuts. */
export const never = new AbortController().signal;

/** Builds a transport from options: `createTransport` or `createLeanTransport`. */
export type CreateTransport = (options: TransportOptions) => HttpTransport;

/** A classic Azure deployment URL on `base`, with key auth unless told otherwise. */
export function azureTarget(base: string, auth: TargetSpec['auth'] = { apiKey: API_KEY }): TargetSpec {
  return { id: 'default', kind: 'azure', url: `${base}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`, deployment: 'gpt-4o', auth };
}

let seq = 0;
/** A request with a fresh sequence number; `plannedMs` far from any clock reading. */
export function request(changes: Partial<SendRequest> = {}): SendRequest {
  return { seq: seq++, phase: 'test', target: 'default', plannedMs: 999_999, ...changes };
}

/** The options every test transport starts from: offset clock, 5 s timeout, 200 connections. */
export function testOptions(target: TargetSpec, changes: Partial<TransportOptions> = {}): TransportOptions {
  return { target, payload: chat, clock: offsetClock(), timeoutMs: 5000, connections: 200, ...changes };
}

/** What a test file gets from {@link useTransportHarness}. */
export interface TransportHarness {
  /** Starts a capturing test server, closed after the test. */
  server(handler?: Handler): Promise<TestServer>;
  /** A transport for `target` with {@link testOptions}, closed after the test. */
  transportFor(target: TargetSpec, changes?: Partial<TransportOptions>): HttpTransport;
  /** Closes `transport` after the test (for transports built another way). */
  ownTransport<T extends HttpTransport>(transport: T): T;
  /** Closes `server` after the test, once the transports are closed. */
  ownServer(server: { close(): Promise<void> }): void;
}

/**
 * Registers an afterEach in the calling scope (file or describe) that closes
 * every transport, then every server, the tests of that scope started. Transports
 * first: a server that waits for its connections to end would otherwise wait for us.
 */
export function useTransportHarness(create: CreateTransport): TransportHarness {
  let servers: { close(): Promise<void> }[] = [];
  let transports: HttpTransport[] = [];
  afterEach(async () => {
    await Promise.all(transports.map((transport) => transport.close()));
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
    transports = [];
  });
  const ownTransport = <T extends HttpTransport>(transport: T): T => {
    transports.push(transport);
    return transport;
  };
  return {
    async server(handler) {
      const started = await startTestServer(handler);
      servers.push(started);
      return started;
    },
    transportFor: (target, changes) => ownTransport(create(testOptions(target, changes))),
    ownTransport,
    ownServer(server) {
      servers.push(server);
    },
  };
}
