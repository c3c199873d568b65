import assert from "node:assert/strict";
import { blindCoordLines } from "./blind_coord.ts";

const task = (command: string, line = 1) => ({ command, line });

Deno.test("a line that runs coord without --url is found when the backend is not the default", () => {
  const tasks = [
    task("coord queue put q -- true", 1),
    task("./backup.sh", 2),
    task("/opt/bin/coord barrier b 2", 3),
    task("A=1 B=2 coord lock run r -- true", 4),
    task("coordinate --all", 5),
    task("coord queue put q --url redis://h -- true", 6),
    task("COORD_URL=redis://h coord queue put q -- true", 7),
    task("coord queue put q --url=redis://h -- true", 8),
  ];
  const url = "redis://10.0.0.5";
  assert.deepEqual(blindCoordLines(tasks, { url, passEnv: [] }).map((t) => t.line), [1, 3, 4]);
  assert.deepEqual(blindCoordLines(tasks, { url, passEnv: ["COORD_URL"] }), []);
  // The scheduler on the default backend: a child's default is the same one.
  assert.deepEqual(blindCoordLines(tasks, { url: undefined, passEnv: [] }), []);
});
