// Test-only libSQL server: Hrana v2 over HTTP (JSON, `POST /v2/pipeline`), executing on a local
// SQLite file with the `libsql` package. It stands in for sqld wherever @libsql/client talks HTTP
// (the Workers build under miniflare, `wrangler dev`, `drizzle-kit migrate`);
// test/runtime/hrana.test.ts holds it against the embedded `file:` client.
//
// A request without a baton opens a stream: its own `libsql` connection (hrana-stream.ts), so an
// open interactive transaction is isolated from other clients, as in sqld. The baton returned
// with each response is valid for exactly one next request on that stream. A stream idle for
// `streamIdleMs` expires: its connection is closed and any transaction rolled back.
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import Database from "libsql";
import { serve } from "@hono/node-server";
import { ProtocolError, type Json } from "./hrana-proto.js";
import { HranaStream } from "./hrana-stream.js";

export type HranaServerOptions = {
  dbPath: string;
  /** Error codes and messages like the embedded `file:` client ("embedded", default) or like sqld. */
  errorCodes?: "embedded" | "sqld";
  /** Inactivity after which a stream expires (default 10 s, as sqld). */
  streamIdleMs?: number;
  /** How long a statement waits for a lock held by another connection (default 5 s). */
  busyTimeoutMs?: number;
};

export type HranaServer = {
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
  /** The WHATWG fetch handler behind `url`; usable directly, e.g. as miniflare's outboundService. */
  handler: (req: Request) => Promise<Response>;
};

type Entry = { stream: HranaStream; seq: number; state: "idle" | "busy" | "expired"; timer?: NodeJS.Timeout };

const text = (status: number, body: string) => new Response(body, { status, headers: { "content-type": "text/plain" } });
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export function createHranaHandler(options: HranaServerOptions) {
  const { dbPath, errorCodes = "embedded", streamIdleMs = 10_000, busyTimeoutMs = 5_000 } = options;
  const entries = new Map<string, Entry>();
  let closed = false;

  const setup = new Database(dbPath);
  setup.prepare("PRAGMA journal_mode=WAL").raw(true).all();
  setup.close();

  // Finds the stream a baton names; a response instead when the baton is not usable.
  function acquire(baton: string): [string, Entry] | Response {
    const [id, seq] = baton.split(".");
    const entry = entries.get(id);
    if (!entry) return text(400, "Received an invalid baton");
    if (entry.state === "expired") return json(500, { message: "The stream has expired due to inactivity", code: "STREAM_EXPIRED" });
    if (entry.state === "busy" || String(entry.seq) !== seq) return text(400, "Received a baton that has already been used");
    clearTimeout(entry.timer);
    entry.state = "busy";
    return [id, entry];
  }

  function drop(id: string, entry: Entry) {
    clearTimeout(entry.timer);
    entry.stream.close();
    entries.delete(id);
  }

  async function pipeline(body: Json): Promise<Response> {
    let id: string;
    let entry: Entry;
    if (body?.baton == null) {
      id = randomBytes(12).toString("base64url");
      entry = { stream: new HranaStream({ dbPath, errorCodes, busyTimeoutMs }), seq: 0, state: "busy" };
      entries.set(id, entry);
    } else {
      const found = acquire(String(body.baton));
      if (found instanceof Response) return found;
      [id, entry] = found;
    }
    const results: Json[] = [];
    try {
      if (!Array.isArray(body.requests)) throw new ProtocolError("Cannot deserialize client message from JSON: `requests` is missing");
      for (const req of body.requests) results.push(await entry.stream.handle(req));
    } catch (e) {
      drop(id, entry); // as sqld: a failed request ends the stream
      if (e instanceof ProtocolError) return text(400, e.message);
      throw e;
    }
    if (entry.stream.closed) {
      drop(id, entry);
      return json(200, { baton: null, base_url: null, results });
    }
    entry.seq += 1;
    entry.state = "idle";
    entry.timer = setTimeout(() => {
      entry.stream.close();
      entry.state = "expired"; // kept, so a late baton gets STREAM_EXPIRED rather than "invalid"
    }, streamIdleMs).unref();
    return json(200, { baton: `${id}.${entry.seq}`, base_url: null, results });
  }

  async function handler(req: Request): Promise<Response> {
    const { pathname } = new URL(req.url);
    try {
      if (closed) return text(503, "The test Hrana server is closed");
      if (req.method === "GET" && (pathname === "/v2" || pathname === "/")) {
        return text(200, "Hello, this is HTTP API v2 (Hrana over HTTP)");
      }
      if (req.method === "GET" && pathname === "/health") return text(200, "");
      if (req.method === "POST" && pathname === "/v2/pipeline") {
        let body: Json;
        try {
          body = await req.json();
        } catch (e) {
          return text(400, `Cannot deserialize client message from JSON: ${String(e)}`);
        }
        return await pipeline(body);
      }
      // Also /v3, /v3-protobuf and /v2/cursor: hrana-client then stays on v2 JSON.
      return text(404, "Not found");
    } catch (e) {
      return text(500, `Internal error: ${String(e)}`);
    }
  }

  function close() {
    closed = true;
    for (const [id, entry] of entries) drop(id, entry);
  }

  return { handler, close };
}

/** Serves the Hrana endpoint on 127.0.0.1, on a free port. */
export async function startHranaServer(options: HranaServerOptions): Promise<HranaServer> {
  const hrana = createHranaHandler(options);
  const server = serve({ fetch: hrana.handler, hostname: "127.0.0.1", port: 0 }) as Server;
  if (!server.listening) await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    handler: hrana.handler,
    async close() {
      hrana.close();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
  };
}
