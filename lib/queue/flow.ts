/**
 * Flows: jobs composed into parallel and serial groups, nestable, each with an optional
 * postprocess job that gets its parts' results in order (zc.async's parallel/serial with a
 * postprocess; BullMQ's flows).
 *
 * ```json
 * {"serial": [
 *    {"handler": "fetch", "args": {"day": 1}},
 *    {"parallel": [{"handler": "resize", "args": 1}, {"command": ["./resize.sh", "2"]}],
 *     "postprocess": {"handler": "collect"}}
 *  ],
 *  "postprocess": {"handler": "report"}}
 * ```
 *
 * @module
 */

import type { Backend } from "../backend/types.ts";
import { UsageError } from "../errors.ts";
import {
  checkJobId,
  checkPriority,
  checkQueueName,
  jobRef,
  jobSpecOf,
  type PutOptions,
} from "./queue.ts";
import type { FlowNode } from "./steps.ts";
import { MAX_FLOW_BYTES, MAX_FLOW_DEPTH, MAX_FLOW_NODES, oversize } from "./limits.ts";

/** A job of a flow: as {@link PutOptions}' job fields, durations in seconds as on the CLI. */
export interface FlowJob {
  /** A function the workers' module exports. */
  handler?: string;
  /** The handler's argument. */
  args?: unknown;
  /** argv, run without a shell by workers started with --allow-commands. */
  command?: string[];
  /** Retries after a failure. */
  retries?: number;
  /**
   * The first retry's delay in seconds, as in a flow file (`coord queue flow`); or `backoffMs`,
   * not both.
   */
  backoff?: number;
  /** The first retry's delay in milliseconds, as `PutOptions.backoffMs`; or `backoff`. */
  backoffMs?: number;
  /** A run's time limit in seconds, as in a flow file; or `timeoutMs`, not both. */
  timeout?: number;
  /** A run's time limit in milliseconds, as `PutOptions.timeoutMs`; or `timeout`. */
  timeoutMs?: number;
}

/** A group of a flow. */
export interface FlowGroup {
  /** Parts that run at once. */
  parallel?: Flow[];
  /** Parts that run one after another. */
  serial?: Flow[];
  /** Gets the parts' results; its result is the group's. */
  postprocess?: FlowJob;
  /** Go on when a part fails (its result is null) instead of failing the group. */
  continueOnFailure?: boolean;
  /** Its parts' priority (they inherit it, as they do their group's); default its group's. */
  priority?: number;
}

/** A flow: a job or a group. */
export type Flow = FlowJob | FlowGroup;

const JOB_KEYS = [
  "handler",
  "args",
  "command",
  "retries",
  "backoff",
  "backoffMs",
  "timeout",
  "timeoutMs",
];
const GROUP_KEYS = ["parallel", "serial", "postprocess", "continueOnFailure", "priority"];
/** A group's `priority`, in messages: a whole number, whose unit is never shown. */
const PRIORITY_FIELD = { name: "priority", unit: "s" } as const;

/**
 * Turns a flow into the nodes {@link putFlow} stores: ids `ROOT`, `ROOT.0`, `ROOT.0.1`…, a
 * postprocess `GROUP.post`; the parts that can start at once are released. Every node has its
 * group's priority (`priority`, else the group's group's, else `priority`).
 *
 * @throws {UsageError} naming where the flow is malformed, or when its jobs take more than
 * `MAX_FLOW_BYTES` (4 MiB) as JSON together, their ids included.
 */
export function flowNodes(flow: unknown, rootId: string, priority = 0): FlowNode[] {
  const nodes: FlowNode[] = [];
  const visit = (
    node: unknown,
    id: string,
    where: string,
    parent?: string,
    released = true,
    depth = 0,
    inherited = checkPriority(priority),
  ) => {
    if (typeof node !== "object" || node === null || Array.isArray(node)) {
      throw new UsageError(`${where}: a flow node is an object (a job or a group)`);
    }
    // Checked before going deeper: a flow nested thousands deep must not overflow the stack.
    if (depth > MAX_FLOW_DEPTH) {
      throw new UsageError(`flow: groups nest at most ${MAX_FLOW_DEPTH} deep`);
    }
    if (nodes.length >= MAX_FLOW_NODES) {
      throw new UsageError(`flow: at most ${MAX_FLOW_NODES} jobs and groups`);
    }
    const keys = Object.keys(node);
    const group = node as FlowGroup;
    if (group.parallel !== undefined || group.serial !== undefined) {
      const unknown = keys.filter((k) => !GROUP_KEYS.includes(k));
      if (unknown.length > 0) throw new UsageError(`${where}: a group has no "${unknown[0]}"`);
      if (group.continueOnFailure !== undefined && typeof group.continueOnFailure !== "boolean") {
        throw new UsageError(`${where}.continueOnFailure: true or false`);
      }
      if ((group.parallel === undefined) === (group.serial === undefined)) {
        throw new UsageError(`${where}: a group is "parallel" or "serial", not both`);
      }
      let own = inherited;
      try {
        // Named as the file names it, not as the --priority flag.
        if (group.priority !== undefined) own = checkPriority(group.priority, PRIORITY_FIELD);
      } catch (e) {
        if (e instanceof UsageError) throw new UsageError(`${where}: ${e.message}`);
        throw e;
      }
      const kind = group.parallel !== undefined ? "parallel" : "serial";
      const parts = group[kind];
      if (!Array.isArray(parts) || parts.length === 0) {
        throw new UsageError(`${where}.${kind}: a non-empty list of jobs and groups`);
      }
      const children = parts.map((_, i) => `${id}.${i}`);
      const postprocess = group.postprocess === undefined ? undefined : `${id}.post`;
      nodes.push({
        id,
        ...(parent !== undefined && { parent }),
        group: {
          kind,
          children,
          ...(postprocess !== undefined && { postprocess }),
          continueOnFailure: group.continueOnFailure === true,
        },
        released: false,
        ...(own !== 0 && { priority: own }),
      });
      parts.forEach((part, i) =>
        visit(
          part,
          children[i],
          `${where}.${kind}[${i}]`,
          id,
          released && (kind === "parallel" || i === 0),
          depth + 1,
          own,
        )
      );
      if (postprocess !== undefined) {
        const post = group.postprocess as object;
        if (typeof post === "object" && post !== null && ("parallel" in post || "serial" in post)) {
          throw new UsageError(`${where}.postprocess: a job, not a group`);
        }
        visit(group.postprocess, postprocess, `${where}.postprocess`, id, false, depth + 1, own);
      }
      return;
    }
    const unknown = keys.filter((k) => !JOB_KEYS.includes(k));
    if (unknown.length > 0) {
      throw new UsageError(
        `${where}: a job takes no "${unknown[0]}" (it takes ${JOB_KEYS.join(", ")}; a group ` +
          `takes parallel or serial)`,
      );
    }
    const job = node as FlowJob;
    for (const field of ["backoff", "timeout"] as const) {
      if (job[field] !== undefined && typeof job[field] !== "number") {
        throw new UsageError(`${where}.${field}: a number of seconds`);
      }
      // Flow files speak seconds, the library's options milliseconds: either, never both.
      if (job[field] !== undefined && job[`${field}Ms`] !== undefined) {
        throw new UsageError(`${where}: give ${field} (seconds) or ${field}Ms, not both`);
      }
    }
    try {
      const spec = jobSpecOf(
        {
          ...job,
          ...(job.backoff !== undefined && { backoffMs: job.backoff * 1000 }),
          ...(job.timeout !== undefined && { timeoutMs: job.timeout * 1000 }),
        } as PutOptions,
        // Named as given: a flow file's backoff and timeout in seconds, else PutOptions' own.
        (option) =>
          (option === "backoffMs" && job.backoff !== undefined) ||
            (option === "timeoutMs" && job.timeout !== undefined)
            ? { name: option.replace(/Ms$/, ""), unit: "s" }
            : { name: option, unit: "ms" },
      );
      nodes.push({
        id,
        ...(parent !== undefined && { parent }),
        spec,
        released,
        ...(inherited !== 0 && { priority: inherited }),
      });
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${where}: ${e.message}`);
      throw e;
    }
  };
  visit(flow, rootId, "flow");
  if (!nodes[0].group) throw new UsageError(`flow: the top is a group (parallel or serial)`);
  // Stored in one step, which holds up a Redis server's other clients: bounded as a whole, as
  // it goes out (the ids too: 10,000 parts of a flow with a long id take megabytes).
  const over = oversize("flow: its jobs and groups", JSON.stringify(nodes), {
    maxBytes: MAX_FLOW_BYTES,
    holder: "a flow",
  });
  if (over !== undefined) throw new UsageError(over);
  return nodes;
}

/**
 * Puts a flow in a queue: every group and job at once.
 *
 * @returns the flow's reference (wait for it: its result is the top postprocess' result, or
 * its parts' results) and whether it is new (an `id` that exists changes nothing).
 * @throws {UsageError} on a malformed flow, id or priority, a job over `MAX_JOB_BYTES` or jobs
 * over `MAX_FLOW_BYTES` (4 MiB) as JSON together, or a part's id that is a job of its own
 * (`ID.0` put with that id).
 */
export async function putFlow(
  backend: Backend,
  queue: string,
  flow: Flow,
  { id, priority = 0 }: { id?: string; priority?: number } = {},
): Promise<{ ref: string; created: boolean }> {
  checkQueueName(queue);
  const rootId = id === undefined ? `flow-${crypto.randomUUID().slice(0, 8)}` : checkJobId(id);
  const created = await backend.queue.putFlow(queue, flowNodes(flow, rootId, priority));
  if (typeof created === "object") {
    throw new UsageError(
      `job ${jobRef(queue, created.taken)} exists already, put with that id: the flow ` +
        `${jobRef(queue, rootId)} would write over it — give the flow another id`,
    );
  }
  return { ref: jobRef(queue, rootId), created };
}
