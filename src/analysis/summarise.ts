/**
 * The analysis: one pass over recording lines → AnalysisResult (summary JSON,
 * timeline, per-target rows). A pure fold — no socket, clock or terminal — so the
 * live run (feeding lines as they are written) and `aoai-probe report saved.ndjson`
 * (feeding lines as they are read) produce the same object.
 *
 * Memory stays flat in the number of requests: counts, HDR histograms, time buckets
 * and per-instant aggregates. Per-request detail is kept only for burst and probe
 * phases (capped), because limit inference needs it.
 *
 * Field definitions are docs/summary.md's; where it leaves a choice, the rule is written
 * next to the code that applies it (see headroom.ts, bursts.ts, phase-rates.ts,
 * advertised.ts, timeline.ts).
 */
import type { DroppedLine, EndLine, PhaseLine, RecordLine, RequestLine, RunLine, SessionLine, TargetKind, TurnLine } from '../record/types.js';
import { RealtimeFold } from './realtime/fold.js';
import { classifySession, classifyTurn, refusedAtOpen } from './realtime/classes.js';
import type { AnalysisResult } from './result-types.js';
import type { Confidence, EffectiveRequests, EffectiveTokens, GroupSummary, RefusalClass, ShardSummary, Summary } from './summary-types.js';
import { ShardAlignment, shardSentence } from './shard-merge.js';
import { inferEffectiveLimits, type InferenceResult } from './inference/index.js';
import { ActivityIntervals } from './activity.js';
import { inferRequestsWindowSeconds, readAdvertised } from './advertised.js';
import { BurstInstants, measureBurst } from './bursts.js';
import { TargetBreakdowns } from './by-target.js';
import { Distribution } from './distribution.js';
import { GatewaySigns } from './gateway-signs.js';
import { gatewaySentence } from './gateway-verdict.js';
import { answeringRegion, regionKey } from './region-key.js';
import { parseRateLimitHeaders, type HeaderFamily, type RateLimitView, type RequestsTokensDialect } from './headers.js';
import { HeadroomTracker } from './headroom.js';
import { azureShaped } from './advertised.js';
import { LlmLatencyFold } from './llm-latency.js';
import { PhaseStats, type PhaseKind } from './phase-rates.js';
import { readRefusal } from './refusal-class.js';
import { failureKey, type RedirectEvidence } from './failures.js';
import { TokenBudgetFromStart } from './token-budget.js';
import { TimelineBuilder } from './timeline.js';
import { buildVerdict, type VerdictEvidence } from './verdict.js';
import { RetryFold } from './retry/retry-fold.js';

/** The probe's budget from a run line's scenario (`budgetRequests`, `budgetSeconds`), or null. */
function probeBudgetOf(run: RunLine | null): { requests: number | null; seconds: number | null } | null {
  const scenario = run?.scenario;
  if (scenario === null || typeof scenario !== 'object') return null;
  const fields = scenario as Record<string, unknown>;
  const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null);
  const requests = number(fields['budgetRequests']);
  const seconds = number(fields['budgetSeconds']);
  return requests === null && seconds === null ? null : { requests, seconds };
}

/** Options of an analysis. */
export interface AnalysisOptions {
  /** Path of the recording (or paths, comma-separated), copied into `summary.recording`. */
  recordingPath?: string;
  /** Problems the reader already found (e.g. a truncated last line), passed through to `warnings`. */
  warnings?: string[];
  /**
   * Whether to fold per-target and per-region figures and the gateway reading too
   * (default true). The folds that compute one target's or one region's figures
   * are analyses of their own with this off.
   */
  grouped?: boolean;
}

/** A running analysis: feed it lines, then ask for the result. */
export interface Analysis {
  add(line: RecordLine): void;
  /**
   * The result over every line added so far. It changes nothing, so a live run may
   * ask for it as often as it likes and keep adding lines afterwards.
   */
  finish(): AnalysisResult;
}

/** Requests kept for limit inference (burst and probe phases), at most. */
export const MAX_KEPT_REQUESTS = 20_000;

type Outcome = 'admitted' | 'refused' | 'failed';

function round(value: number | null, decimals: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const EMPTY_VIEW: RateLimitView = parseRateLimitHeaders({});

/** True when the object has at least one own key (without building the key list). */
function hasAnyKey(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}

/** The phase kind implied by the command when a request's phase has no phase line. */
function kindFromCommand(command: string | undefined): PhaseKind {
  switch (command) {
    case 'burst':
    case 'steady':
    case 'ramp':
    case 'probe':
      return command;
    default:
      return 'unknown';
  }
}

/**
 * The value a header showed on the first answer in admission order (the order
 * headroom.ts uses: send time, or the planned instant for a burst). Within one
 * burst instant the highest value wins: the request admitted first leaves the
 * most remaining, and the order of sends on several sockets is noise.
 */
class FirstByAdmission {
  private timeMs = Number.POSITIVE_INFINITY;
  value: number | null = null;
  offer(timeMs: number, value: number | null): void {
    if (value === null) return;
    if (timeMs < this.timeMs || (timeMs === this.timeMs && this.value !== null && value > this.value)) {
      this.timeMs = timeMs;
      this.value = value;
    }
  }
}

class RecordingFold implements Analysis {
  private readonly options: AnalysisOptions;
  private readonly warnings: string[];

  private run: RunLine | null = null;
  private runs = 0;
  private firstStartEpochMs: number | null = null;
  /** Wall-clock start of the run the current lines belong to. */
  private currentStartEpochMs: number | null = null;
  /** Added to every time of the current run's lines so merged recordings share the first run's clock. */
  private timeOffsetMs = 0;
  private end: EndLine | null = null;
  private linesAfterEnd = 0;
  private maxTimeMs = 0;

  private readonly phaseLines: PhaseLine[] = [];
  private readonly phaseKinds = new Map<string, PhaseKind>();
  private readonly phaseStats = new Map<string, PhaseStats>();

  private sent = 0;
  private ok = 0;
  private throttled = 0;
  private failed = 0;
  private dropped = 0;
  private readonly failedBy: Record<string, number> = {};
  /** The redirect with the lowest seq, for the verdict's "pass the final URL". */
  private firstRedirect: (RedirectEvidence & { seq: number }) | null = null;
  private firstThrottledSeq: number | null = null;
  private readonly byClass: Record<RefusalClass, number> = { requests: 0, tokens: 0, capacity: 0, never: 0, quota: 0, gateway: 0, unknown: 0 };
  private readonly retryAfter = new Distribution({ resolution: 0.1 });
  private readonly latency = new Distribution({ resolution: 0.001 });
  private readonly llmLatency = new LlmLatencyFold();
  private readonly lag = new Distribution({ resolution: 0.001 });
  private estimatedCharged = 0;
  private estimatedSent = 0;
  private billed = 0;

  private readonly families = new Set<HeaderFamily>();
  private readonly dialectVotes: Record<RequestsTokensDialect, number> = { azure: 0, openai: 0 };
  private requestsTokensHeadersSeen = false;
  private readonly firstRemainingRequests = new FirstByAdmission();
  private readonly firstRemainingTokens = new FirstByAdmission();
  private readonly firstLimitRequests = new FirstByAdmission();
  private readonly firstLimitTokens = new FirstByAdmission();
  private readonly firstPolicyWindow = new FirstByAdmission();
  private maxRemainingRequests: number | null = null;

  private readonly headroom = new HeadroomTracker();
  private readonly tokenBudget = new TokenBudgetFromStart();
  private readonly activity = new ActivityIntervals();
  private readonly bursts = new BurstInstants();
  private readonly timeline: TimelineBuilder;
  private readonly targets = new TargetBreakdowns();
  private readonly kept: RequestLine[] = [];
  private keptSkipped = 0;
  private readonly realtime = new RealtimeFold();
  private readonly retry = new RetryFold();

  /**
   * Per-target and per-region figures. Why whole sub-analyses: each entry repeats the
   * top-level fields (requests, throttled, effective, headers, latency) with their
   * exact rules, so the simplest faithful way is the same fold over that group's
   * requests, replaying the run and phase lines seen before the group's first request.
   */
  private readonly grouped: boolean;
  private readonly preamble: RecordLine[] = [];
  private readonly targetFolds = new Map<string, RecordingFold>();
  private readonly regionFolds = new Map<string, { name: string; fold: RecordingFold }>();
  private readonly targetIds = new Set<string>();
  private readonly gatewaySigns = new GatewaySigns();
  /** Merged shard recordings (shard-merge.ts): their clocks and instants lined up, and one fold each for `byShard`. */
  private readonly shardAlignment = new ShardAlignment();
  private readonly shardFolds: RecordingFold[] = [];
  private currentShardFold: RecordingFold | null = null;

  constructor(options: AnalysisOptions) {
    this.options = options;
    this.warnings = [...(options.warnings ?? [])];
    this.grouped = options.grouped !== false;
    // A group's entry has no timeline of its own: skip the work.
    this.timeline = this.grouped ? new TimelineBuilder() : new UnusedTimeline();
  }

  private subFold(): RecordingFold {
    const fold = new RecordingFold({ grouped: false });
    for (const line of this.preamble) fold.add(line);
    return fold;
  }

  /** Several targets declared: each gets a fold of its own (one target's entry is the top level). */
  private get severalTargets(): boolean {
    return (this.run?.targets?.length ?? 0) > 1;
  }

  private forEachSubFold(action: (fold: RecordingFold) => void): void {
    for (const fold of this.targetFolds.values()) action(fold);
    for (const entry of this.regionFolds.values()) action(entry.fold);
  }

  add(line: RecordLine): void {
    if (line === null || typeof line !== 'object') return;
    if (this.grouped && line.type === 'run') {
      this.currentShardFold = line.shard === undefined ? null : new RecordingFold({ grouped: false });
      if (this.currentShardFold !== null) this.shardFolds.push(this.currentShardFold);
    }
    this.currentShardFold?.add(line);
    if (this.grouped && (line.type === 'run' || line.type === 'phase' || line.type === 'end')) {
      if (line.type !== 'end') this.preamble.push(line);
      this.forEachSubFold((fold) => fold.add(line));
    }
    switch (line.type) {
      case 'run':
        this.onRun(line);
        break;
      case 'phase':
        this.onPhase(line);
        break;
      case 'request':
        if (this.end !== null) this.linesAfterEnd++;
        this.onRequest(line);
        break;
      case 'dropped':
        this.onDropped(line);
        break;
      case 'end':
        this.onEnd(line);
        break;
      case 'session':
        this.onSession(line);
        break;
      case 'turn':
        this.onTurn(this.timeOffsetMs === 0 ? line : shiftTurn(line, this.timeOffsetMs));
        break;
      default:
        // Unknown line types are additive extensions of the format: skip them.
        break;
    }
  }

  private shift(time: number): number {
    return time + this.timeOffsetMs;
  }

  private onRun(line: RunLine): void {
    this.runs++;
    // A shard's start is known finer than startedAt, and is put on the coordinator's clock (shard-merge.ts).
    const shardZero = finite(line.shard?.clockZeroEpochMs);
    const startEpoch = shardZero !== null ? shardZero + (finite(line.shard?.offsetMs) ?? 0) : Date.parse(line.startedAt);
    this.currentStartEpochMs = Number.isFinite(startEpoch) ? startEpoch : null;
    this.shardAlignment.run(line.shard);
    if (this.run === null) {
      this.run = line;
      this.firstStartEpochMs = this.currentStartEpochMs;
      this.timeOffsetMs = 0;
      return;
    }
    // Another recording merged into this analysis (`report a.ndjson b.ndjson`).
    if (this.firstStartEpochMs !== null && this.currentStartEpochMs !== null) {
      this.timeOffsetMs = this.currentStartEpochMs - this.firstStartEpochMs;
    } else {
      this.timeOffsetMs = this.maxTimeMs + 1000;
    }
    this.end = null;
    if (this.runs === 2) this.warnings.push('several recordings were merged: their times are placed on the first recording\'s clock');
    if (line.command !== this.run.command) this.warnings.push(`merged recordings come from different commands (${this.run.command}, ${line.command})`);
  }

  private onPhase(line: PhaseLine): void {
    const shifted = this.timeOffsetMs === 0 ? line : { ...line, startMs: this.shift(line.startMs) };
    // The shards of a split run each write the phase: the timeline marks it once.
    const repeated = this.shardAlignment.isRepeat(line.name);
    this.shardAlignment.phase(line.name, shifted.startMs);
    this.phaseLines.push(shifted);
    this.realtime.phase(shifted);
    if (!this.phaseKinds.has(line.name)) this.phaseKinds.set(line.name, line.kind);
    if (!repeated) this.timeline.phase(line.name, shifted.startMs);
    this.retry.phase(shifted);
  }

  private onSession(line: SessionLine): void {
    const moved = this.timeOffsetMs === 0 ? line : shiftSession(line, this.timeOffsetMs);
    // Its planned time on the merged clock, lined up with the first shard's phase (shard-merge.ts).
    const recordedPlannedMs = finite(line.plannedMs);
    const plannedMs = recordedPlannedMs === null ? null : this.shardAlignment.planned(line.phase, this.shift(recordedPlannedMs));
    const shifted = plannedMs === null || plannedMs === line.plannedMs ? moved : { ...moved, plannedMs };
    // A shard's session counts toward its start error like a request: asked against its lined-up plan.
    if (plannedMs !== null) this.shardAlignment.sent(line.phase, plannedMs, shifted.askedMs);
    this.realtime.session(shifted);
    this.sessionOnTimeline(shifted);
    const closeMs = finite(shifted.closeMs);
    if (closeMs !== null) this.maxTimeMs = Math.max(this.maxTimeMs, closeMs);
  }

  /**
   * A session drawn on the timeline like a request: asked for when the upgrade went out,
   * answered when the handshake (or, without one, the close) came back. Why: the timeline
   * of a realtime run would otherwise be empty, since it has no request lines; its turns
   * (onTurn) are drawn the same way, so refused responses show where they happened.
   */
  private sessionOnTimeline(session: SessionLine): void {
    const askedMs = finite(session.askedMs);
    if (askedMs === null) return;
    this.timeline.sent(askedMs);
    const doneMs = finite(session.openMs) ?? finite(session.closeMs) ?? askedMs;
    const sessionClass = classifySession(session);
    if (refusedAtOpen(session, sessionClass)) {
      this.timeline.answered(doneMs, 'refused', null);
      this.timeline.refusal(doneMs, sessionClass ?? 'handshake-other');
    } else {
      this.timeline.answered(doneMs, session.firstEventMs === null ? 'failed' : 'admitted', null);
    }
  }

  /** A response turn: on the timeline as a request inside its session (refused when its class says so). */
  private onTurn(turn: TurnLine): void {
    this.realtime.turn(turn);
    const sentMs = finite(turn.sentMs);
    if (sentMs === null) return;
    this.timeline.sent(sentMs);
    const doneMs = finite(turn.doneMs) ?? sentMs;
    const turnClass = classifyTurn(turn);
    if (turnClass !== null) {
      this.timeline.answered(doneMs, 'refused', null);
      this.timeline.refusal(doneMs, turnClass);
    } else {
      this.timeline.answered(doneMs, turn.status === 'completed' || turn.status === 'incomplete' ? 'admitted' : 'failed', null);
    }
    this.maxTimeMs = Math.max(this.maxTimeMs, doneMs);
  }

  private onEnd(line: EndLine): void {
    this.end = line;
    const endMs = finite(line.endMs);
    if (endMs !== null) this.maxTimeMs = Math.max(this.maxTimeMs, this.shift(endMs));
  }

  private onDropped(line: DroppedLine): void {
    this.dropped++;
    const recordedMs = finite(line.plannedMs);
    if (recordedMs === null) return;
    const plannedMs = this.shardAlignment.planned(line.phase, this.shift(recordedMs));
    this.timeline.dropped(plannedMs);
    this.maxTimeMs = Math.max(this.maxTimeMs, plannedMs);
  }

  private phaseKindOf(name: string): PhaseKind {
    return this.phaseKinds.get(name) ?? kindFromCommand(this.run?.command);
  }

  private onRequest(raw: RequestLine, givenView?: RateLimitView): void {
    const seq = finite(raw.seq) ?? this.sent;
    const rawSent = finite(raw.sentMs) ?? finite(raw.plannedMs) ?? 0;
    const rawDone = finite(raw.doneMs) ?? rawSent;
    const sentMs = this.shift(rawSent);
    const doneMs = this.shift(rawDone);
    const phase = typeof raw.phase === 'string' ? raw.phase : '';
    const plannedMs = this.shardAlignment.planned(phase, this.shift(finite(raw.plannedMs) ?? rawSent));
    const answeredAtEpochMs = this.currentStartEpochMs === null ? null : this.currentStartEpochMs + rawDone;
    const status = finite(raw.status);
    const headers = raw.headers !== null && typeof raw.headers === 'object' ? raw.headers : {};
    const view = givenView ?? (hasAnyKey(headers) ? parseRateLimitHeaders(headers, answeredAtEpochMs) : EMPTY_VIEW);
    const reading = readRefusal(raw, answeredAtEpochMs, view);
    // A 2xx whose body broke (reset mid-body, invalid JSON, a truncated stream) carries an
    // errorKind: it gave no usable answer, so it counts as failed, not admitted.
    const usable = status !== null && status >= 200 && status < 300 && (raw.errorKind === null || raw.errorKind === undefined);
    const outcome: Outcome = reading !== null ? 'refused' : usable ? 'admitted' : 'failed';
    const estimated = finite(raw.estimatedTokens) ?? 0;
    const kind = this.phaseKindOf(phase);

    this.sent++;
    this.shardAlignment.sent(phase, plannedMs, sentMs);
    this.estimatedSent += estimated;
    this.tokenBudget.sent(sentMs);
    this.maxTimeMs = Math.max(this.maxTimeMs, sentMs, doneMs);
    this.lag.add(Math.max(0, sentMs - plannedMs));
    this.timeline.sent(sentMs);
    this.activity.add(sentMs, doneMs);

    let latencyMs: number | null = null;
    if (outcome === 'admitted') {
      this.ok++;
      this.estimatedCharged += estimated;
      this.tokenBudget.admittedRequest(sentMs, estimated);
      latencyMs = doneMs - sentMs;
      this.latency.add(latencyMs);
      this.llmLatency.add(raw, this.timeOffsetMs);
      this.timeline.latencyPoint(sentMs, latencyMs, status);
    } else if (outcome === 'refused') {
      const refusalClass = reading!.refusalClass;
      this.throttled++;
      this.byClass[refusalClass]++;
      if (refusalClass === 'tokens') this.tokenBudget.tokenRefusal(sentMs);
      if (this.firstThrottledSeq === null || seq < this.firstThrottledSeq) this.firstThrottledSeq = seq;
      if (reading!.retryAfterMs !== null) this.retryAfter.add(reading!.retryAfterMs);
      this.timeline.refusal(doneMs, refusalClass);
    } else {
      this.failed++;
      const key = failureKey({ status, errorKind: raw.errorKind });
      this.failedBy[key] = (this.failedBy[key] ?? 0) + 1;
      if (status !== null && status >= 300 && status < 400 && (this.firstRedirect === null || seq < this.firstRedirect.seq)) {
        this.firstRedirect = { seq, status, location: typeof headers['location'] === 'string' ? headers['location'] : null };
      }
    }
    const totalTokens = finite(raw.usage?.totalTokens);
    if (totalTokens !== null) this.billed += totalTokens;
    this.timeline.answered(doneMs, outcome, latencyMs);

    const admissionMs = kind === 'burst' ? plannedMs : sentMs;
    this.readHeaders(admissionMs, doneMs, view);

    // Burst instants and per-phase rates.
    const refusalClass = reading?.refusalClass ?? null;
    if (kind === 'burst') {
      this.bursts.add({
        phase,
        plannedMs,
        sentMs,
        seq,
        outcome,
        refusalClass,
        remainingRequests: view.remainingRequests,
        remainingTokens: view.remainingTokens,
        estimatedTokens: estimated,
      });
    }
    let stats = this.phaseStats.get(phase);
    if (stats === undefined) {
      stats = new PhaseStats(phase, kind);
      this.phaseStats.set(phase, stats);
    }
    stats.add(sentMs, outcome, refusalClass, plannedMs);

    // Headroom: admitted answers that carry remaining-*, and every refusal.
    if (outcome === 'refused' || (outcome === 'admitted' && (view.remainingRequests !== null || view.remainingTokens !== null))) {
      this.headroom.add({
        timeMs: admissionMs,
        instant: kind === 'burst',
        seq,
        refusalClass,
        remainingRequests: view.remainingRequests,
        remainingTokens: view.remainingTokens,
        readMs: doneMs,
        sentMs,
        estimatedTokens: estimated,
      });
    }

    const targetId = typeof raw.target === 'string' ? raw.target : '';
    this.targets.add(targetId, answeringRegion(view), seq, outcome);
    if (this.grouped) this.addToGroups(raw, targetId, view, { seq, kind, plannedMs, sentMs, doneMs, status, outcome });

    // Attempts of retrying callers (the retry lab, --retry): the caller-level figures.
    const caller = finite(raw.caller);
    if (typeof raw.policy === 'string' && caller !== null) {
      this.retry.attempt({ policy: raw.policy, caller, attempt: finite(raw.attempt) ?? 1, sentMs, doneMs, admitted: outcome === 'admitted', refusalClass });
    }

    if (kind === 'burst' || kind === 'probe') {
      if (this.kept.length < MAX_KEPT_REQUESTS) {
        this.kept.push(
          this.timeOffsetMs === 0 && plannedMs === raw.plannedMs
            ? raw
            : { ...raw, plannedMs, sentMs, doneMs, firstByteMs: finite(raw.firstByteMs) === null ? null : this.shift(raw.firstByteMs!) },
        );
      } else {
        this.keptSkipped++;
      }
    }
  }

  private addToGroups(
    raw: RequestLine,
    targetId: string,
    view: RateLimitView,
    facts: { seq: number; kind: PhaseKind; plannedMs: number; sentMs: number; doneMs: number; status: number | null; outcome: Outcome },
  ): void {
    this.targetIds.add(targetId);
    if (this.severalTargets) {
      let fold = this.targetFolds.get(targetId);
      if (fold === undefined) {
        fold = this.subFold();
        this.targetFolds.set(targetId, fold);
      }
      fold.onRequest(raw, view);
    }
    const region = answeringRegion(view);
    const key = region === null ? '' : regionKey(region);
    if (key !== '') {
      let entry = this.regionFolds.get(key);
      if (entry === undefined) {
        entry = { name: region!, fold: this.subFold() };
        this.regionFolds.set(key, entry);
      }
      entry.fold.onRequest(raw, view);
    }
    const headers = raw.headers !== null && typeof raw.headers === 'object' ? raw.headers : {};
    this.gatewaySigns.add({
      target: targetId,
      seq: facts.seq,
      instantMs: facts.kind === 'burst' ? facts.plannedMs : null,
      sentMs: facts.sentMs,
      doneMs: facts.doneMs,
      status: facts.status,
      outcome: facts.outcome,
      view,
      headers,
      error: raw.error ?? null,
    });
  }

  /** The per-target and per-region entries and the gateway reading; empty for a sub-fold. */
  private groups(top: Omit<Summary, 'verdict'>): Pick<Summary, 'byTarget' | 'byRegion' | 'gateway'> {
    if (!this.grouped) return {};
    const byTarget: Record<string, GroupSummary> = {};
    if (this.severalTargets) {
      for (const description of this.run?.targets ?? []) if (!this.targetFolds.has(description.id)) byTarget[description.id] = groupOf(this.subFold().finish().summary);
      for (const [id, fold] of this.targetFolds) byTarget[id] = groupOf(fold.finish().summary);
    } else {
      const id = this.run?.targets?.[0]?.id ?? [...this.targetIds][0] ?? 'default';
      byTarget[id] = groupOf(top);
    }
    const byRegion: Record<string, GroupSummary> = {};
    for (const [key, entry] of this.regionFolds) byRegion[key] = { name: entry.name, ...groupOf(entry.fold.finish().summary) };
    const latencyP50Of = (region: string): number | null => byRegion[regionKey(region)]?.latency.p50 ?? null;
    return { byTarget, byRegion, gateway: this.gatewaySigns.finish(latencyP50Of) };
  }

  /** Each shard's own figures with its identity (merged shard recordings). */
  private byShard(): Record<string, ShardSummary> {
    const startedAfter = this.shardAlignment.startedAfter();
    const byShard: Record<string, ShardSummary> = {};
    this.shardAlignment.shards().forEach((identity, position) => {
      const fold = this.shardFolds[position];
      if (fold === undefined) return;
      byShard[String(identity.index)] = {
        index: identity.index,
        count: identity.count,
        host: identity.host,
        label: identity.label ?? null,
        offsetMs: round(finite(identity.offsetMs), 3),
        offsetErrorMs: round(finite(identity.offsetErrorMs), 3),
        startedAfterMs: round(startedAfter[position] ?? null, 3),
        ...groupOf(fold.finish().summary),
      };
    });
    return byShard;
  }

  private readHeaders(admissionMs: number, doneMs: number, view: RateLimitView): void {
    if (view === EMPTY_VIEW) return;
    for (const family of view.families) this.families.add(family);
    if (view.hasRequestsTokensHeaders) this.requestsTokensHeadersSeen = true;
    if (view.dialect !== null) this.dialectVotes[view.dialect]++;
    this.firstRemainingRequests.offer(admissionMs, view.remainingRequests);
    this.firstRemainingTokens.offer(admissionMs, view.remainingTokens);
    this.firstLimitRequests.offer(admissionMs, view.limitRequests);
    this.firstLimitTokens.offer(admissionMs, view.limitTokens);
    this.firstPolicyWindow.offer(admissionMs, view.policyWindowSeconds);
    if (view.remainingRequests !== null) this.maxRemainingRequests = Math.max(this.maxRemainingRequests ?? 0, view.remainingRequests);
    this.timeline.remaining(doneMs, view.remainingRequests, view.remainingTokens);
  }

  /**
   * Where the first refusal stood in arrival order (summary-types.ts). Why: a burst's
   * requests leave at one instant on many sockets and the server admits whichever it
   * reads first, so the lowest refused seq is often #0 while the limiter refused the
   * 6th request it counted. Seqs number the plan in order, so the requests planned
   * before the instant are its lowest seq, and its admitted answers came before the refusal.
   */
  private firstInArrivalOrder(): number | null {
    const first = this.firstThrottledSeq;
    if (first === null) return null;
    const instant = this.bursts.list().find((candidate) => candidate.sent >= 2 && candidate.firstRefusedSeq === first);
    return instant === undefined ? first : instant.minSeq + instant.admitted;
  }

  /**
   * The dialect of the `x-ratelimit-*-requests|tokens` headers: what the answers said,
   * else what the target is (Azure and the simulator speak Azure's; OpenAI and other
   * OpenAI-compatible APIs speak OpenAI's).
   */
  private dialect(kind: TargetKind): RequestsTokensDialect | null {
    if (this.dialectVotes.openai > this.dialectVotes.azure) return 'openai';
    if (this.dialectVotes.azure > 0) return 'azure';
    if (!this.requestsTokensHeadersSeen) return null;
    return kind === 'azure' || kind === 'simulator' ? 'azure' : 'openai';
  }

  finish(): AnalysisResult {
    const run = this.run;
    const warnings = [...this.warnings];
    const targetDescription = run?.targets?.[0];
    const target: Summary['target'] = { url: targetDescription?.url ?? '', kind: targetDescription?.kind ?? 'http' };
    if (run === null) warnings.push('the recording has no run line: the command, target and advertised limits are unknown');
    if (this.end === null && (run !== null || this.sent > 0)) warnings.push('the recording has no end line: the run was cut short; the figures cover what was recorded');
    // A realtime run counts its sessions as what it sent.
    const linesSent = this.sent + this.realtime.sessionCount;
    if (this.end !== null && this.runs <= 1 && finite(this.end.sent) !== null && this.end.sent !== linesSent) {
      warnings.push(`the end line counts ${this.end.sent} requests but ${linesSent} request lines were read: some lines are missing`);
    }
    if (this.linesAfterEnd > 0) warnings.push(`${this.linesAfterEnd} request lines came after the end line`);
    if (this.keptSkipped > 0) {
      warnings.push(`only the first ${MAX_KEPT_REQUESTS} requests of burst and probe phases were kept for limit inference (${this.keptSkipped} more were counted but not kept)`);
    }
    if (this.bursts.skipped > 0) warnings.push(`${this.bursts.skipped} requests of burst phases fell beyond the 10,000 burst instants analysed`);

    const headroom = this.headroom.result();
    const dialect = this.dialect(target.kind);
    const seenFamilies = new Set(this.families);
    if (this.requestsTokensHeadersSeen && dialect !== null) seenFamilies.add(dialect);
    const familyOrder: HeaderFamily[] = ['azure', 'openai', 'anthropic', 'ietf', 'x-ratelimit', 'retry-after'];
    const families: string[] = familyOrder.filter((family) => seenFamilies.has(family));

    const advertisedReading = readAdvertised(run, {
      limitRequests: this.firstLimitRequests.value,
      limitTokens: this.firstLimitTokens.value,
      policyWindowSeconds: this.firstPolicyWindow.value,
      dialect,
      azureTarget: azureShaped(target.kind),
    });
    const advertised = advertisedReading.advertised;
    const requestsWindowSeconds = inferRequestsWindowSeconds(
      {
        limitRequests: this.firstLimitRequests.value,
        firstRemainingRequests: this.firstRemainingRequests.value,
        maxRemainingRequests: this.maxRemainingRequests,
      },
      advertised,
    );

    // Bursts: idle means nothing in flight for the longest request window we have evidence of (10 s at least).
    const idleGapMs = Math.max(10_000, (requestsWindowSeconds ?? 0) * 1000, (this.firstPolicyWindow.value ?? 0) * 1000);
    const burst = measureBurst(this.bursts.list(), this.activity, idleGapMs);

    // Steady and ramp phases: the admitted rate once throttled, and a ramp's knee.
    let perSecond: number | null = null;
    let kneePerSecond: number | null = null;
    for (const stats of this.phaseStats.values()) {
      if (stats.kind !== 'steady' && stats.kind !== 'ramp') continue;
      const rate = stats.throttledRate();
      if (rate !== null) perSecond = Math.max(perSecond ?? 0, rate);
      if (stats.kind === 'ramp' && kneePerSecond === null) kneePerSecond = stats.rateAtFirstRefusal(this.phaseLines.find((line) => line.name === stats.name));
    }

    // Confidence goes with the main figure: the burst's when a burst was measured
    // (bursts.ts says when it is high); else medium for a throttled steady rate, which
    // is the limiter's sustained rate only if the limiter does not count refusals.
    const requestsConfidence: Confidence = burst.burst !== null ? burst.confidence : perSecond !== null ? 'medium' : 'none';
    let effectiveRequests: EffectiveRequests = {
      burst: burst.burst,
      perSecond: round(perSecond, 2),
      windowSeconds: null,
      // "none-observed" needs admitted requests: a run where every request failed observed nothing at all.
      shape: this.ok === 0 || this.throttled > 0 ? 'unknown' : 'none-observed',
      confidence: requestsConfidence,
      kneePerSecond: round(kneePerSecond, 2),
      overdriveOfferedPerSecond: null,
      overdriveAdmittedPerSecond: null,
    };
    // The token budget: from a burst from idle that ended in token refusals, else from the
    // requests admitted since the run began until the first token refusal (token-budget.ts).
    const tokenBurst = burst.tokenBurst ?? this.tokenBudget.result();
    let effectiveTokens: EffectiveTokens =
      tokenBurst !== null
        ? { burst: tokenBurst, perMinute: null, windowSeconds: null, confidence: 'medium' }
        : { burst: null, perMinute: null, windowSeconds: null, confidence: 'none' };

    // Probe experiments: limit inference knows more than the rules above; its figures win.
    let inferenceNotes: string[] = [];
    if (this.phaseLines.some((phase) => phase.kind === 'probe')) {
      const startEpoch = this.firstStartEpochMs;
      const inferred = inferEffectiveLimits({
        phases: [...this.phaseLines].sort((a, b) => a.startMs - b.startMs),
        requests: [...this.kept].sort((a, b) => a.seq - b.seq),
        refusalClassOf: (request) => readRefusal(request, startEpoch === null ? null : startEpoch + request.doneMs)?.refusalClass ?? null,
        // Azure's arithmetic (RPM/60 per second, RPM/6 per 10 s) only for what the user gave
        // or an Azure-shaped target; a generic limiter's header limit is not an RPM.
        advertised: advertised.source !== 'headers' || azureShaped(target.kind) ? { tpm: advertised.tpm, rpm: advertised.rpm } : { tpm: null, rpm: null },
        budget: probeBudgetOf(run),
        endReason: this.end?.reason ?? null,
      });
      if (inferred !== null) {
        ({ effectiveRequests, effectiveTokens } = mergeInference(effectiveRequests, effectiveTokens, inferred));
        inferenceNotes = inferred.notes;
      }
      if (this.ok === 0 && this.throttled === 0) effectiveRequests = { ...effectiveRequests, shape: 'unknown', confidence: 'none' };
    }

    const spanMs = this.maxTimeMs;
    const llm = this.llmLatency.total();
    const ended = this.end?.reason ?? 'truncated';
    const summaryWithoutVerdict: Omit<Summary, 'verdict'> = {
      schema: 'aoai-probe/summary@1',
      command: run?.command ?? 'unknown',
      target,
      advertised,
      requests: { sent: this.sent, ok: this.ok, throttled: this.throttled, failed: this.failed, dropped: this.dropped, ...(this.failed > 0 ? { failedBy: { ...this.failedBy } } : {}) },
      throttled: {
        ratio: this.sent === 0 ? 0 : round(this.throttled / this.sent, 4)!,
        firstSeq: this.firstThrottledSeq,
        firstInArrivalOrder: this.firstInArrivalOrder(),
        byClass: { ...this.byClass },
        retryAfterMs: {
          min: round(this.retryAfter.min(), 1),
          p50: round(this.retryAfter.percentile(50), 1),
          max: round(this.retryAfter.max(), 1),
        },
        whileHeadersShowedCapacity: headroom.whileHeadersShowedCapacity,
      },
      effective: { requests: effectiveRequests, tokens: effectiveTokens },
      headers: {
        requestsWindowSeconds,
        limitRequests: this.firstLimitRequests.value,
        limitTokens: this.firstLimitTokens.value,
        firstRemainingRequests: this.firstRemainingRequests.value,
        firstRemainingTokens: this.firstRemainingTokens.value,
        families: families.length > 0 ? families : ['none'],
      },
      latency: {
        p50: round(this.latency.percentile(50), 1),
        p95: round(this.latency.percentile(95), 1),
        p99: round(this.latency.percentile(99), 1),
        max: round(this.latency.max(), 1),
        firstToken: llm.firstToken,
        firstByte: llm.firstByte,
        betweenTokens: llm.betweenTokens,
      },
      latencyByPhase: this.llmLatency.byPhase(),
      schedule: {
        sendSpreadMs: round(burst.sendSpreadMs, 3),
        lagP99Ms: round(this.lag.percentile(99), 3),
        ...(this.shardAlignment.seen ? { crossShardSpreadMs: round(this.shardAlignment.crossShardSpreadMs(), 3) } : {}),
      },
      tokens: { estimatedCharged: this.estimatedCharged, billed: this.billed, estimatedSent: this.estimatedSent, outputPerSecond: llm.outputPerSecond },
      recording: this.options.recordingPath ?? '',
      ended,
      durationSeconds: round(spanMs / 1000, 3) ?? 0,
    };

    const instant = burst.instant;
    const evidence: VerdictEvidence = {
      burst:
        instant === null
          ? null
          : {
              sent: instant.sent,
              admitted: instant.admitted,
              refused: instant.refused,
              refusalsFollowAdmitted:
                instant.firstRefusedSeq !== null &&
                instant.failed === 0 &&
                instant.firstRefusedSeq - instant.minSeq === instant.admitted &&
                (instant.admitted === 0 || instant.maxAdmittedSeq < instant.firstRefusedSeq),
              remainingRequestsShown: instant.minAdmittedRemainingRequests,
              fromIdle: burst.fromIdle,
            },
      firstRefusal: headroom.firstRefusal,
      advertisedNote: advertisedReading.note,
      inferenceNotes,
      redirect: this.firstRedirect === null ? null : { status: this.firstRedirect.status, location: this.firstRedirect.location },
    };
    const retry = this.retry.seen ? this.retry.summary() : null;
    const realtime = this.realtime.finish({ rpm: advertised.rpm, tpm: advertised.tpm });
    if (realtime !== null) summaryWithoutVerdict.realtime = realtime.summary;
    // The lab compares policies, each against its own limiter: its verdict is the retry one.
    // A recording of sessions only: the HTTP sentences (which would say no request was sent) give way to the realtime ones.
    const httpVerdict =
      retry !== null && this.run?.command === 'retry' ? retry.verdict : realtime !== null && this.sent === 0 ? '' : buildVerdict(summaryWithoutVerdict, evidence);
    const shardReading = this.shardAlignment.seen
      ? shardSentence({
          shards: this.shardAlignment.shards(),
          spreadMs: this.shardAlignment.crossShardSpreadMs(),
          burstSent: this.phaseLines.some((phase) => phase.kind === 'burst'),
          windowSeconds: requestsWindowSeconds,
        })
      : null;
    const shardText = shardReading?.sentence ?? '';
    if (this.grouped) {
      warnings.push(...this.shardAlignment.problems());
      if (shardReading?.flagged === true) warnings.push('the shards started further apart than the window under test: the merged burst is not one instant (see the verdict)');
    }
    const verdict = [httpVerdict, ...(realtime?.notes ?? []), shardText].filter((sentence) => sentence !== '').join(' ');
    const groups = this.groups(summaryWithoutVerdict);
    const withGroups = { ...summaryWithoutVerdict, ...groups };
    const gatewayText = groups.gateway === undefined ? null : gatewaySentence(withGroups);
    const summary: Summary = {
      ...withGroups,
      ...(this.grouped && this.shardFolds.length > 0 ? { byShard: this.byShard() } : {}),
      ...(retry !== null ? { callers: this.retry.callers(), retry } : {}),
      verdict: gatewayText === null ? verdict : `${verdict} ${gatewayText}`,
    };

    return {
      summary,
      timeline: this.timeline.finish(spanMs),
      byTarget: this.targets.list(),
      warnings,
      ...(retry !== null ? { retryTimelines: this.retry.timelines() } : {}),
    };
  }
}

/** A timeline that records nothing, for the folds of per-target and per-region entries. */
class UnusedTimeline extends TimelineBuilder {
  override sent(): void {}
  override answered(): void {}
  override remaining(): void {}
  override refusal(): void {}
  override dropped(): void {}
  override latencyPoint(): void {}
}

/** The top-level fields a per-target or per-region entry repeats. */
function groupOf(summary: Omit<Summary, 'verdict'>): GroupSummary {
  return { requests: summary.requests, throttled: summary.throttled, effective: summary.effective, headers: summary.headers, latency: summary.latency };
}

/**
 * Merges inferred limits over the fold's own: each inferred figure wins when it is
 * not null; the fold's figure stays where inference had none. Shape and confidence
 * come from inference when it produced any request figure.
 */
function mergeInference(requests: EffectiveRequests, tokens: EffectiveTokens, inferred: InferenceResult): { effectiveRequests: EffectiveRequests; effectiveTokens: EffectiveTokens } {
  const r = inferred.requests;
  const inferredRequestFigure = r.burst !== null || r.perSecond !== null || r.windowSeconds !== null;
  const effectiveRequests: EffectiveRequests = {
    ...requests,
    burst: r.burst ?? requests.burst,
    perSecond: r.perSecond ?? requests.perSecond,
    // Nothing admitted: a recovery time fitted to zero admissions (it came out as 0.001 s) is no figure at all.
    windowSeconds: (r.burst ?? requests.burst) === 0 ? null : (r.windowSeconds ?? requests.windowSeconds),
    shape: r.shape !== 'unknown' || inferredRequestFigure ? r.shape : requests.shape,
    confidence: inferredRequestFigure ? r.confidence : requests.confidence,
    kneePerSecond: r.kneePerSecond ?? requests.kneePerSecond ?? null,
    overdriveOfferedPerSecond: r.overdriveOfferedPerSecond ?? requests.overdriveOfferedPerSecond ?? null,
    overdriveAdmittedPerSecond: r.overdriveAdmittedPerSecond ?? requests.overdriveAdmittedPerSecond ?? null,
  };
  const t = inferred.tokens;
  const inferredTokenFigure = t.burst !== null || t.perMinute !== null || t.windowSeconds !== null;
  const effectiveTokens: EffectiveTokens = {
    burst: t.burst ?? tokens.burst,
    perMinute: t.perMinute ?? tokens.perMinute,
    windowSeconds: t.windowSeconds ?? tokens.windowSeconds,
    confidence: inferredTokenFigure ? t.confidence : tokens.confidence,
  };
  return { effectiveRequests, effectiveTokens };
}

/** Starts an analysis; feed it every line of a recording (or of several, one after the other), then call finish(). */
export function createAnalysis(options: AnalysisOptions = {}): Analysis {
  return new RecordingFold(options);
}

/** Analyses a whole recording from an iterable (an array, or the reader's async stream of lines). */
export async function analyseLines(lines: Iterable<RecordLine> | AsyncIterable<RecordLine>, options: AnalysisOptions = {}): Promise<AnalysisResult> {
  const analysis = createAnalysis(options);
  if (Symbol.asyncIterator in lines) {
    for await (const line of lines as AsyncIterable<RecordLine>) analysis.add(line);
  } else {
    for (const line of lines as Iterable<RecordLine>) analysis.add(line);
  }
  return analysis.finish();
}

/**
 * Like {@link analyseLines} for lines that come in batches (the reader's
 * `readRecordingBatches`, a few thousand lines per chunk). Why: on a million-line
 * recording one async step per line is a measurable share of the time.
 */
export async function analyseLineBatches(
  batches: Iterable<readonly RecordLine[]> | AsyncIterable<readonly RecordLine[]>,
  options: AnalysisOptions = {},
): Promise<AnalysisResult> {
  const analysis = createAnalysis(options);
  if (Symbol.asyncIterator in batches) {
    for await (const batch of batches as AsyncIterable<readonly RecordLine[]>) for (const line of batch) analysis.add(line);
  } else {
    for (const batch of batches as Iterable<readonly RecordLine[]>) for (const line of batch) analysis.add(line);
  }
  return analysis.finish();
}

/** A session line on the first recording's clock (merged reports). */
function shiftSession(line: SessionLine, offsetMs: number): SessionLine {
  const shift = (value: number | null): number | null => (value === null ? null : value + offsetMs);
  return {
    ...line,
    askedMs: line.askedMs + offsetMs,
    openMs: shift(line.openMs),
    firstEventMs: shift(line.firstEventMs),
    closeMs: line.closeMs + offsetMs,
    rateLimits: (line.rateLimits ?? []).map((update) => ({ ...update, atMs: update.atMs + offsetMs })),
    errors: (line.errors ?? []).map((error) => ({ ...error, atMs: error.atMs + offsetMs })),
  };
}

/** A turn line on the first recording's clock (merged reports). */
function shiftTurn(line: TurnLine, offsetMs: number): TurnLine {
  return { ...line, sentMs: line.sentMs + offsetMs, doneMs: line.doneMs === null ? null : line.doneMs + offsetMs };
}
