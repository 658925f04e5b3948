/**
 * The names of the transports a run can choose from (transport-choice.ts says which one
 * `auto` picks and why). A module of their own, without the transports: `--transport` is
 * checked with the other flags, and bad input should exit 2 without loading an HTTP
 * client.
 */

/** The transports a run can choose from, `auto` first (the default). */
export const TRANSPORT_KINDS = ['auto', 'undici', 'lean'] as const;

/** One of {@link TRANSPORT_KINDS}. */
export type TransportKind = (typeof TRANSPORT_KINDS)[number];

/** The default: `auto`, lean where it can, undici where it cannot. */
export const DEFAULT_TRANSPORT_KIND: TransportKind = 'auto';

/** True when `value` names a transport (for validating a flag or a scenario field). */
export function isTransportKind(value: string): value is TransportKind {
  return (TRANSPORT_KINDS as readonly string[]).includes(value);
}
