// Just enough SQL lexing for the test Hrana server (hrana-server.ts) to behave like sqld, which
// parses every statement before running it:
// - split a `sequence` into statements, and reject `execute` texts with zero or several statements;
// - classify a statement like sqld does (INSERT/UPDATE/DELETE decide affected_row_count and
//   last_insert_rowid);
// - number the parameters the way SQLite does, so named arguments can be bound by position
//   (binding an object to a statement that also has `?` parameters aborts the `libsql` process).

type Token = { kind: "ws" | "semi" | "word" | "param" | "other"; text: string; end: number };

const W = "A-Za-z0-9_\\u0080-\\uffff";
const TOKEN = new RegExp(
  [
    "(\\s+|--[^\\n]*|/\\*[\\s\\S]*?(?:\\*/|$))", // whitespace and comments
    "(;)",
    `(\\?[0-9]*|[:@$][${W}]+(?:::[${W}]+)*)`, // parameters
    `([${W}][${W}$]*)`, // keywords, identifiers, numbers
    // quoted strings and identifiers (a doubled quote reads as two adjacent tokens: same outcome)
    "('[^']*'?|\"[^\"]*\"?|`[^`]*`?|\\[[^\\]]*\\]?|[\\s\\S])",
  ].join("|"),
  "y",
);
const KINDS = ["ws", "semi", "param", "word"] as const;

function* tokens(sql: string): Generator<Token> {
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(sql); m; m = TOKEN.exec(sql)) {
    const group = m.findIndex((g, i) => i > 0 && g !== undefined);
    yield { kind: KINDS[group - 1] ?? "other", text: m[0], end: TOKEN.lastIndex };
  }
}

// Statements recur (one INSERT text with new arguments), so analyses are kept per SQL text.
function memo<T>(fn: (sql: string) => T): (sql: string) => T {
  const cache = new Map<string, T>();
  return (sql) => {
    let value = cache.get(sql);
    if (value === undefined) {
      if (cache.size >= 1000) cache.clear();
      cache.set(sql, (value = fn(sql)));
    }
    return value;
  };
}

// The state machine of SQLite's sqlite3_complete(): a `;` ends a statement unless it is inside
// the BEGIN ... END body of a CREATE TRIGGER.
// Columns: SEMI WS OTHER EXPLAIN CREATE TEMP TRIGGER END
const COMPLETE = [
  [1, 0, 2, 3, 4, 2, 2, 2], // 0 INVALID
  [1, 1, 2, 3, 4, 2, 2, 2], // 1 START
  [1, 2, 2, 2, 2, 2, 2, 2], // 2 NORMAL
  [1, 3, 3, 2, 4, 2, 2, 2], // 3 EXPLAIN
  [1, 4, 2, 2, 2, 4, 5, 2], // 4 CREATE
  [6, 5, 5, 5, 5, 5, 5, 5], // 5 TRIGGER
  [6, 6, 5, 5, 5, 5, 5, 7], // 6 SEMI
  [1, 7, 5, 5, 5, 5, 5, 5], // 7 END
];
const KEYWORD_COLUMN: Record<string, number> = {
  EXPLAIN: 3, CREATE: 4, TEMP: 5, TEMPORARY: 5, TRIGGER: 6, END: 7,
};

/** The statements in `sql`, each with its text; whitespace, comments and empty `;` are dropped. */
export const splitStatements = memo((sql: string): readonly string[] => {
  const out: string[] = [];
  let state = 0;
  let start = 0;
  let hasContent = false;
  for (const t of tokens(sql)) {
    const column =
      t.kind === "semi" ? 0 : t.kind === "ws" ? 1 : t.kind === "word" ? (KEYWORD_COLUMN[t.text.toUpperCase()] ?? 2) : 2;
    state = COMPLETE[state][column];
    if (t.kind !== "ws" && t.kind !== "semi") hasContent = true;
    if (state === 1 && t.kind === "semi") {
      if (hasContent) out.push(sql.slice(start, t.end));
      start = t.end;
      hasContent = false;
    }
  }
  if (hasContent) out.push(sql.slice(start));
  return out;
});

export type StatementKind = { isIud: boolean; isInsert: boolean; isExplain: boolean };

/** Classifies one statement as sqld's query analysis does (`is_iud`, `is_insert`). */
export const classify = memo((stmt: string): StatementKind => {
  const words: string[] = [];
  let depth = 0;
  for (const t of tokens(stmt)) {
    if (t.text === "(") depth++;
    else if (t.text === ")") depth--;
    else if (t.kind === "word" && depth === 0) words.push(t.text.toUpperCase());
  }
  let verb = words[0];
  if (verb === "WITH") {
    verb = words.find((w) => ["SELECT", "VALUES", "INSERT", "REPLACE", "UPDATE", "DELETE"].includes(w)) ?? "";
  }
  const isInsert = verb === "INSERT" || verb === "REPLACE";
  return { isInsert, isIud: isInsert || verb === "UPDATE" || verb === "DELETE", isExplain: verb === "EXPLAIN" };
});

/**
 * Parameter names by position (index 0 is SQLite's parameter 1), numbered as SQLite numbers them:
 * `?` takes the next number, `?NNN` takes NNN, a name reuses its number if it was seen before.
 * Plain `?` parameters have a null name.
 */
export const parameterNames = memo((stmt: string): readonly (string | null)[] => {
  const names: (string | null)[] = [];
  const seen = new Set<string>();
  for (const t of tokens(stmt)) {
    if (t.kind !== "param") continue;
    if (t.text === "?") {
      names.push(null);
    } else if (t.text.startsWith("?")) {
      const n = Number(t.text.slice(1));
      while (names.length < n) names.push(null);
      names[n - 1] ??= t.text;
    } else if (!seen.has(t.text)) {
      names.push(t.text);
      seen.add(t.text);
    }
  }
  return names;
});
