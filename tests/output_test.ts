/** Stored text printed for a terminal: escaped so that it reads back one way only. */

import assert from "node:assert/strict";
import { printable, printableJson } from "../commands/output.ts";

Deno.test("printable() tells a stored backslash apart from an escaped control character", () => {
  assert.equal(printable("boom\x1b[2J"), "boom\\x1b[2J");
  assert.equal(printable("boom\\x1b[2J"), "boom\\\\x1b[2J");
  assert.notEqual(printable("\x1b"), printable("\\x1b"));
  assert.equal(printable("C:\\temp"), "C:\\\\temp");
});

Deno.test("printable() escapes the bidi controls that reorder a terminal's line", () => {
  // U+202E (right-to-left override) would show "abc\u202Efdp.exe" as "abcexe.pdf".
  assert.equal(printable("abc\u202efdp.exe"), "abc\\u{202e}fdp.exe");
  for (
    const c of ["\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069"]
  ) {
    assert.equal(printable(`a${c}b`), `a\\u{${c.charCodeAt(0).toString(16)}}b`);
  }
  assert.equal(printable("報告 é 🚀"), "報告 é 🚀", "other characters are left as they are");
});

Deno.test("printable() and printableJson() keep a line one line: U+2028 and U+2029 escaped", () => {
  // Both end a line for a JavaScript or JSON reader of coord's output.
  assert.equal(printable("a\u2028b\u2029c"), "a\\u{2028}b\\u{2029}c");
  const shown = printableJson({ handler: "a\u2028b" });
  assert.equal(shown, '{"handler":"a\\u2028b"}');
  assert.deepEqual(JSON.parse(shown), { handler: "a\u2028b" });
});

Deno.test("printable() leaves backslashes to a message that quotes its values in JSON", () => {
  const message = `lock name ${JSON.stringify("a\tb\\")} holds a control character\u202e`;
  assert.equal(
    printable(message, { backslash: false }),
    'lock name "a\\tb\\\\" holds a control character\\u{202e}',
  );
});

Deno.test("printableJson() is JSON still, with what JSON leaves raw escaped", () => {
  const value = { label: 'say "hi"\\ \x1b \x85 \u202e' };
  const shown = printableJson(value);
  assert.equal(shown, '{"label":"say \\"hi\\"\\\\ \\u001b \\u0085 \\u202e"}');
  assert.deepEqual(JSON.parse(shown), value);
});
