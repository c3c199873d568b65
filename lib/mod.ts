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
  ResetResult,
  TicketLine,
  TicketState,
  TicketUser,
} from "./lock/steps.ts";
export {
  followTicketLines,
  resetTicketLine,
  type ResetTicketLineOptions,
  statusRecord,
  type TicketLineEvent,
  type TicketLineRecord,
  type TicketLineReport,
  ticketLines,
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
  CatchUp,
  ExecutionMode,
  FailureMode,
  Middleware,
  Overlap,
  TaskBaseOptions,
  TaskContext,
  TaskDefinition,
  TaskHandler,
  TaskOptions,
  TemplateOptions,
} from "./schedule/task.ts";
export { DEFAULT_LEASE_MS, DEFAULT_MAX_RETRIES, DEFAULT_RETRY_DELAY_MS } from "./schedule/task.ts";
export { parseDuration, parseTiming, type Timing, type TimingOptions } from "./schedule/timing.ts";
export type { ScheduleEvent } from "./schedule/runner.ts";
export type {
  DynamicTaskSpec,
  LastRun,
  Outcome,
  TickLease,
  TriggerRequest,
} from "./schedule/record.ts";
export { type ProgramOptions, schedulerMain } from "../commands/schedule_program.ts";
export { scheduleStatus, type TaskStatus, type TemplateStatus } from "./schedule/status.ts";
export {
  pauseTask,
  type ResumeOptions,
  resumeTask,
  type TriggerOptions,
  triggerTask,
} from "./schedule/control.ts";
export type { ReadResult, ScheduleSteps, StoredRecord } from "./schedule/steps.ts";
export {
  commandHandler,
  type CommandTaskOptions,
  type OutputSink,
} from "./schedule/command_task.ts";
export { ScheduleMetrics } from "./schedule/metrics.ts";
export {
  cancelJob,
  checkQueueName,
  FINISHED_STATES,
  getJob,
  type JobRef,
  jobRef,
  JobRemovedError,
  jobSpecOf,
  parseJobRef,
  putJob,
  type PutOptions,
  putRequestOf,
  queueCounts,
  retryJob,
  UnknownJobError,
  waitForJob,
  type WaitOptions,
} from "./queue/queue.ts";
export { JobFailedError, type JobHandle, type Queue, queue } from "./queue/handle.ts";
export { type Flow, type FlowGroup, type FlowJob, flowNodes, putFlow } from "./queue/flow.ts";
export { jobLines, PUT_BATCH, putJobs } from "./queue/bulk.ts";
export {
  DEFAULT_LIST_LIMIT,
  type JobPage,
  LIST_STATES,
  listJobs,
  type ListOptions,
  MAX_LIST_LIMIT,
} from "./queue/list.ts";
export {
  configureQueue,
  DEFAULT_KEEP,
  MAX_KEEP_COUNT,
  parseKeep,
  PURGE_BATCH,
  PURGE_STATES,
  purgeJobs,
} from "./queue/retention.ts";
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
  type QueueSteps,
} from "./queue/steps.ts";
export { connect, type ConnectOptions, DEFAULT_NAMESPACE } from "./backend/connect.ts";
export type {
  Backend,
  BackendKind,
  ChangeWaitOptions,
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
  BackendRefusedError,
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
