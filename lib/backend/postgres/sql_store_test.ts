import assert from "node:assert/strict";
import { isConnectionError, outageCause } from "./sql_store.ts";

Deno.test("outageCause() says the server closed the connection where a write or read met it closed", () => {
  // node-postgres' own words for a socket the server closed, and the socket's.
  for (const message of ["Connection terminated unexpectedly", "write EPIPE", "read ECONNRESET"]) {
    const e = Object.assign(new Error(message), { code: message.split(" ")[1] });
    assert.ok(isConnectionError(e), message);
    assert.equal(outageCause(e), "the server closed the connection", message);
  }
});
