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
export {
  DEFAULT_GRACE_MS,
  type Fixture,
  type RunOptions,
  type RunResult,
  Scheduler,
  type SchedulerOptions,
} from "./schedule/scheduler.ts";
export type {
  ExecutionMode,
  FailureMode,
  Middleware,
  TaskBaseOptions,
  TaskContext,
  TaskDefinition,
  TaskHandler,
  TaskOptions,
  TemplateOptions,
} from "./schedule/task.ts";
export { DEFAULT_LEASE_MS, DEFAULT_RETRY_DELAY_MS } from "./schedule/task.ts";
export { parseDuration, parseTiming, type Timing, type TimingOptions } from "./schedule/timing.ts";
export type { ScheduleEvent } from "./schedule/runner.ts";
export type { DynamicTaskSpec, LastRun, Outcome, TickLease } from "./schedule/record.ts";
export { type MainOptions, runMain } from "./schedule/main.ts";
export { scheduleStatus, type TaskStatus, type TemplateStatus } from "./schedule/status.ts";
export type { ReadResult, ScheduleSteps, StoredRecord } from "./schedule/steps.ts";
export { commandHandler, type OutputSink } from "./schedule/command_task.ts";
export { ScheduleMetrics } from "./schedule/metrics.ts";
export {
  cancelJob,
  checkQueueName,
  FINISHED_STATES,
  getJob,
  type JobRef,
  jobRef,
  jobSpecOf,
  parseJobRef,
  putJob,
  type PutOptions,
  queueCounts,
  UnknownJobError,
  waitForJob,
  type WaitOptions,
} from "./queue/queue.ts";
export { JobFailedError, type JobHandle, type Queue, queue } from "./queue/handle.ts";
export { type Flow, type FlowGroup, type FlowJob, flowNodes, putFlow } from "./queue/flow.ts";
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_JOB_LEASE_MS,
  DEFAULT_WORK_GRACE_MS,
  type JobContext,
  type JobHandler,
  MAX_STDOUT_BYTES,
  NonRetryableError,
  work,
  type WorkEvent,
  type WorkOptions,
  type WorkResult,
} from "./queue/worker.ts";
export {
  type Attempt,
  type ClaimResult,
  type Finish,
  type FlowNode,
  type JobGroup,
  type JobRecord,
  type JobSpec,
  type JobState,
  MAX_STALLS,
  type QueueCounts,
  type QueueSteps,
} from "./queue/steps.ts";
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
export type {
  BackendUrl,
  HostPort,
  PostgresTarget,
  RedisCredentials,
  SslMode,
} from "./backend/url.ts";
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
  TooLateError,
  UsageError,
  WaitTimeoutError,
} from "./errors.ts";
export { VERSION } from "./version.ts";
