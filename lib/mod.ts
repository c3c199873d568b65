/**
 * coord as a library: the same primitives the `coord` command runs, for TypeScript programs —
 * connect to a backend, then meet at a barrier, hold a fair lock, schedule tasks or put and work
 * on jobs. Backend authors find the contract each backend implements in `./backend` (the
 * `lib/backend/mod.ts` module).
 *
 * @example
 * ```ts
 * import { connect, withLock } from "./mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const token = await withLock(backend, "deploy", (held) => Promise.resolve(held.token));
 * ```
 *
 * @module
 */

export { connect, type ConnectOptions, DEFAULT_NAMESPACE } from "./backend/connect.ts";
export type { Backend, BackendKind } from "./backend/types.ts";
export { type ClockOffset, type ClockOffsetOptions, estimateClockOffset } from "./clock.ts";

export {
  abortBarrier,
  barrier,
  type BarrierListing,
  type BarrierNameOptions,
  type BarrierOptions,
  type BarrierReport,
  barrierReports,
  type BarrierResult,
  barrierStatus,
  listBarriers,
  type ListBarriersOptions,
} from "./barrier/barrier.ts";
export type { Arrival, BarrierStatus, ParticipantInfo } from "./barrier/steps.ts";

export {
  DEFAULT_EXPIRE_MS,
  DEFAULT_PATIENCE_MS,
  lock,
  type LockHandle,
  type LockOptions,
  withLock,
} from "./lock/lock.ts";
export {
  followTicketLines,
  resetTicketLine,
  type ResetTicketLineOptions,
  type TicketLineEvent,
  type TicketLineReport,
  ticketLines,
} from "./lock/console.ts";
export type { LockEvent, ResetResult, TicketLine, TicketUser } from "./lock/steps.ts";

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
export {
  MAX_TEMPLATE_BYTES,
  MAX_TEMPLATE_INSTANCES,
  TemplateFullError,
} from "./schedule/template.ts";
export type { DynamicTaskSpec, LastRun, Outcome, TickLease } from "./schedule/record.ts";
export { type ProgramOptions, schedulerMain } from "../commands/schedule_program.ts";
export {
  type ScheduleReport,
  scheduleReports,
  scheduleStatus,
  type TaskStatus,
  type TemplateStatus,
} from "./schedule/status.ts";
export {
  checkTaskToChange,
  MAX_WAITING_TRIGGER_BYTES,
  MAX_WAITING_TRIGGERS,
  pauseTask,
  type RemoveOptions,
  removeTask,
  type ResumeOptions,
  resumeTask,
  TaskRunningError,
  type TriggerOptions,
  TriggersWaitingError,
  triggerTask,
  UnknownTaskError,
} from "./schedule/control.ts";
export {
  CommandFailedError,
  commandHandler,
  type CommandTaskOptions,
  type OutputSink,
} from "./schedule/command_task.ts";
export { ScheduleMetrics } from "./schedule/metrics.ts";

export {
  cancelJob,
  FINISHED_STATES,
  getJob,
  type JobRef,
  jobRef,
  JobRemovedError,
  type NamedJobOutcome,
  parseJobRef,
  promoteJob,
  promoteJobs,
  type PromoteOutcome,
  promoteRefusal,
  putJob,
  type PutOptions,
  queueCounts,
  type QueueReport,
  type QueueReportOptions,
  queueReports,
  retryJob,
  retryJobs,
  type RetryOutcome,
  UnknownJobError,
  waitForJob,
  type WaitOptions,
} from "./queue/queue.ts";
export { JobFailedError, type JobHandle, type Queue, queue } from "./queue/handle.ts";
export { type Flow, type FlowGroup, type FlowJob, putFlow } from "./queue/flow.ts";
export { PUT_BATCH, putJobs } from "./queue/bulk.ts";
export { MAX_ARGS_DEPTH, MAX_FLOW_BYTES, MAX_JOB_BYTES } from "./queue/limits.ts";
export { listedState } from "./queue/record.ts";
export {
  DEFAULT_LIST_LIMIT,
  isStalled,
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
  removeQueue,
} from "./queue/retention.ts";
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_JOB_LEASE_MS,
  DEFAULT_WORK_GRACE_MS,
  JobCancelledError,
  type JobContext,
  type JobHandler,
  MAX_STDOUT_BYTES,
  NonRetryableError,
  work,
  type WorkEvent,
  type WorkOptions,
  type WorkResult,
} from "./queue/worker.ts";
export type { SessionProcess } from "./session_groups.ts";
export type {
  FinishedState,
  JobEnd,
  JobGroup,
  JobRecord,
  JobSpec,
  JobState,
  Keep,
  ListState,
  PutResult,
  QueueConfig,
  QueueCounts,
  QueueRemoval,
} from "./queue/steps.ts";

export {
  BackendClosedError,
  BackendDamagedError,
  BackendLockedError,
  BackendRefusedError,
  BackendReplacedError,
  BackendUnavailableError,
  BackendUnreachableError,
  BarrierAbortedError,
  BarrierTimeoutError,
  BrokenBuildError,
  CoordError,
  ExitCode,
  ForeignDataError,
  InterruptedError,
  LeaseLostError,
  LockTimeoutError,
  NewerDataError,
  TooLateError,
  UpgradeRefusedError,
  UsageError,
  WaitTimeoutError,
} from "./errors.ts";
export { VERSION } from "./version.ts";
