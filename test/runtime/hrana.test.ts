// Differential test of the test-only Hrana server (hrana-server.ts): the same calls go through
// @libsql/client over HTTP to the server and through the embedded `file:` client on a fresh file,
// and must give the same outcome. Protocol details the client never exercises on v2 (step
// conditions, describe, batons, expiry) are checked on raw pipeline requests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createClient as createFileClient, type Client, type InStatement, type ResultSet } from "@libsql/client";
import { createClient as createHttpClient } from "@libsql/client/web";
import { startHranaServer, type HranaServer, type HranaServerOptions } from "./hrana-server.js";

type Ctx = { dir: string; server: HranaServer; http: Client; file: Client; fileUrl: string; clients: Client[] };
let ctx: Ctx;

async function open(options: Partial<HranaServerOptions> = {}, clientOptions: { intMode?: "number" | "bigint" | "string" } = {}): Promise<Ctx> {
  const dir = mkdtempSync(join(tmpdir(), "jimer-hrana-"));
  const server = await startHranaServer({ dbPath: join(dir, "http.db"), ...options });
  const fileUrl = `file:${join(dir, "file.db")}`;
  const http = createHttpClient({ url: server.url, ...clientOptions });
  const file = createFileClient({ url: fileUrl, timeout: 5000, ...clientOptions });
  await file.execute("PRAGMA journal_mode=WAL");
  return { dir, server, http, file, fileUrl, clients: [http, file] };
}

async function close(c: Ctx) {
  for (const client of c.clients) client.close();
  await c.server.close();
  rmSync(c.dir, { recursive: true, force: true });
}

beforeEach(async () => {
  ctx = await open();
});
afterEach(async () => {
  await close(ctx);
});

/** Another client on the same database as `side`. */
function another(side: "http" | "file"): Client {
  const client = side === "http" ? createHttpClient({ url: ctx.server.url }) : createFileClient({ url: ctx.fileUrl, timeout: 5000 });
  ctx.clients.push(client);
  return client;
}

const typed = (v: unknown) => (v instanceof ArrayBuffer ? ["ArrayBuffer", [...new Uint8Array(v)]] : [typeof v, v]);
const sqlOf = (s: InStatement) => (typeof s === "string" ? s : s.sql);

/**
 * Everything a caller can see in a result set. Counters are compared where sqld and the embedded
 * client define them alike. The test "answers as sqld does where sqld and the embedded client
 * define counters differently" pins the rest: RETURNING statements (the embedded client reports
 * 0 and no rowid), and lastInsertRowid after anything but an INSERT that inserted a row (the
 * embedded client reports its pooled connection's last rowid; sqld reports none for non-INSERTs,
 * and an INSERT that inserts nothing reports the history of the stream's fresh connection).
 */
function snapshot(rs: ResultSet, sql: string) {
  const returning = /\breturning\b/i.test(sql);
  const inserted = /^\s*(insert|replace)\b/i.test(sql) && !/\bdo\s+update\b/i.test(sql) && rs.rowsAffected > 0;
  return {
    columns: rs.columns,
    columnTypes: rs.columnTypes,
    rows: rs.rows.map((row) => Array.from({ length: row.length }, (_, i) => typed(row[i]))),
    rowObjects: rs.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typed(v)]))),
    rowsAffected: returning ? "(differs for RETURNING)" : rs.rowsAffected,
    lastInsertRowid: (inserted || rs.columns.length > 0) && !returning ? rs.lastInsertRowid : "(connection history)",
  };
}

function errorShape(e: unknown) {
  if (!(e instanceof Error)) return { thrown: e };
  const { code, statementIndex } = e as Error & { code?: string; statementIndex?: number };
  return { name: e.name, code, message: e.message, statementIndex };
}

type Outcome = { ok: unknown } | { error: ReturnType<typeof errorShape> };

async function settle<T>(run: Promise<T>, shape: (value: T) => unknown): Promise<Outcome> {
  try {
    return { ok: shape(await run) };
  } catch (e) {
    return { error: errorShape(e) };
  }
}

/** Runs `fn` on the embedded client, then on the HTTP client; both outcomes must be equal. */
async function same<T>(fn: (c: Client, side: "http" | "file") => Promise<T>, shape: (value: T) => unknown = (v) => v): Promise<Outcome> {
  const file = await settle(fn(ctx.file, "file"), shape);
  const http = await settle(fn(ctx.http, "http"), shape);
  expect(http).toEqual(file);
  return http;
}

const exec = (stmt: InStatement) => same((c) => c.execute(stmt), (rs) => snapshot(rs, sqlOf(stmt)));
const batch = (stmts: InStatement[], mode?: "write" | "read" | "deferred") =>
  same((c) => c.batch(stmts, mode), (rss) => rss.map((rs, i) => snapshot(rs, sqlOf(stmts[i]))));
const rowsOf = (o: Outcome) => ("ok" in o ? (o.ok as ReturnType<typeof snapshot>).rows : o);

const SCHEMA = `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    score REAL CHECK (score >= 0),
    avatar BLOB,
    traits TEXT,
    visits INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), kind TEXT)`;

async function withSchema() {
  await same((c) => c.executeMultiple(SCHEMA));
}

describe("the Hrana server compared with the embedded client", () => {
  it("returns the same rows, column names, declared types and JavaScript value types", async () => {
    await withSchema();
    await exec({
      sql: "INSERT INTO users (email, score, avatar, traits) VALUES (?, ?, ?, ?), (?, ?, ?, ?)",
      args: ["ann@example.com", 1.5, new Uint8Array([0, 1, 254, 255]), '{"plan":"pro"}', "bo@example.com", 2, null, null],
    });
    const result = await exec("SELECT id, email, score, avatar, traits, visits, typeof(score) AS t FROM users ORDER BY id");
    expect(rowsOf(result)).toEqual([
      [["number", 1], ["string", "ann@example.com"], ["number", 1.5], ["ArrayBuffer", [0, 1, 254, 255]], ["string", '{"plan":"pro"}'], ["number", 0], ["string", "real"]],
      [["number", 2], ["string", "bo@example.com"], ["number", 2], ["object", null], ["object", null], ["number", 0], ["string", "real"]],
    ]);
    expect(result).toMatchObject({ ok: { columnTypes: ["INTEGER", "TEXT", "REAL", "BLOB", "TEXT", "INTEGER", ""] } });
    await exec("SELECT 1 AS one, 1.0 AS one_real, 'é☃ 😀' AS txt, x'00ff' AS bin, NULL AS nothing, 3 / 2 AS int_div, 3 / 2.0 AS real_div");
    await exec("SELECT 1, 2 + 3, count(*) FROM users"); // unaliased column names
    await exec({ sql: "SELECT ? AS flag, ? AS at, ? AS big", args: [true, new Date(86_400_000), 42n] });
    await exec("SELECT * FROM users WHERE 0"); // no rows, columns still reported
  });

  it("returns 64-bit integers exactly with intMode bigint and as strings with intMode string", async () => {
    for (const intMode of ["bigint", "string"] as const) {
      await close(ctx);
      ctx = await open({}, { intMode });
      const outcome = await exec({ sql: "SELECT 9223372036854775807 AS max, -9223372036854775808 AS min, ? AS arg, 2.5 AS real", args: [9007199254740993n] });
      const expected = intMode === "bigint" ? [9223372036854775807n, -9223372036854775808n, 9007199254740993n] : ["9223372036854775807", "-9223372036854775808", "9007199254740993"];
      expect(rowsOf(outcome)).toEqual([[...expected.map((v) => [typeof v, v]), ["number", 2.5]]]);
    }
  });

  it("reports the same affected row counts and last insert rowids for inserts, updates and deletes", async () => {
    await withSchema();
    const insert = await exec("INSERT INTO users (email) VALUES ('a@x'), ('b@x'), ('c@x')");
    expect(insert).toMatchObject({ ok: { rowsAffected: 3, lastInsertRowid: 3n } });
    await exec({ sql: "INSERT INTO users (id, email) VALUES (?, ?)", args: [100, "d@x"] });
    await exec("INSERT OR IGNORE INTO users (email) VALUES ('a@x')");
    await exec("INSERT OR REPLACE INTO users (id, email) VALUES (2, 'b2@x')");
    expect(await exec("UPDATE users SET visits = visits + 1 WHERE id < 100")).toMatchObject({ ok: { rowsAffected: 3 } });
    expect(await exec("UPDATE users SET visits = 0 WHERE id = 12345")).toMatchObject({ ok: { rowsAffected: 0 } });
    expect(await exec("DELETE FROM users WHERE id >= 3")).toMatchObject({ ok: { rowsAffected: 2 } });
    const withUpdate = "WITH fresh AS (SELECT id FROM users WHERE visits = 1) UPDATE users SET visits = 2 WHERE id IN (SELECT id FROM fresh)";
    expect(await exec(withUpdate)).toMatchObject({ ok: { rowsAffected: 2 } });
    await exec("SELECT id, email, visits FROM users ORDER BY id");
    await batch(["INSERT INTO users (email) VALUES ('e@x')", "UPDATE users SET visits = 7", "SELECT changes() AS c, last_insert_rowid() AS r"]);
  });

  it("gives the same results for upserts with ON CONFLICT DO UPDATE and for RETURNING", async () => {
    await withSchema();
    const upsert = "INSERT INTO users (email, visits) VALUES (?, 1) ON CONFLICT (email) DO UPDATE SET visits = visits + excluded.visits RETURNING id, email, visits";
    expect(rowsOf(await exec({ sql: upsert, args: ["ann@x"] }))).toEqual([[["number", 1], ["string", "ann@x"], ["number", 1]]]);
    expect(rowsOf(await exec({ sql: upsert, args: ["ann@x"] }))).toEqual([[["number", 1], ["string", "ann@x"], ["number", 2]]]);
    await exec("INSERT INTO users (email) VALUES ('bo@x') ON CONFLICT DO NOTHING RETURNING id");
    expect(rowsOf(await exec("INSERT INTO users (email) VALUES ('bo@x') ON CONFLICT DO NOTHING RETURNING id"))).toEqual([]);
    await exec("INSERT INTO users (email, visits) VALUES ('cy@x', 5) ON CONFLICT (email) DO UPDATE SET visits = 0");
    await exec("UPDATE users SET score = visits * 1.5 WHERE visits > 0 RETURNING email, score");
    await exec("DELETE FROM users WHERE email = 'bo@x' RETURNING *");
    await exec("WITH doomed AS (SELECT id FROM users WHERE visits = 0) DELETE FROM users WHERE id IN (SELECT id FROM doomed) RETURNING email");
    await exec("SELECT email, visits, score FROM users ORDER BY email");
  });

  it("gives the same results for JSON functions", async () => {
    await withSchema();
    await exec({ sql: "INSERT INTO users (email, traits) VALUES (?, ?), (?, ?)", args: ["a@x", '{"plan":"pro","tags":["x","y"],"n":3}', "b@x", '{"plan":"free","n":1.5}'] });
    await exec("SELECT email, json_extract(traits, '$.plan') AS plan, traits ->> '$.n' AS n, traits -> '$.tags' AS tags FROM users ORDER BY email");
    await exec("SELECT json_group_array(email) AS emails, json_object('count', count(*), 'ok', json('true')) AS summary FROM users");
    await exec("SELECT u.email, t.value FROM users u, json_each(u.traits, '$.tags') t ORDER BY 1, 2");
    await exec("UPDATE users SET traits = json_set(traits, '$.plan', 'team', '$.seen', 1) WHERE email = 'b@x'");
    await exec("SELECT traits, json_valid(traits) AS valid, json_type(traits, '$.seen') AS seen_type FROM users ORDER BY id");
    await exec("SELECT json('{bad')");
  });

  it("raises the same error codes and messages for constraint violations, syntax errors and missing tables", async () => {
    await withSchema();
    await exec("INSERT INTO users (id, email) VALUES (1, 'ann@x')");
    const cases: [InStatement, string][] = [
      ["INSERT INTO users (email) VALUES ('ann@x')", "SQLITE_CONSTRAINT"], // UNIQUE
      ["INSERT INTO users (id, email) VALUES (1, 'other@x')", "SQLITE_CONSTRAINT"], // PRIMARY KEY
      ["INSERT INTO users (email) VALUES (NULL)", "SQLITE_CONSTRAINT"], // NOT NULL
      ["INSERT INTO users (email, score) VALUES ('neg@x', -1)", "SQLITE_CONSTRAINT"], // CHECK
      ["INSERT INTO events (user_id, kind) VALUES (999, 'visit')", "SQLITE_CONSTRAINT"], // FOREIGN KEY
      ["SELEC * FROM users", "SQLITE_ERROR"],
      ["SELECT * FROM users WHERE", "SQLITE_ERROR"],
      ["SELECT * FROM no_such_table", "SQLITE_ERROR"],
      ["SELECT no_such_column FROM users", "SQLITE_ERROR"],
      ["CREATE TABLE users (id INTEGER)", "SQLITE_ERROR"],
    ];
    for (const [stmt, code] of cases) {
      const outcome = await exec(stmt);
      expect(outcome).toMatchObject({ error: { name: "LibsqlError", code } });
    }
    const batched = await batch(["INSERT INTO users (email) VALUES ('new@x')", "INSERT INTO users (email) VALUES ('ann@x')"]);
    expect(batched).toMatchObject({ error: { name: "LibsqlBatchError", code: "SQLITE_CONSTRAINT", statementIndex: 1 } });
    await exec("SELECT count(*) AS n FROM users");
  });

  it("rolls a write batch back entirely when a later statement fails", async () => {
    await withSchema();
    const failing = await batch(
      [
        "INSERT INTO users (email) VALUES ('one@x')",
        { sql: "INSERT INTO users (email) VALUES (?)", args: ["two@x"] },
        "UPDATE users SET visits = 10",
        "INSERT INTO users (email) VALUES ('one@x')",
        "INSERT INTO users (email) VALUES ('never@x')",
      ],
      "write",
    );
    expect(failing).toMatchObject({ error: { name: "LibsqlBatchError", code: "SQLITE_CONSTRAINT", statementIndex: 3 } });
    expect(rowsOf(await exec("SELECT count(*) AS n FROM users"))).toEqual([[["number", 0]]]);
    await batch(["INSERT INTO users (email) VALUES ('one@x')", "SELEC 1"], "deferred");
    await batch(["INSERT INTO users (email) VALUES ('one@x')", "SELECT * FROM nowhere"], "write");
    expect(rowsOf(await exec("SELECT count(*) AS n FROM users"))).toEqual([[["number", 0]]]);
    const ok = await batch(["INSERT INTO users (email) VALUES ('one@x')", "SELECT email FROM users"], "write");
    expect(ok).toMatchObject({ ok: [{ rowsAffected: 1, lastInsertRowid: 1n }, { rows: [[["string", "one@x"]]] }] });
    // libsql's BEGIN TRANSACTION READONLY does not refuse writes: same on both sides
    await batch(["SELECT count(*) FROM users", "INSERT INTO users (email) VALUES ('ro@x')"], "read");
    await exec("SELECT id, email FROM users ORDER BY id");
  });

  it("returns one result per statement for a 200-statement batch", async () => {
    await withSchema();
    const stmts: InStatement[] = [];
    for (let i = 0; i < 200; i++) {
      // distinct texts exceed the client's 30-entry SQL cache; the repeated one is stored once
      stmts.push(i % 2 ? `INSERT INTO users (email, visits) VALUES ('u${i}@x', ${i})` : { sql: "INSERT INTO users (email, visits) VALUES (?, ?)", args: [`u${i}@x`, i] });
    }
    stmts.push("SELECT count(*) AS n, sum(visits) AS total, max(id) AS last FROM users");
    const outcome = await batch(stmts, "write");
    const results = (outcome as { ok: ReturnType<typeof snapshot>[] }).ok;
    expect(results).toHaveLength(201);
    expect(results[199]).toMatchObject({ rowsAffected: 1, lastInsertRowid: 200n });
    expect(results[200].rows).toEqual([[["number", 200], ["number", 19900], ["number", 200]]]);
  });

  it("binds named and positional arguments like the embedded client", async () => {
    await exec({ sql: "SELECT :a AS a, @b AS b, $c AS c, :a AS a_again", args: { a: 1, b: "two", c: null } });
    await exec({ sql: "SELECT :a AS a, @b AS b, $c AS c", args: { ":a": 1.25, "@b": new Uint8Array([7]), $c: 3n } });
    await exec({ sql: "SELECT ?2 AS second, ?1 AS first, ? AS third", args: ["one", "two", "three"] });
    await exec({ sql: "SELECT :missing AS m, :present AS p", args: { present: "here", unused: 1 } });
    await exec({ sql: "SELECT ? AS only", args: ["x", "extra"] });
    await exec({ sql: "SELECT ':not_a_param' AS s, /* @nor_this */ :a AS a, \"$col\" AS q -- $c\n", args: { a: "bound" } });
    await exec({ sql: "SELECT '?' AS q, ':a' AS colon, ? AS real", args: ["bound"] });
  });

  it("commits and rolls back interactive write transactions like the embedded client", async () => {
    await withSchema();
    const committed = await same(async (c) => {
      const tx = await c.transaction("write");
      const a = await tx.execute("INSERT INTO users (email) VALUES ('kept@x')");
      const b = await tx.batch(["UPDATE users SET visits = 5", "SELECT email, visits FROM users"]);
      let failed: unknown;
      await tx.execute("INSERT INTO users (email) VALUES ('kept@x')").catch((e) => (failed = errorShape(e)));
      await tx.commit();
      return { a: snapshot(a, "INSERT"), b: b.map((rs) => snapshot(rs, "UPDATE")), code: (failed as { code: string }).code };
    });
    expect(committed).toMatchObject({ ok: { code: "SQLITE_CONSTRAINT" } });
    await same(async (c) => {
      const tx = await c.transaction("write");
      await tx.execute("INSERT INTO users (email) VALUES ('dropped@x')");
      await tx.execute("DELETE FROM users WHERE email = 'kept@x'");
      await tx.rollback();
      return tx.closed;
    });
    expect(rowsOf(await exec("SELECT email, visits FROM users"))).toEqual([[["string", "kept@x"], ["number", 5]]]);
    await same(async (c) => {
      const tx = await c.transaction("deferred");
      await tx.executeMultiple("INSERT INTO users (email) VALUES ('m1@x'); INSERT INTO users (email) VALUES ('m2@x');");
      await tx.commit();
    });
    await exec("SELECT email FROM users ORDER BY id");
  });

  it("keeps a row written in an uncommitted interactive transaction invisible to other clients", async () => {
    await withSchema();
    const seen = await same(async (c, side) => {
      const other = another(side);
      const tx = await c.transaction("write");
      await tx.execute("INSERT INTO users (email) VALUES ('hidden@x')");
      const count = async (client: Client) => (await client.execute("SELECT count(*) AS n FROM users")).rows[0].n;
      const inside = (await tx.execute("SELECT count(*) AS n FROM users")).rows[0].n;
      const during = [await count(other), await count(c)];
      await tx.commit();
      return { inside, during, after: [await count(other), await count(c)] };
    });
    expect(seen).toEqual({ ok: { inside: 1, during: [0, 0], after: [1, 1] } });
  });

  it("runs executeMultiple scripts, including trigger bodies that contain semicolons", async () => {
    await same((c) =>
      c.executeMultiple(`
        CREATE TABLE log (msg TEXT); -- a comment; with a semicolon
        CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);
        CREATE TRIGGER items_log AFTER INSERT ON items BEGIN
          INSERT INTO log VALUES ('added ' || new.name);
          INSERT INTO log VALUES (CASE WHEN new.id > 1 THEN 'more; than one' ELSE 'first' END);
        END;
        INSERT INTO items (name) VALUES ('a;b'), ('c');
        /* trailing; comment */`),
    );
    expect(rowsOf(await exec("SELECT msg FROM log ORDER BY rowid"))).toEqual([
      [["string", "added a;b"]], [["string", "first"]], [["string", "added c"]], [["string", "more; than one"]],
    ]);
    await same((c) => c.executeMultiple("INSERT INTO items (name) VALUES ('d'); INSERT INTO nowhere VALUES (1); INSERT INTO items (name) VALUES ('e')"));
    await exec("SELECT name FROM items ORDER BY id");
  });

  it("answers as sqld does where sqld and the embedded client define counters differently", async () => {
    await withSchema();
    for (const c of [ctx.file, ctx.http]) await c.execute("INSERT INTO users (email) VALUES ('a@x')");
    const returning = "INSERT INTO users (email) VALUES ('b@x') RETURNING id";
    const [fileRet, httpRet] = [await ctx.file.execute(returning), await ctx.http.execute(returning)];
    expect(httpRet.rows).toEqual(fileRet.rows);
    expect([fileRet.rowsAffected, fileRet.lastInsertRowid]).toEqual([0, undefined]); // embedded: not reported
    expect([httpRet.rowsAffected, httpRet.lastInsertRowid]).toEqual([1, 2n]); // sqld: changes() and the rowid
    const update = "UPDATE users SET visits = 1";
    const [fileUpd, httpUpd] = [await ctx.file.execute(update), await ctx.http.execute(update)];
    expect([fileUpd.rowsAffected, httpUpd.rowsAffected]).toEqual([2, 2]);
    expect(typeof fileUpd.lastInsertRowid).toBe("bigint"); // embedded: the connection's last rowid
    expect(httpUpd.lastInsertRowid).toBeUndefined(); // sqld: only INSERT reports it
    const ignored = "INSERT OR IGNORE INTO users (email) VALUES ('a@x')";
    expect((await ctx.http.execute(ignored)).lastInsertRowid).toBe(0n); // a fresh stream has inserted nothing
  });

  it("carries only the base error code over HTTP: extendedCode exists on the embedded client alone", async () => {
    await withSchema();
    const duplicate = "INSERT INTO users (email) VALUES ('a@x')";
    const errors = await Promise.all(
      [ctx.file, ctx.http].map(async (c) => {
        await c.execute(duplicate);
        return c.execute(duplicate).then(() => undefined, (e: { code?: string; extendedCode?: string }) => [e.code, e.extendedCode]);
      }),
    );
    expect(errors).toEqual([["SQLITE_CONSTRAINT", "SQLITE_CONSTRAINT_UNIQUE"], ["SQLITE_CONSTRAINT", undefined]]);
  });
});

describe("the Hrana server protocol", () => {
  const post = (body: unknown) =>
    ctx.server.handler(new Request("http://hrana.test/v2/pipeline", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
  const pipeline = async (requests: unknown[], baton?: string | null) => {
    const res = await post({ baton: baton ?? undefined, requests });
    expect(res.status).toBe(200);
    return (await res.json()) as { baton: string | null; base_url: null; results: { type: string; response?: any; error?: any }[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const stmt = (sql: string, extra: object = {}) => ({ sql, args: [], named_args: [], want_rows: true, ...extra });

  it("answers GET /v2 with 200 and the v3 endpoints with 404, so clients stay on v2 JSON", async () => {
    const get = (path: string) => fetch(new URL(path, ctx.server.url));
    expect((await get("/v2")).status).toBe(200);
    for (const path of ["/v3", "/v3-protobuf", "/v3/pipeline", "/v3-protobuf/pipeline", "/v2/cursor"]) {
      const res = await get(path);
      await res.arrayBuffer();
      expect(res.status, path).toBe(404);
    }
    expect(new URL(ctx.server.url).hostname).toBe("127.0.0.1");
  });

  it("serves @libsql/client through the fetch handler alone, as miniflare's outboundService calls it", async () => {
    const client = createHttpClient({ url: "http://libsql.test", fetch: (req: Request) => ctx.server.handler(req) });
    ctx.clients.push(client);
    await client.batch(["CREATE TABLE t (x)", "INSERT INTO t VALUES (41)"], "write");
    expect((await client.execute("SELECT x + 1 AS y FROM t")).rows[0].y).toBe(42);
  });

  it("encodes values as Hrana JSON values with string integers and base64 blobs", async () => {
    const body = await pipeline([
      { type: "execute", stmt: stmt("CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB, n)") },
      {
        type: "execute",
        stmt: stmt("INSERT INTO v VALUES (?, ?, ?, ?, ?)", {
          args: [{ type: "integer", value: "9223372036854775807" }, { type: "float", value: 2 }, { type: "text", value: "hé" }, { type: "blob", base64: "AP8=" }, { type: "null" }],
        }),
      },
      { type: "execute", stmt: stmt("SELECT i, r, t, b, n, typeof(r) FROM v") },
      { type: "close" },
    ]);
    expect(body.baton).toBeNull();
    expect(body.results[1]).toEqual({ type: "ok", response: { type: "execute", result: { cols: [], rows: [], affected_row_count: 1, last_insert_rowid: "1" } } });
    expect(body.results[2].response.result).toEqual({
      cols: [
        { name: "i", decltype: "INTEGER" }, { name: "r", decltype: "REAL" }, { name: "t", decltype: "TEXT" },
        { name: "b", decltype: "BLOB" }, { name: "n", decltype: null }, { name: "typeof(r)", decltype: null },
      ],
      rows: [[
        { type: "integer", value: "9223372036854775807" }, { type: "float", value: 2 }, { type: "text", value: "hé" },
        { type: "blob", base64: "AP8=" }, { type: "null" }, { type: "text", value: "real" },
      ]],
      affected_row_count: 0,
      last_insert_rowid: null,
    });
    expect(body.results[3]).toEqual({ type: "ok", response: { type: "close" } });
  });

  it("evaluates batch step conditions ok, error, not, and, or and is_autocommit", async () => {
    const steps = [
      { stmt: stmt("SELECT 1") }, // 0 ok
      { stmt: stmt("SELEC 1") }, // 1 error
      { condition: { type: "ok", step: 0 }, stmt: stmt("SELECT 2") }, // 2 runs
      { condition: { type: "ok", step: 1 }, stmt: stmt("SELECT 3") }, // 3 skipped
      { condition: { type: "error", step: 1 }, stmt: stmt("SELECT 4") }, // 4 runs
      { condition: { type: "not", cond: { type: "ok", step: 0 } }, stmt: stmt("SELECT 5") }, // 5 skipped
      { condition: { type: "and", conds: [{ type: "ok", step: 0 }, { type: "error", step: 1 }] }, stmt: stmt("SELECT 6") }, // 6 runs
      { condition: { type: "or", conds: [{ type: "ok", step: 1 }, { type: "ok", step: 3 }] }, stmt: stmt("SELECT 7") }, // 7 skipped
      { condition: { type: "error", step: 3 }, stmt: stmt("SELECT 8") }, // 8 runs: sqld treats a skipped step as failed
      { condition: { type: "is_autocommit" }, stmt: stmt("BEGIN") }, // 9 runs
      { condition: { type: "is_autocommit" }, stmt: stmt("SELECT 10") }, // 10 skipped
      { condition: { type: "not", cond: { type: "is_autocommit" } }, stmt: stmt("ROLLBACK") }, // 11 runs
      { condition: { type: "and", conds: [] }, stmt: stmt("SELECT 12") }, // 12 runs
      { condition: { type: "or", conds: [] }, stmt: stmt("SELECT 13") }, // 13 skipped
    ];
    const body = await pipeline([{ type: "batch", batch: { steps } }, { type: "get_autocommit" }]);
    const { step_results, step_errors } = body.results[0].response.result;
    expect(step_results.map((r: unknown) => r !== null)).toEqual([true, false, true, false, true, false, true, false, true, true, false, true, true, false]);
    expect(step_errors.map((e: { code: string } | null) => e?.code ?? null)).toEqual([null, "SQLITE_ERROR", ...Array(12).fill(null)]);
    expect(step_results[2].rows).toEqual([[{ type: "integer", value: "2" }]]);
    expect(body.results[1].response).toEqual({ type: "get_autocommit", is_autocommit: true });
    const bad = await post({ requests: [{ type: "batch", batch: { steps: [{ condition: { type: "ok", step: 0 }, stmt: stmt("SELECT 1") }] } }] });
    expect([bad.status, await bad.text()]).toEqual([400, "Invalid reference to step in a batch condition"]);
  });

  it("chains requests on one stream with single-use batons and answers store_sql, close_sql, describe, sequence and get_autocommit", async () => {
    const first = await pipeline([
      { type: "store_sql", sql_id: 1, sql: "SELECT count(*) FROM s WHERE x > ?" },
      { type: "sequence", sql: "CREATE TABLE s (x INTEGER); BEGIN; INSERT INTO s VALUES (1), (2), (3);" },
      { type: "execute", stmt: { sql_id: 1, args: [{ type: "integer", value: "1" }], named_args: [], want_rows: true } },
      { type: "get_autocommit" },
      { type: "describe", sql: "SELECT x AS y, :name, ?3 FROM s" },
      { type: "describe", sql: "INSERT INTO s VALUES (?)" },
    ]);
    expect(first.results.map((r) => r.type)).toEqual(["ok", "ok", "ok", "ok", "ok", "ok"]);
    expect(first.results[2].response.result.rows).toEqual([[{ type: "integer", value: "2" }]]);
    expect(first.results[3].response.is_autocommit).toBe(false);
    expect(first.results[4].response.result).toEqual({
      params: [{ name: ":name" }, { name: null }, { name: "?3" }],
      cols: [{ name: "y", decltype: "INTEGER" }, { name: ":name", decltype: null }, { name: "?3", decltype: null }],
      is_explain: false,
      is_readonly: true,
    });
    expect(first.results[5].response.result).toMatchObject({ params: [{ name: null }], cols: [], is_readonly: false });
    expect(first.baton).toEqual(expect.any(String));

    const second = await pipeline([{ type: "close_sql", sql_id: 1 }, { type: "execute", stmt: stmt("COMMIT") }], first.baton);
    expect(second.results.map((r) => r.type)).toEqual(["ok", "ok"]);
    const reused = await post({ baton: first.baton, requests: [{ type: "get_autocommit" }] });
    expect([reused.status, await reused.text()]).toEqual([400, "Received a baton that has already been used"]);
    const invalid = await post({ baton: "nonsense", requests: [] });
    expect(invalid.status).toBe(400);
    // stored SQL is per stream: the closed id is gone, and asking for it is a protocol error
    const missing = await post({ baton: second.baton, requests: [{ type: "execute", stmt: { sql_id: 1, args: [], named_args: [] } }] });
    expect([missing.status, await missing.text()]).toEqual([400, "SQL text 1 not found"]);
    const committed = await pipeline([{ type: "execute", stmt: stmt("SELECT count(*) FROM s") }, { type: "close" }]);
    expect(committed.results[0].response.result.rows).toEqual([[{ type: "integer", value: "3" }]]);
    expect(committed.baton).toBeNull();
  });

  it("rejects SQL texts with no statement or several statements as sqld does", async () => {
    const body = await pipeline([
      { type: "execute", stmt: stmt("  -- nothing here\n ;") },
      { type: "execute", stmt: stmt("SELECT 1; SELECT 2") },
      { type: "execute", stmt: stmt("SELECT 1; -- trailing comment") },
      { type: "execute", stmt: stmt("SELECT ?", { args: [{ type: "null" }], named_args: [{ name: "a", value: { type: "null" } }] }) },
    ]);
    expect(body.results.map((r) => r.error?.code ?? r.type)).toEqual(["SQL_NO_STATEMENT", "SQL_MANY_STATEMENTS", "ok", "ARGS_BOTH_POSITIONAL_AND_NAMED"]);
  });

  it("expires idle streams and rolls back their open transaction", async () => {
    await close(ctx);
    ctx = await open({ streamIdleMs: 150 });
    const tx = await ctx.http.transaction("write");
    await tx.batch(["CREATE TABLE t (x)", "INSERT INTO t VALUES (1)"]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expect(tx.execute("INSERT INTO t VALUES (2)")).rejects.toMatchObject({ code: "STREAM_EXPIRED" });
    // the write lock was released: another client can write at once
    await ctx.http.execute("CREATE TABLE t (y)");
    expect((await ctx.http.execute("SELECT count(*) AS n FROM t")).rows[0].n).toBe(0);
  });

  it("lets a writer wait for an open interactive transaction, and fails it with SQLITE_BUSY after the busy timeout", async () => {
    await close(ctx);
    ctx = await open({ busyTimeoutMs: 1000 });
    await ctx.http.execute("CREATE TABLE t (x)");
    const tx = await ctx.http.transaction("write");
    await tx.execute("INSERT INTO t VALUES (1)");
    const waiting = ctx.http.execute("INSERT INTO t VALUES (2)");
    await new Promise((resolve) => setTimeout(resolve, 200));
    await tx.commit();
    await expect(waiting).resolves.toMatchObject({ rowsAffected: 1 });

    const holder = await ctx.http.transaction("write");
    await holder.execute("INSERT INTO t VALUES (3)");
    const started = Date.now();
    await expect(ctx.http.execute("INSERT INTO t VALUES (4)")).rejects.toMatchObject({ code: "SQLITE_BUSY" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await holder.rollback();
    expect((await ctx.http.execute("SELECT group_concat(x) AS xs FROM t")).rows[0].xs).toBe("1,2");
  });

  it("keeps a stream usable after one of its statements failed with SQLITE_BUSY", async () => {
    await close(ctx);
    ctx = await open({ busyTimeoutMs: 100 });
    const holder = await pipeline([
      { type: "execute", stmt: stmt("CREATE TABLE t (x)") },
      { type: "execute", stmt: stmt("BEGIN IMMEDIATE") },
      { type: "execute", stmt: stmt("INSERT INTO t VALUES (1)") },
    ]);
    const waiter = await pipeline([{ type: "execute", stmt: stmt("INSERT INTO t VALUES (2)") }]);
    expect(waiter.results[0].error).toEqual({ message: "database is locked", code: "SQLITE_BUSY" });
    await pipeline([{ type: "execute", stmt: stmt("COMMIT") }, { type: "close" }], holder.baton);
    const later = await pipeline([{ type: "execute", stmt: stmt("INSERT INTO t VALUES (3)") }, { type: "close" }], waiter.baton);
    expect(later.results[0].type).toBe("ok");
    const seen = await pipeline([{ type: "execute", stmt: stmt("SELECT group_concat(x) FROM t") }, { type: "close" }]);
    expect(seen.results[0].response.result.rows).toEqual([[{ type: "text", value: "1,3" }]]);
  });

  it("reports errors with sqld's codes and messages when errorCodes is 'sqld'", async () => {
    await close(ctx);
    ctx = await open({ errorCodes: "sqld" });
    await ctx.http.execute("CREATE TABLE t (x UNIQUE)");
    await ctx.http.execute("INSERT INTO t VALUES (1)");
    const failure = (sql: string) => ctx.http.execute(sql).then(() => undefined, (e: Error & { code?: string }) => [e.code, e.message]);
    expect(await failure("INSERT INTO t VALUES (1)")).toEqual(["SQLITE_CONSTRAINT", "SQLITE_CONSTRAINT: SQLite error: UNIQUE constraint failed: t.x"]);
    expect(await failure("SELECT * FROM missing")).toEqual(["SQLITE_UNKNOWN", "SQLITE_UNKNOWN: SQLite error: no such table: missing"]);
    expect((await failure("SELEC 1"))?.[0]).toBe("SQL_PARSE_ERROR");
  });
});
