/**
 * A console without credentials serves only the user who started it (and root) over loopback:
 * another user of the host (here `nobody`, the requests made by `runuser`) gets 403, but for
 * `/health`; with credentials, the password decides, whoever asks. Runs as root, which may
 * speak as another user.
 *
 * @module
 */

import assert from "node:assert/strict";
import { freshTarget, startUi } from "./ui_support.ts";

/** The user the other requests come from. */
const OTHER_USER = "nobody";

/** Whether this process may make requests as {@link OTHER_USER}. */
function canSpeakAsAnother(): boolean {
  return Deno.uid() === 0 &&
    new Deno.Command("runuser", { args: ["-u", OTHER_USER, "--", "true"] }).outputSync().success;
}

/** Status and body of `url` fetched by a Deno process of {@link OTHER_USER}'s. */
async function fetchAsAnother(
  url: string,
  init: { method?: string; authorization?: string } = {},
): Promise<{ status: number; body: string }> {
  const dir = await Deno.makeTempDir({ prefix: "coord-other-user-" });
  try {
    await Deno.chmod(dir, 0o777);
    const script = `const r = await fetch(${JSON.stringify(url)}, ${
      JSON.stringify({
        method: init.method ?? "GET",
        headers: init.authorization ? { authorization: init.authorization } : {},
      })
    }); console.log(JSON.stringify({ status: r.status, body: await r.text() }));`;
    const { success, stdout, stderr } = await new Deno.Command("runuser", {
      args: ["-u", OTHER_USER, "--", Deno.execPath(), "eval", "--no-config", script],
      env: { DENO_DIR: dir, HOME: dir, NO_COLOR: "1" },
    }).output();
    assert.ok(success, new TextDecoder().decode(stderr));
    return JSON.parse(new TextDecoder().decode(stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name:
    "ui: without credentials, another user of the host is refused over loopback (403, but /health), the console's own user served",
  ignore: !canSpeakAsAnother(),
  async fn() {
    await using target = await freshTarget();
    await using ui = await startUi(target.env);
    const page = await fetchAsAnother(ui.root);
    assert.equal(page.status, 403);
    assert.match(
      page.body,
      /^refused: without credentials this console serves only its own user \(uid 0\) and root, not uid \d+ — set COORD_UI_USER and COORD_UI_PASSWORD to open it to others\n$/,
    );
    assert.equal(
      (await fetchAsAnother(`${ui.root}queues/q/pause`, { method: "POST" })).status,
      403,
    );
    assert.equal((await fetchAsAnother(`${ui.root}live?path=/`)).status, 403);
    assert.deepEqual(await fetchAsAnother(`${ui.root}health`), { status: 200, body: "ok\n" });
    const own = await fetch(ui.root);
    await own.body?.cancel();
    assert.equal(own.status, 200);
  },
});

/** An IPv4 address of this host's other than loopback, if it has one. */
function otherAddress(): string | undefined {
  return Deno.networkInterfaces().find((i) => i.family === "IPv4" && !i.address.startsWith("127."))
    ?.address;
}

/** Whether `curl`, which can connect from a given address, is installed. */
function curlAvailable(): boolean {
  try {
    return new Deno.Command("curl", { args: ["--version"], stdout: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "ui: without credentials, another user of the host is refused also when connecting to loopback from another of the host's addresses",
  ignore: !canSpeakAsAnother() || !otherAddress() || !curlAvailable(),
  async fn() {
    await using target = await freshTarget();
    await using ui = await startUi(target.env);
    const { stdout } = await new Deno.Command("runuser", {
      args: ["-u", OTHER_USER, "--", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"]
        .concat(["--interface", otherAddress()!, ui.root]),
    }).output();
    assert.equal(new TextDecoder().decode(stdout), "403");
  },
});

Deno.test({
  name: "ui: with credentials, another user of the host who gives them is served",
  ignore: !canSpeakAsAnother(),
  async fn() {
    await using target = await freshTarget();
    const env = { ...target.env, COORD_UI_USER: "ops", COORD_UI_PASSWORD: "s3cret" };
    await using ui = await startUi(env);
    assert.equal((await fetchAsAnother(ui.root)).status, 401);
    const authorization = `Basic ${btoa("ops:s3cret")}`;
    assert.equal((await fetchAsAnother(ui.root, { authorization })).status, 200);
  },
});
