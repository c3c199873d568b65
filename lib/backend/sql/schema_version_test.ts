import assert from "node:assert/strict";
import { ForeignDataError } from "../../errors.ts";
import { refuseSchemaVersion } from "./schema_version.ts";

const where = { subject: "sqlite:coord.db", wayOut: "choose another file" };

Deno.test("refuseSchemaVersion() lets this coord's, none and an older coord's version through", () => {
  assert.equal(refuseSchemaVersion("2", 2, where), false);
  // A writer writes the version where there is none, or an older coord's.
  for (const stored of [undefined, "1"]) assert.equal(refuseSchemaVersion(stored, 2, where), true);
});

Deno.test("refuseSchemaVersion() refuses a newer coord's version and values no coord wrote", () => {
  assert.throws(() => refuseSchemaVersion("3", 2, where), /newer coord.s/);
  for (const stored of ["x", "0", "01", 2]) {
    assert.throws(() => refuseSchemaVersion(stored, 2, where), ForeignDataError);
  }
});
