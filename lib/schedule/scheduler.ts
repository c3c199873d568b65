/**
 * `Scheduler`: tasks, fixtures and middlewares of one app, run by any number of instances
 * against one backend; each tick of each task runs once across all of them.
 *
 * @module
 */

import { processId } from "../process_id.ts";
import { Shutdown } from "../service.ts";
import { connect, type ConnectOptions } from "../backend/connect.ts";
import { checkName } from "../backend/keys.ts";
import type { Backend } from "../backend/types.ts";
import { CoordError, ExitCode, oneLine, UsageError } from "../errors.ts";
import { abortion, sleep } from "../time.ts";
import { ScheduleMetrics } from "./metrics.ts";
import { decodeRecord, type DynamicTaskSpec } from "./record.ts";
import { type RunnerContext, type RunningTick, runTaskLoop, type ScheduleEvent } from "./runner.ts";
import { OutageReport } from "../outage_report.ts";
import {
  checkInstanceId,
  defineTask,
  type Middleware,
  type TaskDefinition,
  type TaskHandler,
  type TaskOptions,
  type TemplateOptions,
} from "./task.ts";
import {
  getInstance,
  listInstances,
  runTemplate,
  scheduleInstance,
  unscheduleInstance,
} from "./template.ts";
import { checkRunArgs } from "./control.ts";
import { parseTiming, type Timing } from "./timing.ts";

/**
 * Sets up a value tasks share (a database pool, a client) and tears it down: a generator
 * function that yields the value once and cleans up after the yield (in `finally`, or after it:
 * the generator is resumed once every run has ended).
 *
 * @example
 * ```ts ignore
 * app.fixture("db", async function* () {
 *   const db = await open();
 *   try { yield db; } finally { await db.close(); }
 * });
 * ```
 */
export type Fixture<T = unknown> = () => AsyncIterator<T, unknown> | Iterator<T, unknown>;

/** A fixture's cleanup, to run once the tasks have ended. */
interface Teardown {
  name: string;
  teardown: () => Promise<unknown>;
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  /** The backend to use; without one, {@link connect} is called with `connect` on first use. */
  backend?: Backend;
  /** How to connect when no `backend` is given (default: `COORD_URL` and friends). */
  connect?: ConnectOptions;
  /** This instance's id, recorded as the owner of the ticks it runs; default host:pid:random. */
  instance?: string;
  /** How long running tasks may take to finish after a stop; default 30 000 ms. */
  graceMs?: number;
  /** Called with everything the scheduler does (runs, failures, backend errors), for logs. */
  onEvent?: (event: ScheduleEvent) => void;
}

/** Options of {@link Scheduler.run}. */
export interface RunOptions {
  /** Stop claiming ticks; running tasks get the grace period to finish. */
  signal?: AbortSignal;
  /** Stop now: running tasks' `ctx.signal` aborts without waiting for the grace period. */
  force?: AbortSignal;
  /**
   * Told once connecting (when no backend was given) has waited a second for a SQLite file
   * another process holds locked; the `connect` option's own `onLocked`, if any, is used instead.
   */
  onLocked?: (message: string) => void;
}

/** A connect in progress: how to give it up, and whom to tell of a SQLite file held locked. */
class PendingConnect {
  readonly giveUp = new AbortController();
  #onLocked: RunOptions["onLocked"];
  /**
   * The notice of a file held locked, once given: the wait says it once, maybe before a run
   * that began later (app.backend() began the connect) listens.
   */
  #notice: string | undefined;

  /** The connect's own `onLocked`: tells the listener, or keeps the notice for a later one. */
  locked(message: string): void {
    this.#notice = message;
    this.#onLocked?.(message);
  }

  /** Has `onLocked` told of the file held locked, at once if it was already; the first stays. */
  listen(onLocked: RunOptions["onLocked"]): void {
    if (this.#onLocked || !onLocked) return;
    this.#onLocked = onLocked;
    if (this.#notice !== undefined) onLocked(this.#notice);
  }
}

/** How {@link Scheduler.run} ended. */
export interface RunResult {
  /** Runs still going when the grace period ended or `force` aborted (their signal aborted). */
  cutShort: number;
}

/** The grace period when none is given. */
export const DEFAULT_GRACE_MS = 30_000;

/**
 * A scheduling app: register tasks, fixtures and middlewares, then {@link Scheduler.run} it
 * in as many processes as you like.
 *
 * @example
 * ```ts
 * import { connect, Scheduler } from "../mod.ts";
 * await using backend = await connect({ url: "sqlite::memory:" });
 * const app = new Scheduler({ backend });
 * app.task({ name: "ping", interval: "250ms" }, (ctx) => {
 *   console.log("tick", ctx.scheduledAt.toISOString());
 * });
 * await app.run({ signal: AbortSignal.timeout(600) });
 * ```
 */
export class Scheduler {
  /** This instance's id. */
  readonly instance: string;
  /** Runs, failures and lateness of this instance, for `/metrics`. */
  readonly metrics: ScheduleMetrics = new ScheduleMetrics();
  readonly #options: SchedulerOptions;
  /**
   * Called with everything the scheduler does: the `onEvent` option, or set later (before
   * {@link Scheduler.run}) by the program that logs it.
   */
  onEvent: SchedulerOptions["onEvent"];
  readonly #tasks = new Map<string, TaskDefinition>();
  readonly #fixtures = new Map<string, Fixture>();
  readonly #middlewares: Middleware[] = [];
  #backend: Promise<Backend> | undefined;
  /** The connect in progress, while it is. */
  #pending: PendingConnect | undefined;
  /** Whether the backend was given (the caller closes it) rather than connected here. */
  #backendGiven: boolean;
  #running = false;

  /** A scheduler with no tasks yet. */
  constructor(options: SchedulerOptions = {}) {
    this.#options = options;
    this.onEvent = options.onEvent;
    // Recorded with each tick it holds and printed by status: a name as any other.
    this.instance = options.instance === undefined
      ? processId()
      : checkName("instance id", options.instance);
    this.#backendGiven = options.backend !== undefined;
    if (options.backend) this.#backend = Promise.resolve(options.backend);
  }

  /** Runs on `backend` (the caller closes it) instead of the one in the options. */
  useBackend(backend: Backend): this {
    if (this.#running) throw new UsageError("this scheduler is running already");
    this.#backend = Promise.resolve(backend);
    this.#backendGiven = true;
    return this;
  }

  /**
   * Adds a task: a timing (`cron`, `interval`) and options, or `dynamic: true` for a template
   * whose instances {@link Scheduler.schedule} adds at run time.
   *
   * @throws {UsageError} on malformed options or a name already taken.
   */
  task(options: TaskOptions | TemplateOptions, handler: TaskHandler): this {
    const def = defineTask(options, handler);
    if (this.#tasks.has(def.name)) throw new UsageError(`task "${def.name}" is defined twice`);
    this.#tasks.set(def.name, def);
    return this;
  }

  /**
   * Adds a fixture: set up before the first task runs, torn down after the last one ends.
   *
   * @throws {UsageError} when it is no function, or its name is taken.
   */
  fixture<T>(name: string, fixture: Fixture<T>): this {
    if (this.#fixtures.has(name)) throw new UsageError(`fixture "${name}" is defined twice`);
    // Refused here, as a task's handler is, rather than failing every run's set-up (exit 70).
    if (typeof fixture !== "function") {
      throw new UsageError(
        `fixture "${name}" is not a function — give one that yields it: async function* () { … }`,
      );
    }
    this.#fixtures.set(name, fixture);
    return this;
  }

  /**
   * Adds a middleware; the first added is the outermost.
   *
   * @throws {UsageError} when it is no function.
   */
  use(middleware: Middleware): this {
    if (typeof middleware !== "function") {
      throw new UsageError("a middleware is not a function — give (ctx, next) => { … }");
    }
    this.#middlewares.push(middleware);
    return this;
  }

  /** The tasks and templates added so far, with their options checked. */
  get tasks(): TaskDefinition[] {
    return [...this.#tasks.values()];
  }

  /**
   * The backend, connecting on first use. A connect still under way when {@link Scheduler.run}
   * is stopped is given up: this rejects then with the stop's reason.
   */
  backend(): Promise<Backend> {
    return this.#connected();
  }

  /**
   * The backend, connecting on first use; `stop` gives the connect up as the `connect` option's
   * signal does (a SQLite file held locked is waited for until then), and `onLocked` is told of
   * such a file, whoever began the connect and however long before. A connect that failed is
   * not kept: the next call connects again.
   */
  #connected(stop?: AbortSignal, onLocked?: RunOptions["onLocked"]): Promise<Backend> {
    const connecting = this.#backend ?? this.#connect();
    const pending = this.#pending;
    pending?.listen(onLocked);
    // A run's stop must end a connect begun before it (by backend(), with no signal of the
    // run's), or a program stopped while its file is held locked would not stop.
    if (pending && stop) {
      const giveUp = () => pending.giveUp.abort(stop.reason);
      if (stop.aborted) giveUp();
      else {
        stop.addEventListener("abort", giveUp, { once: true });
        const forget = () => stop.removeEventListener("abort", giveUp);
        connecting.then(forget, forget);
      }
    }
    return connecting;
  }

  /** Begins a connect with the `connect` option, which {@link Scheduler.run} can give up. */
  #connect(): Promise<Backend> {
    const options = this.#options.connect ?? {};
    const pending = new PendingConnect();
    const signals = [options.signal, pending.giveUp.signal].filter((s) => s !== undefined);
    const connecting = connect({
      ...options,
      signal: AbortSignal.any(signals),
      onLocked: options.onLocked ?? ((message) => pending.locked(message)),
    });
    this.#backend = connecting;
    this.#pending = pending;
    const settled = (connected: boolean) => {
      if (this.#pending === pending) this.#pending = undefined;
      if (!connected && this.#backend === connecting) this.#backend = undefined;
    };
    connecting.then(() => settled(true), () => settled(false));
    return connecting;
  }

  /**
   * Adds (or changes) an instance of a dynamic task template; every scheduler instance running
   * the template picks it up. It runs as task `template/id` with `ctx.args`.
   *
   * Each instance keeps its spec in its own record, so adding one costs the same however many
   * the template has; a template holds at most 10,000 (`MAX_TEMPLATE_INSTANCES`).
   *
   * @throws {UsageError} on an unknown template, an id no name could be (empty, holding a
   * control character), a malformed timing, or args JSON cannot hold (NaN, 1e400, a BigInt) or
   * taking over 1 MiB as JSON; nothing is stored.
   * @throws {TemplateFullError} (a UsageError) when the id is new and the template holds
   * 10,000 instances, or its list of ids would take over 1 MiB (`MAX_TEMPLATE_BYTES`).
   * @example
   * ```ts
   * import { connect, Scheduler } from "../mod.ts";
   * await using backend = await connect({ url: "sqlite::memory:" });
   * const app = new Scheduler({ backend });
   * app.task({ name: "remind", dynamic: true }, (ctx) => console.log(ctx.args));
   * await app.schedule("remind", "ana", { interval: "1h", args: { to: "ana" } });
   * ```
   */
  async schedule(template: string, id: string, spec: DynamicTaskSpec): Promise<void> {
    this.#template(template);
    checkInstanceId(template, id);
    // A malformed timing or args are refused before the backend is touched.
    parseTiming(spec);
    if (spec.args !== undefined) checkRunArgs(spec.args, "a dynamic task instance");
    await scheduleInstance(await this.backend(), template, id, spec);
  }

  /**
   * Removes an instance of a dynamic task template (a run in progress finishes).
   *
   * @returns whether it was there.
   */
  async unschedule(template: string, id: string): Promise<boolean> {
    this.#template(template);
    checkInstanceId(template, id);
    return await unscheduleInstance(await this.backend(), template, id);
  }

  /** An instance of a dynamic task template, or undefined. */
  async get(template: string, id: string): Promise<DynamicTaskSpec | undefined> {
    this.#template(template);
    return await getInstance(await this.backend(), template, id);
  }

  /** Every instance of a dynamic task template, by id (a read of each instance's record). */
  async list(template: string): Promise<Record<string, DynamicTaskSpec>> {
    this.#template(template);
    return await listInstances(await this.backend(), template);
  }

  #template(name: string): TaskDefinition {
    const def = this.#tasks.get(name);
    if (!def || def.timing) {
      throw new UsageError(`"${name}" is not a dynamic task template — add it with dynamic: true`);
    }
    return def;
  }

  /** Whether {@link Scheduler.run} is running and the backend answers within `timeoutMs`. */
  async healthy(timeoutMs = 1_000): Promise<boolean> {
    if (!this.#running || !this.#backend) return false;
    const timer = new AbortController();
    try {
      const backend = await this.#backend;
      const answered = backend.now().then(() => true, () => false);
      const late = sleep(timeoutMs, timer.signal).then(() => false, () => false);
      return await Promise.race([answered, late]);
    } finally {
      timer.abort();
    }
  }

  /**
   * Sets up the fixtures, runs every task until `signal` aborts, lets running tasks finish
   * within the grace period (or until `force` aborts), then tears the fixtures down, last
   * first. A backend connected by the scheduler is closed at the end; a stop while it connects
   * (a SQLite file another process holds locked is waited for until it is released) ends the
   * run then, with nothing cut short.
   *
   * @throws {ForeignDataError} when a task's name holds data coord did not write.
   * @throws {BackendUnavailableError} when the backend cannot be reached at the start.
   * @throws {CoordError} when a fixture fails to set up.
   * @throws {BackendClosedError} when the backend is closed under it; running tasks are
   * stopped (their signals abort with it).
   */
  async run({ signal, force, onLocked }: RunOptions = {}): Promise<RunResult> {
    if (this.#running) throw new UsageError("this scheduler is running already");
    const ownsBackend = !this.#backendGiven;
    // A stop while connecting (a SQLite file held locked is waited for) ends the run before it
    // began, as a stop while the fixtures are set up does.
    const stopping = [signal, force].filter((s) => s !== undefined);
    const connectStop = stopping.length > 0 ? AbortSignal.any(stopping) : undefined;
    let backend: Backend;
    try {
      backend = await this.#connected(connectStop, onLocked);
    } catch (e) {
      if (connectStop?.aborted && e === connectStop.reason) return { cutShort: 0 };
      throw e;
    }
    this.#running = true;
    const shutdown = new Shutdown({ force });
    // A stop by force is a stop too: with `force` alone the loops must end as well.
    const stop = signal ? AbortSignal.any([signal, shutdown.forced]) : shutdown.forced;
    const teardowns: Teardown[] = [];
    try {
      await this.#checkRecords(backend);
      // A stop while they are set up ends the setup: nothing runs yet to wait for.
      const fixtures = await this.#setUpFixtures(teardowns, stop);
      if (stop.aborted) return { cutShort: 0 };
      const running = new Set<RunningTick>();
      const context: RunnerContext = {
        backend,
        instance: this.instance,
        fixtures,
        middlewares: this.#middlewares,
        metrics: this.metrics,
        emit: (event) => this.#emit(event),
        outages: new OutageReport((event) =>
          this.#emit(
            event.type === "available" ? event : {
              type: event.type,
              task: event.source,
              error: event.error,
            },
          )
        ),
        force: shutdown.forced,
        running,
      };
      const loops = this.tasks.map((def) =>
        def.timing
          ? runTaskLoop(def as TaskDefinition & { timing: Timing }, context, stop)
          : runTemplate(def, context, stop)
      );
      try {
        // A loop ends before the stop when its one-off task ran, and throws when it cannot go
        // on (its backend closed).
        await Promise.race([abortion(stop), Promise.all(loops).then(() => abortion(stop))]);
      } catch (error) {
        shutdown.force(error);
        await shutdown.settle(Promise.allSettled(loops));
        throw error;
      }
      // Claim nothing more; running tasks get the grace period, then their signal aborts.
      const graceMs = this.#options.graceMs ?? DEFAULT_GRACE_MS;
      if (!await shutdown.drain(Promise.all(loops), graceMs)) return { cutShort: 0 };
      const cutShort = running.size;
      await shutdown.settle(Promise.all(loops));
      // Runs that ignore their signal go on in this process, but their ticks are handed to
      // another instance now rather than after the lease.
      await shutdown.settle(Promise.all([...running].map((run) => run.release().catch(() => {}))));
      return { cutShort };
    } finally {
      // A fixture's cleanup is abandoned only once the stop is forced: before it began, by a
      // signal while it runs, or by the end of the grace period.
      for (const { name, teardown } of teardowns.reverse()) {
        if (!await shutdown.settle(teardown())) {
          this.#emit({
            type: "teardown failed",
            fixture: name,
            error: "it did not end when the stop was forced; left behind",
          });
        }
      }
      shutdown[Symbol.dispose]();
      this.#running = false;
      if (ownsBackend) {
        this.#backend = undefined;
        await backend.close();
      }
    }
  }

  #emit(event: ScheduleEvent): void {
    this.onEvent?.(event);
  }

  /** Refuses to start over a name that holds something else, before anything runs. */
  async #checkRecords(backend: Backend): Promise<void> {
    for (const def of this.tasks) {
      decodeRecord(
        def.name,
        def.timing ? "task" : "template",
        await backend.schedule.read(def.name),
      );
    }
  }

  /** Sets the fixtures up in order; a forced stop abandons one that hangs. */
  async #setUpFixtures(
    teardowns: Teardown[],
    stop: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const values: Record<string, unknown> = {};
    for (const [name, fixture] of this.#fixtures) {
      try {
        const iterator = fixture();
        const first = await Promise.race([iterator.next(), abortion(stop)]);
        if (!first) return values;
        teardowns.push({
          name,
          teardown: async () => {
            try {
              // Resumed, so cleanup after the yield runs as well as a `finally`; one that yields
              // again is closed there.
              const after = await iterator.next();
              if (!after.done) await iterator.return?.();
            } catch (e) {
              this.onEvent?.({ type: "teardown failed", fixture: name, error: oneLine(e) });
            }
          },
        });
        values[name] = first.value;
      } catch (e) {
        throw new CoordError(
          `fixture "${name}" failed to set up: ${oneLine(e)}`,
          ExitCode.internal,
          { cause: e },
        );
      }
    }
    return values;
  }
}
