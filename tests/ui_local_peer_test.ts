import assert from "node:assert/strict";
import { peerUid } from "../commands/ui/local_peer.ts";

Deno.test({
  name: "peerUid() names the user of an open connection's client end, and no one once it closed",
  ignore: Deno.build.os !== "linux",
  async fn() {
    for (const hostname of ["127.0.0.1", "::1"]) {
      using listener = Deno.listen({ hostname, port: 0 });
      const client = await Deno.connect({ hostname, port: listener.addr.port });
      const server = await listener.accept();
      const ends = [client.localAddr, listener.addr] as [Deno.NetAddr, Deno.NetAddr];
      assert.equal(await peerUid(...ends), Deno.uid());
      // Closed by the client first, its end lingers in TIME_WAIT, listed as root's.
      client.close();
      await server.read(new Uint8Array(1));
      server.close();
      assert.equal(await peerUid(...ends), undefined);
    }
  },
});
