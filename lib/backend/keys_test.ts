import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { checkName, checkNamespace, parseRedisKey, redisKey } from "./keys.ts";

/** Redis' own rule: the hash tag is between the first "{" and the first "}" after it. */
function hashTag(key: string): string {
  const open = key.indexOf("{");
  const close = key.indexOf("}", open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

Deno.test("redisKey() puts kind and name in one hash tag, even for names with {}: and spaces", () => {
  for (const name of ["plain", "a{b}c", "}{", "x:y z", "{", "100%", "%7B"]) {
    const parts = ["state", "arrivals", "changed"].map((p) =>
      redisKey("coord", "barrier", name, p)
    );
    const tags = new Set(parts.map(hashTag));
    assert.equal(tags.size, 1, `one tag for ${name}: ${[...tags]}`);
    assert.ok([...tags][0].startsWith("barrier:"), `tag covers the kind for ${name}`);
    assert.deepEqual(parseRedisKey("coord", parts[0]), { kind: "barrier", name, part: "state" });
  }
});

Deno.test("redisKey() gives different names different hash tags", () => {
  const names = ["a}b", "a}c", "a", "a%7Db", "a b", "a:b"];
  const tags = names.map((n) => hashTag(redisKey("coord", "lock", n, "queue")));
  assert.equal(new Set(tags).size, names.length);
});

Deno.test("parseRedisKey() ignores keys of another layout or namespace", () => {
  assert.equal(parseRedisKey("coord", "coord:plain"), undefined);
  assert.equal(parseRedisKey("coord", "other:{lock:a}:queue"), undefined);
  assert.equal(parseRedisKey("coord", "coordx:{lock:a}:queue"), undefined);
});

Deno.test("checkName() refuses empty and overlong names", () => {
  assert.throws(() => checkName("barrier name", ""), UsageError);
  assert.throws(() => checkName("barrier name", "x".repeat(513)), UsageError);
  assert.equal(checkName("barrier name", "a {b}: c"), "a {b}: c");
});

Deno.test("checkName() counts characters, not UTF-16 units: 512 emoji are a name", () => {
  assert.equal(checkName("lock", "🔒".repeat(512)), "🔒".repeat(512));
  assert.throws(() => checkName("lock", "🔒".repeat(513)), /is 513 characters; at most 512/);
});

Deno.test("checkName() names the thing as it is told: a job id, not a job id name", () => {
  assert.throws(() => checkName("job id", ""), {
    name: "UsageError",
    message: "the job id is empty — give one",
  });
  assert.throws(() => checkName("queue name", "x".repeat(513)), /^UsageError: queue name is 513/);
});

Deno.test("checkName() refuses a newline, a tab or another control character", () => {
  for (const name of ["a\nb", "a\tb", "a\rb", "a\u007fb", "a\u0085b"]) {
    assert.throws(() => checkName("job id", name), /^UsageError: job id .* holds a control/);
  }
  assert.equal(checkName("job id", "ünï ✓ 名"), "ünï ✓ 名");
});

Deno.test("checkName() refuses NUL, which SQLite would cut the name at", () => {
  assert.throws(() => checkName("queue name", "a\0b"), /^UsageError: queue name .* holds NUL/);
});

Deno.test("checkNamespace() refuses braces, globs, spaces and NUL", () => {
  for (const ns of ["", "a{b", "a}", "a*", "a?", "a[b]", "a b", "a\0b"]) {
    assert.throws(() => checkNamespace(ns), UsageError, ns);
  }
  assert.equal(checkNamespace("team-a:prod"), "team-a:prod");
});
