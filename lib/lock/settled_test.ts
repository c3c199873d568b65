import assert from "node:assert/strict";
import { settledLine } from "./settled.ts";

const ticket = (ticket: number, expiresAt: number, grantedAt?: number) => ({
  ticket,
  label: `t${ticket}`,
  since: 0,
  expiresAt,
  ...(grantedAt === undefined ? {} : { grantedAt }),
});

Deno.test("settledLine() leaves out lapsed tickets and grants the next in line at now", () => {
  const line = settledLine({
    tickets: 3,
    indicator: 1,
    limit: 1,
    users: [ticket(1, 10, 0), ticket(2, 90), ticket(3, 90)],
  }, 50);
  assert.deepEqual(line, {
    tickets: 3,
    indicator: 2,
    limit: 1,
    users: [{ ticket: 2, label: "t2", since: 0, grantedAt: 50 }, {
      ticket: 3,
      label: "t3",
      since: 0,
    }],
  });
});

Deno.test("settledLine() keeps a lease that ends at now, and never moves the indicator back", () => {
  const line = settledLine({ tickets: 4, indicator: 5, limit: 2, users: [ticket(4, 50, 7)] }, 50);
  assert.deepEqual(line.users, [{ ticket: 4, label: "t4", since: 0, grantedAt: 7 }]);
  assert.equal(line.indicator, 5);
});

Deno.test("settledLine() of a line whose every ticket lapsed points past the last one", () => {
  const line = settledLine({ tickets: 2, indicator: 1, limit: 1, users: [ticket(1, 1, 0)] }, 50);
  assert.deepEqual([line.indicator, line.users], [3, []]);
});
