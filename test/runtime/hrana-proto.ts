// Hrana JSON values and errors, as sqld encodes them and @libsql/hrana-client decodes them
// (lib-esm/shared/json_decode.js): integers travel as decimal strings, blobs as base64.

export type HranaValue =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string };

export type SqlValue = null | bigint | number | string | Uint8Array;

export type HranaError = { message: string; code: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

/** A request the protocol forbids: sqld answers it with HTTP 400 and drops the stream. */
export class ProtocolError extends Error {}

/** An error reported inside the pipeline result, with a Hrana error code. */
export class StmtError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

export function decodeValue(v: unknown): SqlValue {
  const value = v as Record<string, unknown> | null;
  switch (value?.type) {
    case "null":
      return null;
    case "integer": {
      const n = typeof value.value === "string" && /^-?\d+$/.test(value.value) ? BigInt(value.value) : undefined;
      if (n === undefined || n < I64_MIN || n > I64_MAX) throw new ProtocolError("Invalid integer value");
      return n;
    }
    case "float":
      if (typeof value.value !== "number") throw new ProtocolError("Invalid float value");
      return value.value;
    case "text":
      if (typeof value.value !== "string") throw new ProtocolError("Invalid text value");
      return value.value;
    case "blob":
      if (typeof value.base64 !== "string") throw new ProtocolError("Invalid blob value");
      return Buffer.from(value.base64, "base64");
    default:
      throw new ProtocolError("Value type not recognized");
  }
}

/** Encodes a value read with safeIntegers(true): integers are bigints, reals are numbers. */
export function encodeValue(v: unknown): HranaValue {
  if (v === null || v === undefined) return { type: "null" };
  if (typeof v === "bigint") return { type: "integer", value: v.toString() };
  if (typeof v === "number") return { type: "float", value: v };
  if (typeof v === "string") return { type: "text", value: v };
  if (v instanceof Uint8Array) return { type: "blob", base64: Buffer.from(v).toString("base64") };
  throw new TypeError(`Cannot encode a ${typeof v} as a Hrana value`);
}

const BASE_CODES = [
  "SQLITE_OK", "SQLITE_ERROR", "SQLITE_INTERNAL", "SQLITE_PERM", "SQLITE_ABORT", "SQLITE_BUSY",
  "SQLITE_LOCKED", "SQLITE_NOMEM", "SQLITE_READONLY", "SQLITE_INTERRUPT", "SQLITE_IOERR",
  "SQLITE_CORRUPT", "SQLITE_NOTFOUND", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_PROTOCOL",
  "SQLITE_EMPTY", "SQLITE_SCHEMA", "SQLITE_TOOBIG", "SQLITE_CONSTRAINT", "SQLITE_MISMATCH",
  "SQLITE_MISUSE", "SQLITE_NOLFS", "SQLITE_AUTH", "SQLITE_FORMAT", "SQLITE_RANGE",
  "SQLITE_NOTADB", "SQLITE_NOTICE", "SQLITE_WARNING",
];

/** The numeric SQLite result code (possibly extended) of an error thrown by `libsql`. */
export function sqliteRawCode(e: unknown): number | undefined {
  const raw = (e as { rawCode?: unknown } | null)?.rawCode;
  return e instanceof Error && typeof raw === "number" ? raw : undefined;
}

/**
 * How an error is reported in a Hrana result.
 * - "embedded": the code the embedded `file:` client puts in `LibsqlError.code` (the base result
 *   code, e.g. SQLITE_CONSTRAINT) and SQLite's message, so both clients format the same message.
 * - "sqld": what sqld sends: "SQLite error: ..." messages, SQLITE_ERROR reported as
 *   SQLITE_UNKNOWN, syntax errors as SQL_PARSE_ERROR.
 */
export function toHranaError(e: unknown, style: "embedded" | "sqld"): HranaError {
  if (e instanceof StmtError) return { message: e.message, code: e.code };
  const raw = sqliteRawCode(e);
  if (raw === undefined) throw e;
  const message = (e as Error).message;
  const base = BASE_CODES[raw & 0xff] ?? `SQLITE_UNKNOWN_${raw & 0xff}`;
  if (style === "embedded") return { message, code: base };
  if (/syntax error|incomplete input|unrecognized token/.test(message)) {
    return { message: `SQL string could not be parsed: ${message}`, code: "SQL_PARSE_ERROR" };
  }
  return { message: `SQLite error: ${message}`, code: base === "SQLITE_ERROR" ? "SQLITE_UNKNOWN" : base };
}

/** Validates a batch step condition: steps may only refer to earlier steps. */
export function checkCond(cond: Json, step: number): Json {
  const isStep = (s: unknown) => Number.isInteger(s) && (s as number) >= 0 && (s as number) < step;
  switch (cond?.type) {
    case "ok": case "error":
      if (!isStep(cond.step)) throw new ProtocolError("Invalid reference to step in a batch condition");
      return cond;
    case "not": return { type: "not", cond: checkCond(cond.cond, step) };
    case "and": case "or":
      if (!Array.isArray(cond.conds)) throw new ProtocolError("BatchCond `conds` must be an array");
      return { type: cond.type, conds: cond.conds.map((c: Json) => checkCond(c, step)) };
    case "is_autocommit": return cond;
    default: throw new ProtocolError("BatchCond type not recognized");
  }
}

// As in sqld, "error" is the negation of "ok", so it also holds for a skipped step.
export function evalCond(cond: Json, ok: boolean[], autocommit: boolean): boolean {
  switch (cond.type) {
    case "ok": return ok[cond.step];
    case "error": return !ok[cond.step];
    case "not": return !evalCond(cond.cond, ok, autocommit);
    case "and": return cond.conds.every((c: Json) => evalCond(c, ok, autocommit));
    case "or": return cond.conds.some((c: Json) => evalCond(c, ok, autocommit));
    default: return autocommit; // is_autocommit
  }
}
