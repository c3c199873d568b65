import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import {
  defaultSqlitePath,
  maskCredentials,
  maskPassword,
  parseBackendUrl,
  postgresSocketPath,
  type PostgresTarget,
} from "./url.ts";

Deno.test("parseBackendUrl() reads sqlite file and memory URLs", () => {
  assert.deepEqual(parseBackendUrl("sqlite:/tmp/c.db"), { kind: "sqlite", path: "/tmp/c.db" });
  assert.deepEqual(parseBackendUrl("sqlite:///tmp/c.db"), { kind: "sqlite", path: "/tmp/c.db" });
  assert.deepEqual(parseBackendUrl("sqlite:rel/c.db"), { kind: "sqlite", path: "rel/c.db" });
  assert.deepEqual(parseBackendUrl("sqlite::memory:"), { kind: "sqlite", path: ":memory:" });
});

Deno.test("parseBackendUrl() reads redis and rediss URLs with credentials and database", () => {
  assert.deepEqual(parseBackendUrl("redis://app:p%40ss@db.local:6380/2"), {
    kind: "redis",
    tls: false,
    node: { host: "db.local", port: 6380 },
    database: 2,
    username: "app",
    password: "p@ss",
  });
  assert.deepEqual(parseBackendUrl("rediss://[::1]"), {
    kind: "redis",
    tls: true,
    node: { host: "::1", port: 6379 },
    database: 0,
  });
});

Deno.test("parseBackendUrl() takes the password from COORD_PASSWORD when the URL has none", () => {
  const url = parseBackendUrl("redis://127.0.0.1", "from-env");
  assert.equal(url.kind === "redis" && url.password, "from-env");
  const own = parseBackendUrl("redis://:in-url@127.0.0.1", "from-env");
  assert.equal(own.kind === "redis" && own.password, "in-url");
});

Deno.test("parseBackendUrl() reads cluster and sentinel host lists", () => {
  assert.deepEqual(parseBackendUrl("redis+cluster://a:7000,b:7001"), {
    kind: "redis-cluster",
    tls: false,
    nodes: [{ host: "a", port: 7000 }, { host: "b", port: 7001 }],
  });
  assert.deepEqual(parseBackendUrl("redis+sentinel://s1,s2:26380/mymaster"), {
    kind: "redis-sentinel",
    sentinels: [{ host: "s1", port: 26379 }, { host: "s2", port: 26380 }],
    master: "mymaster",
    database: 0,
  });
});

Deno.test("parseBackendUrl() rejects unknown schemes, listing the supported ones", () => {
  for (const url of ["mysql://x", "http://h:1", "redis:/h", "mongodb://u:pw@h/db"]) {
    assert.throws(() => parseBackendUrl(url), (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /redis\+cluster:\/\/.*postgres:\/\//);
      assert.doesNotMatch(e.message, /pw@/);
      return true;
    });
  }
});

Deno.test("parseBackendUrl() rejects malformed hosts, ports, databases and sentinel URLs", () => {
  for (
    const url of [
      "redis://h:0",
      "redis://h:99999",
      "redis://h:port",
      "redis://a:1,b:2",
      "redis://h/db",
      "redis+sentinel://h:1",
      "sqlite:",
    ]
  ) {
    assert.throws(() => parseBackendUrl(url), UsageError, url);
  }
});

Deno.test("maskPassword() hides the password, whatever it holds", () => {
  assert.equal(maskPassword("redis://u:secret@h:1/0"), "redis://u:***@h:1/0");
  assert.equal(maskPassword("redis://:secret@h"), "redis://:***@h");
  assert.equal(maskPassword("rediss://u:se@cr:et@h"), "rediss://u:***@h");
  assert.equal(maskPassword("redis+cluster://:pw@a:1,b:2"), "redis+cluster://:***@a:1,b:2");
  assert.equal(maskPassword("redis://h:6379"), "redis://h:6379");
  assert.equal(maskPassword("sqlite:/tmp/a:b@c"), "sqlite:/tmp/a:b@c");
  assert.equal(maskPassword("redis://u:pa/ss@h:1"), "redis://u:***@h:1");
  assert.equal(maskPassword("redis://u:a?b#c@h/2"), "redis://u:***@h/2");
});

Deno.test("maskPassword() hides the password of a username holding @ or /, and of any scheme", () => {
  // The parser reads userinfo to the last "@", the username to its first ":".
  assert.equal(maskPassword("redis://ann@corp:pw1@h:1"), "redis://ann@corp:***@h:1");
  assert.equal(maskPassword("postgres://app@srv:pw2@h/db"), "postgres://app@srv:***@h/db");
  assert.equal(maskPassword("redis://a/b:pw3@h:1"), "redis://a/b:***@h:1");
  // Mistyped: refused with the URL shown.
  assert.equal(maskPassword("redis-cluster://:pw4@h:1"), "redis-cluster://:***@h:1");
  assert.equal(maskPassword("redis:/:pw5@h"), "redis:/:***@h");
  assert.equal(maskPassword("redis:pw6@h"), "redis:***@h");
  assert.equal(maskPassword(" redis://:pw7@h:1"), " redis://:***@h:1");
  assert.equal(maskPassword("redis//:pw8@h:1"), "redis//:***@h:1");
  assert.equal(maskPassword("redis+cluster//u:pw9@h:1"), "redis+cluster//u:***@h:1");
  // A username alone stays; a SQLite path is no URL with credentials.
  assert.equal(maskPassword("redis://app@h:1"), "redis://app@h:1");
  assert.equal(maskPassword("sqlite:jobs@2.db"), "sqlite:jobs@2.db");
});

Deno.test("maskCredentials() hides every password in a message, however it quotes the URL", () => {
  assert.equal(
    maskCredentials('unexpected argument "redis://:pw@h:1" — or `postgres://u:pw2@h/db`'),
    'unexpected argument "redis://:***@h:1" — or `postgres://u:***@h/db`',
  );
  assert.equal(maskCredentials("mail ann@corp.example at 12:30"), "mail ann@corp.example at 12:30");
  assert.equal(maskCredentials(`URL "redis//:pw3@h:1" —`), `URL "redis//:***@h:1" —`);
  // A usage line's notation is no password.
  assert.equal(
    maskCredentials("use redis://[user:password@]host, postgres://[user[:password]@]host"),
    "use redis://[user:password@]host, postgres://[user[:password]@]host",
  );
  // A password holding quotes or a space (the parser takes them): masked whole.
  assert.equal(maskPassword(`redis://:se"cr et@h:1`), "redis://:***@h:1");
  assert.equal(maskCredentials(`not "redis://:se\\"cret@h:1"`), `not "redis://:***@h:1"`);
  // What only looks like userinfo is left as written: a job's name, a package, an address.
  for (const text of ["no job deploy:prod@eu/job1", "npm:@redis/client@6.3.1", "mailto:bob@x"]) {
    assert.equal(maskCredentials(text), text);
  }
});

Deno.test("parseBackendUrl() reads passwords holding @ / ? and #", () => {
  for (const password of ["pa/ss", "p@ss", "a?b#c", "x@y/z"]) {
    const url = parseBackendUrl(`redis://u:${password}@127.0.0.1:6380/1`);
    assert.deepEqual(url, {
      kind: "redis",
      tls: false,
      node: { host: "127.0.0.1", port: 6380 },
      database: 1,
      username: "u",
      password,
    });
  }
});

Deno.test("parseBackendUrl() reads postgres passwords holding ? as the password's", () => {
  for (const password of ["se?cret", "a?sslmode=x", "p?q@r"]) {
    const url = parseBackendUrl(`postgres://u:${password}@127.0.0.1:5433/app?sslmode=disable`);
    assert.deepEqual(url, {
      kind: "postgres",
      node: { host: "127.0.0.1", port: 5433 },
      user: "u",
      password,
      database: "app",
      sslmode: "disable",
    });
  }
});

Deno.test("defaultSqlitePath() follows XDG_STATE_HOME, else ~/.local/state", () => {
  assert.equal(defaultSqlitePath({ XDG_STATE_HOME: "/s", HOME: "/h" }), "/s/coord/coord.db");
  assert.equal(defaultSqlitePath({ HOME: "/h" }), "/h/.local/state/coord/coord.db");
});

Deno.test("parseBackendUrl() reads postgres and postgresql URLs", () => {
  assert.deepEqual(parseBackendUrl("postgres://app:p%40ss@db.local:6543/jobs?sslmode=require"), {
    kind: "postgres",
    node: { host: "db.local", port: 6543 },
    user: "app",
    password: "p@ss",
    database: "jobs",
    sslmode: "require",
  });
  assert.deepEqual(parseBackendUrl("postgresql://db.local"), {
    kind: "postgres",
    node: { host: "db.local", port: 5432 },
    user: "postgres",
    database: "postgres",
    sslmode: "prefer",
  });
  const fromEnv = parseBackendUrl("postgres://app@db/jobs", "from-env");
  assert.equal(fromEnv.kind === "postgres" && fromEnv.password, "from-env");
});

Deno.test("parseBackendUrl() reads a postgres Unix socket directory, in the host or as ?host=", () => {
  const socket = (url: string) => parseBackendUrl(url) as PostgresTarget;
  assert.deepEqual(socket("postgres://u:p%2Fw@%2Ftmp/db"), {
    kind: "postgres",
    node: { host: "/tmp", port: 5432 },
    user: "u",
    password: "p/w",
    database: "db",
    sslmode: "prefer",
  });
  assert.deepEqual(socket("postgres:///db?host=/tmp").node, { host: "/tmp", port: 5432 });
  // The host part's port alone, as libpq reads it.
  assert.deepEqual(socket("postgres://:5433/db?host=/tmp").node, { host: "/tmp", port: 5433 });
  assert.equal(socket("postgres:///db?host=/tmp").user, "postgres");
  assert.deepEqual(socket("postgres://u@%2Fvar%2Frun%2Fpg:5433/db").node, {
    host: "/var/run/pg",
    port: 5433,
  });
  assert.deepEqual(socket("postgresql://u@/db?host=%2Frun%2Fpg&port=6000").node, {
    host: "/run/pg",
    port: 6000,
  });
  assert.equal(
    postgresSocketPath(socket("postgres://u@%2Ftmp%2F:5433/db")),
    "/tmp/.s.PGSQL.5433",
  );
  assert.equal(postgresSocketPath(socket("postgres://u@db.local/db")), undefined);
});

Deno.test("parseBackendUrl() refuses postgres URLs it cannot honour, masking the password", () => {
  for (
    const bad of [
      "postgres://u:hunter2@db/app?sslmode=sometimes",
      "postgres://u:hunter2@db/app?password=x&user=y",
      "postgres://u:hunter2@a,b/app",
      "postgres://u:hunter2@db:0/app",
      "postgres://u:hun?ter2@db/app?application_name=x",
      "postgres://u:hunter2@/app",
      "postgres://u:hunter2@%2Ftmp/app?port=99999",
      "postgres://u:hunter2@:99999/app?host=/tmp",
      "postgres://u:hunter2@tmp%2Fpg/app",
    ]
  ) {
    assert.throws(() => parseBackendUrl(bad), (e: Error) => {
      assert.ok(e instanceof UsageError, bad);
      assert.doesNotMatch(e.message, /hunter2|ter2/);
      return true;
    });
  }
});

Deno.test("maskPassword() hides a libpq-style password parameter", () => {
  assert.equal(
    maskPassword("postgres://db/app?sslmode=require&password=hunter2"),
    "postgres://db/app?sslmode=require&password=***",
  );
});
