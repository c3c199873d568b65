/**
 * Schedule steps on Redis: each one run of `schedule.lua`.
 *
 * @module
 */

import { ForeignDataError } from "../../errors.ts";
import type { ReadResult, ScheduleSteps } from "../../schedule/steps.ts";
import type { RedisBackend } from "./backend.ts";
import { RedisSteps, sharedScript } from "./script.ts";

/** The Redis type of each key a scheduled task keeps (checked by the script and by doctor). */
export const SCHEDULE_KEY_TYPES = { state: "hash" };

/** Schedule steps over one {@link RedisBackend}. */
export class RedisScheduleSteps extends RedisSteps implements ScheduleSteps {
  constructor(backend: RedisBackend) {
    const script = sharedScript(new URL("./schedule.lua", import.meta.url));
    super(backend, "schedule", SCHEDULE_KEY_TYPES, script);
  }

  async read(name: string): Promise<ReadResult> {
    const [now, version, value] = ((await this.run(name, "read")) as unknown[]).map(String);
    if (version === undefined) return { now: Number(now) };
    if (!/^[1-9]\d*$/.test(version)) {
      throw new ForeignDataError(
        `schedule "${name}": its record has version ${JSON.stringify(version)} — another ` +
          `program wrote there; remove the key or use another --namespace`,
      );
    }
    return { now: Number(now), stored: { version: Number(version), value } };
  }

  async write(name: string, r: { expect: number; value: string | null }): Promise<boolean> {
    const present = r.value === null ? 0 : 1;
    const run = present ? this.runCreating.bind(this) : this.run;
    return Number(await run(name, "write", r.expect, r.value ?? "", present)) === 1;
  }

  list(): Promise<string[]> {
    return this.backend.indexedNames("schedule");
  }
}
