/** `rediss://` against a real redis-server speaking TLS with a private CA. */

import assert from "node:assert/strict";
import { redisServerAvailable } from "./support/redis_servers.ts";
import { runCoord } from "./support/cli.ts";
import { freePort } from "./support/host.ts";

const hasOpenssl = (() => {
  try {
    return new Deno.Command("openssl", { args: ["version"] }).outputSync().success;
  } catch {
    return false;
  }
})();

async function openssl(dir: string, ...args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command("openssl", { args, cwd: dir }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
}

Deno.test({
  name: "rediss:// connects over TLS when the CA is trusted, and says how when it is not",
  ignore: !redisServerAvailable() || !hasOpenssl,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "coord-tls-" });
    const subject = (cn: string) => ["-subj", `/CN=${cn}`, "-days", "1"];
    await openssl(
      dir,
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      ...subject("coord test CA"),
    );
    await openssl(
      dir,
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=localhost",
    );
    await Deno.writeTextFile(`${dir}/ext.cnf`, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    await openssl(
      dir,
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.crt",
      "-days",
      "1",
      "-extfile",
      "ext.cnf",
    );
    const port = freePort();
    const server = new Deno.Command("redis-server", {
      args: [
        "--port",
        "0",
        "--tls-port",
        String(port),
        "--tls-cert-file",
        "server.crt",
        "--tls-key-file",
        "server.key",
        "--tls-ca-cert-file",
        "ca.crt",
        "--tls-auth-clients",
        "no",
        "--save",
        "",
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
      ],
      cwd: dir,
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const url = `rediss://127.0.0.1:${port}`;
      let trusted = await runCoord(["doctor", "--url", url], {
        env: { DENO_CERT: `${dir}/ca.crt` },
      });
      for (let i = 0; trusted.code === 69 && /refused/.test(trusted.stderr) && i < 50; i++) {
        await new Promise((r) => setTimeout(r, 100)); // the server is still starting
        trusted = await runCoord(["doctor", "--url", url], { env: { DENO_CERT: `${dir}/ca.crt` } });
      }
      assert.equal(trusted.code, 0, trusted.stderr);
      assert.match(trusted.stdout, /^backend +rediss:\/\/127\.0\.0\.1:\d+ \(redis\)$/m);
      const untrusted = await runCoord(["doctor", "--url", url]);
      assert.equal(untrusted.code, 69);
      assert.match(untrusted.stderr, /TLS certificate not trusted .* DENO_CERT=/);
    } finally {
      server.kill("SIGKILL");
      await server.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
