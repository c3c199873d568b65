/**
 * coord as a library: the same primitives the `coord` command runs, for TypeScript programs.
 *
 * @example
 * ```ts
 * import { connect, estimateClockOffset } from "./mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const { offsetMs } = await estimateClockOffset(backend);
 * ```
 *
 * @module
 */

export {
  abortBarrier,
  barrier,
  type BarrierNameOptions,
  type BarrierOptions,
  type BarrierResult,
  barrierStatus,
} from "./barrier/barrier.ts";
export type {
  Arrival,
  ArriveRequest,
  ArriveResult,
  BarrierStatus,
  BarrierSteps,
  GenerationState,
  ParticipantInfo,
} from "./barrier/steps.ts";
export {
  DEFAULT_EXPIRE_MS,
  DEFAULT_PATIENCE_MS,
  lock,
  type LockHandle,
  type LockOptions,
  withLock,
} from "./lock/lock.ts";
export type {
  EnqueueRequest,
  EnqueueResult,
  LockEvent,
  LockSteps,
  QueueStatus,
  ResetResult,
  TicketState,
  TicketUser,
} from "./lock/steps.ts";
export {
  eventLine,
  followQueues,
  type QueueEvent,
  type QueueRecord,
  type QueueReport,
  queueStatuses,
  resetQueue,
  type ResetQueueOptions,
  statusRecord,
  statusTable,
} from "./lock/console.ts";
export { connect, type ConnectOptions, DEFAULT_NAMESPACE } from "./backend/connect.ts";
export type {
  Backend,
  BackendKind,
  ChangeWatcher,
  EngineInfo,
  ForeignEntry,
  NamedEvent,
  Topic,
} from "./backend/types.ts";
export type { Kind } from "./backend/keys.ts";
export { maskPassword, parseBackendUrl, SUPPORTED_URLS } from "./backend/url.ts";
export type { BackendUrl, HostPort, RedisCredentials } from "./backend/url.ts";
export { type ClockOffset, type ClockOffsetOptions, estimateClockOffset } from "./clock.ts";
export {
  BackendUnavailableError,
  BarrierAbortedError,
  BarrierTimeoutError,
  CoordError,
  ExitCode,
  ForeignDataError,
  InterruptedError,
  LeaseLostError,
  LockTimeoutError,
  NotAvailableError,
  TooLateError,
  UsageError,
  WaitTimeoutError,
} from "./errors.ts";
export { VERSION } from "./version.ts";
