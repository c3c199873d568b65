/** Tables in a terminal: columns counted as a terminal draws them. */

import assert from "node:assert/strict";
import { printTable } from "../commands/output.ts";
import { padColumns, textWidth } from "../commands/text_width.ts";

Deno.test("textWidth counts terminal columns: two for wide characters, none for accents", () => {
  assert.equal(textWidth("deploy"), 6);
  assert.equal(textWidth("報告"), 4);
  assert.equal(textWidth("큐"), 2);
  assert.equal(textWidth("ｑ"), 2, "fullwidth");
  assert.equal(textWidth("🚀"), 2, "one column pair, though two UTF-16 units");
  assert.equal(textWidth("e\u0301"), 1, "a combining accent takes none");
  assert.equal(textWidth("👨‍👩‍👧"), 2, "a family joined by ZWJ is one emoji");
  assert.equal(textWidth("🇯🇵"), 2, "a flag: two regional indicators, one emoji");
  assert.equal(textWidth("👍🏽"), 2, "a skin tone modifies the emoji before it");
  assert.equal(textWidth("é"), 1);
  assert.equal(textWidth(""), 0);
});

Deno.test("padColumns pads to columns, and leaves text as wide or wider as it is", () => {
  assert.equal(padColumns("報告", 6), "報告  ");
  assert.equal(padColumns("ab", 2), "ab");
  assert.equal(padColumns("abc", 2), "abc");
});

Deno.test("printTable lines its columns up in a terminal, also under wide names", () => {
  const printed: string[] = [];
  const log = console.log;
  console.log = (line: string) => printed.push(line);
  try {
    printTable([["QUEUE", "PENDING", "ACTIVE"], ["報告", "3", "1"], ["emails", "12", "0"]]);
  } finally {
    console.log = log;
  }
  // Each column starts at the same terminal column on every line.
  const starts = (line: string) => {
    const cells = line.split(/(?<=\S)  +(?=\S)/);
    return cells.map((_, i) => textWidth(line.slice(0, line.indexOf(cells[i]))));
  };
  assert.deepEqual(printed.map(starts), [[0, 8, 17], [0, 8, 17], [0, 8, 17]]);
});
