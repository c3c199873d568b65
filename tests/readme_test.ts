/** README's TypeScript examples are code a user copies: they must type-check against coord. */

import assert from "node:assert/strict";

const PROJECT_ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);

Deno.test("every TypeScript block of README type-checks (deno check --doc-only)", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--doc-only", "README.md"],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
});
