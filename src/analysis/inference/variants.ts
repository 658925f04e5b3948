/**
 * The catalogue of limiter kinds the inference can recognise, each with the
 * parameters a fit searches and the shape it reports (`effective.requests.shape` in docs/summary.md).
 *
 * Why so many variants of three shapes: real limiters differ in details that
 * change what a probe sees — whether windows sit on the clock or start at the
 * first hit, whether refused requests count ("penalty"), whether a refusal
 * blocks for a while. A fit that only knew the textbook versions would explain
 * HAProxy or rate-limiter-flexible badly and report the wrong figures.
 */
import type { LimiterShape } from '../summary-types.js';
import type { Dimension } from './samples.js';
import type { ReplayModel } from './models/replay-model.js';
import { TokenBucketModel } from './models/token-bucket.js';
import { SlidingLogModel } from './models/sliding-log.js';
import { FixedWindowModel } from './models/fixed-window.js';
import { AnchoredWindowModel } from './models/anchored-window.js';
import { SlidingCounterModel } from './models/sliding-counter.js';
import { ConcurrencyModel } from './models/concurrency.js';
import { WholeTokenBucketModel } from './models/whole-token-bucket.js';
import { SlidingLogPairModel } from './models/sliding-log-pair.js';

/** Names of the variants, stable: they appear in notes and in the probe's reasoning. */
export type VariantId =
  | 'token-bucket'
  | 'token-bucket-penalty'
  | 'sliding-log'
  | 'sliding-log-penalty'
  | 'fixed-window'
  | 'anchored-window'
  | 'anchored-window-block'
  | 'anchored-window-restart'
  | 'whole-token-bucket'
  | 'sliding-counter'
  | 'sliding-counter-penalty'
  | 'concurrency'
  | 'sliding-log-pair';

/** The structural parameters of a hypothesis (null where the variant has none). */
export interface VariantParams {
  ratePerSecond: number | null;
  windowMs: number | null;
  phaseMs: number | null;
  blockMs: number | null;
  /** Two limits in AND (the sliding-log pair): the second, longer window, ms. */
  secondWindowMs?: number;
  /** Two limits in AND: how many more requests the second window holds than the first. */
  secondExtra?: number;
}

/** One limiter kind the fit can try. */
export interface Variant {
  id: VariantId;
  shape: LimiterShape;
  /** Refused requests count against the limit. */
  penalty: boolean;
  /** The parameter searched on the main grid. */
  main: 'rate' | 'window' | null;
  /** Boundaries on the clock: the phase is searched too. */
  phased: boolean;
  /** A block after the first refusal: its length is searched too. */
  blocked: boolean;
  /** The model's state depends on the capacity (so capacities are tried one by one). */
  capacityDependent: boolean;
  /**
   * A small cost added to the mismatch count, so that when two variants explain the
   * data equally well the one with fewer free parameters wins (Occam, in units of
   * "wrong predictions").
   */
  complexity: number;
  dimensions: readonly Dimension[];
  create(params: VariantParams, capacity: number): ReplayModel;
}

/** Every variant, simplest first. */
export const VARIANTS: readonly Variant[] = [
  {
    id: 'concurrency',
    shape: 'concurrency',
    penalty: false,
    main: null,
    phased: false,
    blocked: false,
    capacityDependent: false,
    complexity: 0,
    dimensions: ['requests'],
    create: () => new ConcurrencyModel(),
  },
  {
    id: 'token-bucket',
    shape: 'token-bucket',
    penalty: false,
    main: 'rate',
    phased: false,
    blocked: false,
    capacityDependent: false,
    complexity: 0.25,
    dimensions: ['requests', 'tokens'],
    create: (params, capacity) => new TokenBucketModel(params.ratePerSecond!, false, capacity),
  },
  {
    id: 'sliding-log',
    shape: 'sliding-window',
    penalty: false,
    main: 'window',
    phased: false,
    blocked: false,
    capacityDependent: false,
    complexity: 0.25,
    dimensions: ['requests', 'tokens'],
    create: (params) => new SlidingLogModel(params.windowMs!, false),
  },
  {
    id: 'anchored-window',
    shape: 'fixed-window',
    penalty: false,
    main: 'window',
    phased: false,
    blocked: false,
    capacityDependent: false,
    complexity: 0.25,
    dimensions: ['requests', 'tokens'],
    create: (params) => new AnchoredWindowModel(params.windowMs!, null),
  },
  {
    id: 'fixed-window',
    shape: 'fixed-window',
    penalty: false,
    main: 'window',
    phased: true,
    blocked: false,
    capacityDependent: false,
    complexity: 0.5,
    dimensions: ['requests', 'tokens'],
    create: (params) => new FixedWindowModel(params.windowMs!, params.phaseMs!),
  },
  {
    id: 'sliding-counter',
    shape: 'sliding-window',
    penalty: false,
    main: 'window',
    phased: true,
    blocked: false,
    capacityDependent: false,
    complexity: 0.5,
    dimensions: ['requests', 'tokens'],
    create: (params) => new SlidingCounterModel(params.windowMs!, params.phaseMs!, false),
  },
  {
    id: 'token-bucket-penalty',
    shape: 'token-bucket',
    penalty: true,
    main: 'rate',
    phased: false,
    blocked: false,
    capacityDependent: true,
    complexity: 0.5,
    dimensions: ['requests'],
    create: (params, capacity) => new TokenBucketModel(params.ratePerSecond!, true, capacity),
  },
  {
    id: 'sliding-log-penalty',
    shape: 'sliding-window',
    penalty: true,
    main: 'window',
    phased: false,
    blocked: false,
    capacityDependent: false,
    complexity: 0.5,
    dimensions: ['requests'],
    create: (params) => new SlidingLogModel(params.windowMs!, true),
  },
  {
    id: 'anchored-window-block',
    shape: 'fixed-window',
    penalty: true,
    main: 'window',
    phased: false,
    blocked: true,
    capacityDependent: false,
    complexity: 0.75,
    dimensions: ['requests'],
    create: (params) => new AnchoredWindowModel(params.windowMs!, params.blockMs!),
  },
  {
    id: 'whole-token-bucket',
    shape: 'token-bucket',
    penalty: false,
    main: 'rate',
    phased: false,
    blocked: false,
    capacityDependent: true,
    complexity: 0.75,
    dimensions: ['requests'],
    create: (params, capacity) => new WholeTokenBucketModel(params.ratePerSecond!, capacity),
  },
  {
    id: 'anchored-window-restart',
    shape: 'fixed-window',
    penalty: true,
    main: 'window',
    phased: false,
    blocked: true,
    capacityDependent: false,
    complexity: 0.75,
    dimensions: ['requests'],
    create: (params) => new AnchoredWindowModel(params.windowMs!, params.blockMs!, true),
  },
  {
    id: 'sliding-counter-penalty',
    shape: 'sliding-window',
    penalty: true,
    main: 'window',
    phased: true,
    blocked: false,
    capacityDependent: false,
    complexity: 0.75,
    dimensions: ['requests'],
    create: (params) => new SlidingCounterModel(params.windowMs!, params.phaseMs!, true),
  },
];

/**
 * Two sliding logs in AND. Not in VARIANTS: its four parameters (two windows, two
 * capacities) need a search of their own (pair-fit.ts), which runs beside the
 * catalogue's and is only believed when it explains clearly more than any one limit.
 */
export const SLIDING_LOG_PAIR: Variant = {
  id: 'sliding-log-pair',
  shape: 'sliding-window',
  penalty: false,
  main: 'window',
  phased: false,
  blocked: false,
  capacityDependent: false,
  complexity: 1,
  dimensions: ['requests'],
  create: (params) => SlidingLogPairModel.create(params.windowMs!, params.secondWindowMs!, params.secondExtra!),
};

/** Looks a variant up by id. */
export function variantById(id: VariantId): Variant {
  const variant = [...VARIANTS, SLIDING_LOG_PAIR].find((candidate) => candidate.id === id);
  if (variant === undefined) throw new Error(`unknown limiter variant ${id}`);
  return variant;
}
