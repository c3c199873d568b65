import { strictEqual } from "node:assert/strict";
import { encodeCommand, replyEnd } from "./resp.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const end = (text: string) => replyEnd(bytes(text), bytes(text).length);

Deno.test("encodeCommand() sends an array of bulk strings", () => {
  strictEqual(new TextDecoder().decode(encodeCommand(["PING"])), "*1\r\n$4\r\nPING\r\n");
});

Deno.test("replyEnd() finds the end of a whole reply", () => {
  strictEqual(end("+PONG\r\n"), 7);
  strictEqual(end("$-1\r\n"), 5);
  const time = "*2\r\n$10\r\n1763885527\r\n$6\r\n123456\r\n";
  strictEqual(end(time), time.length);
});

Deno.test("replyEnd() waits for the rest of a reply cut anywhere", () => {
  const time = "*2\r\n$10\r\n1763885527\r\n$6\r\n123456\r\n";
  for (let cut = 0; cut < time.length; cut++) strictEqual(end(time.slice(0, cut)), -1);
});
