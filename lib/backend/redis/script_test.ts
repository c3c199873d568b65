import assert from "node:assert/strict";
import { LuaScript } from "./script.ts";

Deno.test("LuaScript.load reads a script from an http URL, as when coord is imported from JSR", async () => {
  const lock = await Deno.readTextFile(new URL("./lock.lua", import.meta.url));
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) =>
      new URL(request.url).pathname === "/lib/backend/redis/lock.lua"
        ? new Response(lock)
        : new Response("not found", { status: 404 }),
  );
  const base = `http://127.0.0.1:${server.addr.port}/lib/backend/redis/`;
  const script = await LuaScript.load(new URL("lock.lua", base));
  assert.ok(script.source.endsWith(lock));
  await assert.rejects(LuaScript.load(new URL("missing.lua", base)), /HTTP 404/);
});
