// One Hrana stream of the test server (hrana-server.ts): its own `libsql` connection to the
// database file, as in sqld, and the requests that run on it. Behaviour follows sqld's
// libsql-server/src/hrana (request.rs, stmt.rs, batch.rs, connection/program.rs).
import Database from "libsql";
import { classify, parameterNames, splitStatements, type StatementKind } from "./hrana-sql.js";
import {
  ProtocolError, StmtError, checkCond, decodeValue, encodeValue, evalCond, sqliteRawCode, toHranaError,
  type HranaError, type HranaValue, type Json, type SqlValue,
} from "./hrana-proto.js";

export type StreamOptions = {
  dbPath: string;
  /** Error codes and messages like the embedded `file:` client ("embedded") or like sqld. */
  errorCodes: "embedded" | "sqld";
  /** How long a statement waits for a lock held by another connection before SQLITE_BUSY. */
  busyTimeoutMs: number;
};

type Db = InstanceType<typeof Database>;
type Prepared = { sql: string; args: SqlValue[]; kind: StatementKind };
type Col = { name: string; decltype: string | null };
type StmtResult = { cols: Col[]; rows: HranaValue[][]; affected_row_count: number; last_insert_rowid: string | null };

const MAX_STORED_SQLS = 50; // sqld's limits for store_sql
const MAX_STORED_SQL_BYTES = 5000;
const SQLITE_BUSY = 5;
const SQLITE_BUSY_RECOVERY = 261;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const COUNTERS = new WeakMap<Db, ReturnType<Db["prepare"]>>();
const columnsOf = (stmt: ReturnType<Db["prepare"]>): Col[] => stmt.columns().map((c) => ({ name: c.name, decltype: c.type ?? null }));

export class HranaStream {
  private db: Db | null;
  private readonly sqls = new Map<number, string>();

  constructor(private readonly options: StreamOptions) {
    this.db = new Database(options.dbPath);
  }

  get closed(): boolean {
    return this.db === null;
  }

  /** Closes the connection. `libsql` keeps a closed connection's locks until its statements are
   * garbage collected, so an open transaction is rolled back explicitly first. */
  close() {
    const db = this.db;
    this.db = null;
    try {
      if (db?.inTransaction) db.prepare("ROLLBACK").run();
    } catch {
      // closing anyway
    } finally {
      db?.close();
    }
  }

  /** Runs one stream request; returns its StreamResult. Throws ProtocolError (HTTP 400). */
  async handle(req: Json): Promise<Json> {
    const ok = (response: Json) => ({ type: "ok", response: { type: req.type, ...response } });
    try {
      switch (req?.type) {
        case "close":
          this.close();
          return ok({});
        case "execute":
          return ok({ result: await this.run(this.prepare(req.stmt)) });
        case "batch":
          return ok({ result: await this.batch(req.batch) });
        case "sequence":
          this.connection();
          for (const sql of splitStatements(this.resolveSql(req.sql, req.sql_id))) {
            await this.run({ sql, args: [], kind: classify(sql) });
          }
          return ok({});
        case "describe":
          return ok({ result: this.describe(this.resolveSql(req.sql, req.sql_id)) });
        case "store_sql":
          if (this.sqls.has(req.sql_id)) throw new ProtocolError(`SQL text ${req.sql_id} already exists`);
          if (this.sqls.size >= MAX_STORED_SQLS) {
            throw new StmtError(`The server already stores ${this.sqls.size} SQL texts, it cannot store more`, "SQL_STORE_TOO_MANY");
          }
          if (Buffer.byteLength(String(req.sql)) > MAX_STORED_SQL_BYTES) {
            throw new StmtError("The statement is too large to be stored", "SQL_STORE_TOO_LARGE");
          }
          this.sqls.set(req.sql_id, String(req.sql));
          return ok({});
        case "close_sql":
          this.sqls.delete(req.sql_id);
          return ok({});
        case "get_autocommit":
          return ok({ is_autocommit: !this.connection().inTransaction });
        default:
          throw new ProtocolError("StreamRequest type not recognized");
      }
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      return { type: "error", error: this.error(e) };
    }
  }

  private error(e: unknown): HranaError {
    return toHranaError(e, this.options.errorCodes);
  }

  private connection(): Db {
    if (!this.db) throw new ProtocolError("Stream for this baton was closed");
    return this.db;
  }

  private resolveSql(sql: unknown, sqlId: unknown): string {
    if (sql != null && sqlId != null) throw new ProtocolError("Either `sql` or `sql_id` are required, but not both");
    if (typeof sql === "string") return sql;
    if (typeof sqlId === "number") {
      const stored = this.sqls.get(sqlId);
      if (stored === undefined) throw new ProtocolError(`SQL text ${sqlId} not found`);
      return stored;
    }
    throw new ProtocolError("Either `sql` or `sql_id` are required");
  }

  /** Checks a statement as sqld does before running anything: one statement, consistent arguments. */
  private prepare(stmt: Json): Prepared {
    const sql = this.resolveSql(stmt?.sql, stmt?.sql_id);
    const statements = splitStatements(sql);
    if (statements.length === 0) throw new StmtError("SQL string does not contain any statement", "SQL_NO_STATEMENT");
    if (statements.length > 1) throw new StmtError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
    const args = ((stmt.args ?? []) as unknown[]).map(decodeValue);
    const named = (stmt.named_args ?? []) as Json[];
    if (named.length === 0) return { sql, args, kind: classify(sql) };
    if (args.length > 0) {
      throw new StmtError("Specifying both positional and named arguments is not supported", "ARGS_BOTH_POSITIONAL_AND_NAMED");
    }
    // Bound by position: `libsql` aborts the process when an object meets a `?` parameter.
    const bare = (name: string) => name.replace(/^[:@$]/, "");
    const values = new Map(named.map((a) => [bare(String(a.name)), decodeValue(a.value)]));
    const byPosition = parameterNames(sql).map((name) => (name === null ? null : (values.get(bare(name)) ?? null)));
    return { sql, args: byPosition, kind: classify(sql) };
  }

  // The busy timeout is served asynchronously: a synchronous SQLite busy_timeout would freeze the
  // single-threaded server, so the connection holding the lock could never release it.
  private async run(p: Prepared): Promise<StmtResult> {
    const db = this.connection();
    const stmt = db.prepare(p.sql).safeIntegers(true);
    const cols = columnsOf(stmt);
    const deadline = Date.now() + this.options.busyTimeoutMs;
    let rows: unknown[][] = [];
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      try {
        if (stmt.reader) rows = stmt.raw(true).all(p.args) as unknown[][];
        else stmt.run(p.args);
        break;
      } catch (e) {
        const code = sqliteRawCode(e) ?? 0;
        if ((code === SQLITE_BUSY || code === SQLITE_BUSY_RECOVERY) && Date.now() + wait <= deadline) {
          await sleep(wait); // retry the same statement: only finishing it releases it (see below)
          continue;
        }
        // A statement that failed with SQLITE_BUSY stays active in `libsql` (there is no reset()),
        // and SQLite defers the autocommit of later writes until it finishes: they would never
        // commit. Outside a transaction, move the stream to a fresh connection.
        if ((code & 0xff) === SQLITE_BUSY && !db.inTransaction) {
          this.db = new Database(this.options.dbPath);
          db.close();
        }
        throw e;
      }
    }
    // As sqld: changes() only for INSERT/UPDATE/DELETE (RETURNING or not), last_insert_rowid()
    // only for INSERT.
    let affected = 0;
    let lastInsertRowid: string | null = null;
    if (p.kind.isIud) {
      let counters = COUNTERS.get(db);
      if (!counters) COUNTERS.set(db, (counters = db.prepare("SELECT changes(), last_insert_rowid()").safeIntegers(true).raw(true)));
      const [changes, rowid] = counters.all([])[0] as bigint[];
      affected = Number(changes);
      if (p.kind.isInsert) lastInsertRowid = rowid.toString();
    }
    return { cols, rows: rows.map((r) => r.map(encodeValue)), affected_row_count: affected, last_insert_rowid: lastInsertRowid };
  }

  private async batch(body: Json) {
    this.connection();
    if (!Array.isArray(body?.steps)) throw new ProtocolError("Cannot deserialize client message from JSON: `steps` is missing");
    // As sqld, every step is checked before the first one runs.
    const steps = (body.steps as Json[]).map((s, i) => ({
      cond: s.condition == null ? undefined : checkCond(s.condition, i),
      stmt: this.prepare(s.stmt),
    }));
    const ok: boolean[] = [];
    const step_results: (StmtResult | null)[] = [];
    const step_errors: (HranaError | null)[] = [];
    for (const step of steps) {
      let result: StmtResult | null = null;
      let error: HranaError | null = null;
      if (!step.cond || evalCond(step.cond, ok, !this.connection().inTransaction)) {
        try {
          result = await this.run(step.stmt);
        } catch (e) {
          error = this.error(e);
        }
      }
      ok.push(result !== null);
      step_results.push(result);
      step_errors.push(error);
    }
    return { step_results, step_errors };
  }

  private describe(sql: string) {
    const cols = columnsOf(this.connection().prepare(sql));
    const kind = classify(sql);
    return { params: parameterNames(sql).map((name) => ({ name })), cols, is_explain: kind.isExplain, is_readonly: this.isReadonly(sql, kind) };
  }

  // sqlite3_stmt_readonly(), read from the bytecode: does the statement open a write transaction?
  // Asked on a throwaway connection: an EXPLAIN that touches a table stays "in progress" in
  // `libsql`, and would make a later COMMIT on the stream fail.
  private isReadonly(sql: string, kind: StatementKind): boolean {
    if (kind.isExplain) return true;
    const probe = new Database(this.options.dbPath);
    try {
      const program = probe.prepare(`EXPLAIN ${sql}`).raw(true).all() as unknown[][];
      return !program.some(([, opcode, , p2]) => (opcode === "Transaction" && Number(p2) !== 0) || opcode === "Vacuum");
    } catch {
      return !kind.isIud; // e.g. a table created by the stream's uncommitted transaction
    } finally {
      probe.close();
    }
  }
}
