/**
 * The backend contract, for backend authors: what a backend implements — each primitive's atomic
 * steps plus the services every primitive needs (the backend's clock, change notification,
 * events) — and the data those steps take and return. Waiting, timeouts and retries are not
 * part of it: they live in the primitives, written once. Library users want `coord` (lib/mod.ts)
 * instead.
 *
 * @example
 * ```ts
 * import type { Backend, LockSteps } from "./mod.ts";
 * import { connect } from "./connect.ts";
 * await using backend: Backend = await connect({ url: "sqlite::memory:" });
 * const steps: LockSteps = backend.lock;
 * console.log(await steps.list()); // []
 * ```
 *
 * @module
 */

export type {
  Backend,
  BackendKind,
  ChangeWaitOptions,
  ChangeWatcher,
  EngineEventKinds,
  EngineInfo,
  ForeignEntry,
  NamedEvent,
  Topic,
  WatchOptions,
} from "./types.ts";
export { SEARCH_STOPPED } from "./types.ts";
export type { Kind } from "./keys.ts";

export type {
  Arrival,
  ArriveRequest,
  ArriveResult,
  BarrierStatus,
  BarrierSteps,
  GenerationState,
  ParticipantInfo,
} from "../barrier/steps.ts";
export type {
  EnqueueRequest,
  EnqueueResult,
  LockEvent,
  LockSteps,
  ResetResult,
  TicketLine,
  TicketState,
  TicketUser,
} from "../lock/steps.ts";
export type { ReadResult, ScheduleSteps, StoredRecord } from "../schedule/steps.ts";
export {
  type Attempt,
  type ClaimResult,
  type FailedInStep,
  type FailUndecodable,
  type Finish,
  type FinishAndClaim,
  type FinishedAndClaimed,
  type FinishedState,
  type FlowNode,
  type JobEnd,
  type JobGroup,
  type JobRecord,
  type JobSpec,
  type JobState,
  type Keep,
  type ListCursor,
  type ListState,
  MAX_REMOVED,
  MAX_STALLS,
  type PutRequest,
  type PutResult,
  type QueueConfig,
  type QueueCounts,
  type QueueRemoval,
  type QueueSteps,
  type Undecodable,
  type UndecodableFailed,
  type UnreadablePage,
} from "../queue/steps.ts";
