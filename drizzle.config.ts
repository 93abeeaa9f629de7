import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'turso',
  schema: './worker/src/db/schema.ts',
  out: './migrations',
  dbCredentials: { url: process.env.LIBSQL_URL ?? 'file:data/jimer.db', authToken: process.env.LIBSQL_AUTH_TOKEN },
})
