import assert from "node:assert/strict";
import { firstUnparsable } from "./shell_syntax.ts";

Deno.test("firstUnparsable() finds the first command sh cannot parse, each read alone", async () => {
  assert.equal(
    await firstUnparsable(["echo ok", "a | b && c > /dev/null", "echo 'it''s'"]),
    undefined,
  );
  // Read as one script, the stray quotes of 1 and 2 would pair up, and 3's error come first.
  const found = await firstUnparsable(["echo ok", "echo 'a", "echo b'", "echo )"]);
  assert.equal(found?.index, 1);
  assert.match(found!.said, /[Uu]nterminated/);
  assert.doesNotMatch(found!.said, /eval|sh:/, "sh's words, not its place");
});

Deno.test("firstUnparsable() runs none of the commands", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const found = await firstUnparsable([
      `touch ${dir}/a`,
      `echo "$(touch ${dir}/b)"`,
      // Closes what a check might wrap it in, and goes on.
      `true; }; touch ${dir}/c; f() { true`,
    ]);
    assert.equal(found?.index, 2);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("firstUnparsable() names the error, not a warning before it, when sh is bash", async () => {
  const dir = await Deno.makeTempDir();
  const path = Deno.env.get("PATH")!;
  try {
    await Deno.symlink("/usr/bin/bash", `${dir}/sh`);
    Deno.env.set("PATH", `${dir}:${path}`);
    // bash warns of the here-document cut short, then fails on the quote.
    const found = await firstUnparsable(["cat <<EOF", "echo 'a"]);
    assert.equal(found?.index, 1);
    assert.doesNotMatch(found.said, /warning/);
  } finally {
    Deno.env.set("PATH", path);
    await Deno.remove(dir, { recursive: true });
  }
});
