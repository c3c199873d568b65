import assert from "node:assert/strict";
import { aheadAfter } from "./ahead.ts";

const waiting = { ticket: 7, ahead: 2, first: 5 };

Deno.test("a departure ahead of a waiter counts down its place", () => {
  assert.equal(aheadAfter([{ event: "completed", ticket: 5, label: "a" }], waiting), 1);
  assert.equal(aheadAfter([{ event: "left", ticket: 6, label: "b" }], waiting), 1);
});

Deno.test("news of a ticket gone before the waiter's last step is not counted again", () => {
  // The waiter listens before it takes its ticket: the release of ticket 4 reached it after
  // the step that found 5 first in line.
  const stale = [{ event: "started", ticket: 4 }, { event: "completed", ticket: 4, label: "a" }];
  assert.equal(aheadAfter([...stale, { event: "granted", ticket: 5 }], waiting), 2);
  assert.equal(aheadAfter([{ event: "crashed", ticket: 3, label: "c" }], waiting), 2);
});

Deno.test("what a waiter cannot count on leaves it to a check", () => {
  assert.equal(aheadAfter([], waiting), undefined);
  assert.equal(aheadAfter([{ event: "reset" }], waiting), undefined);
  assert.equal(aheadAfter([{ event: "left", ticket: 7, label: "me" }], waiting), undefined);
});
