import assert from "node:assert/strict";
import { importPg } from "./client.ts";
import { quoteLiteral } from "./quote_literal.ts";

Deno.test("quoteLiteral() quotes as node-postgres' escapeLiteral does", async () => {
  const pg = await importPg();
  const client = new pg.Client({} as never);
  for (
    const text of ["", "plain", "it's", "''", "a\\b", "\\'", "'\\\\'", "é ✓ \u{1F600}", "x\ny"]
  ) {
    assert.equal(quoteLiteral(text), client.escapeLiteral(text), JSON.stringify(text));
  }
});
