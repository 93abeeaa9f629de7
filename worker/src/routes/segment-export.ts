import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { ApiError } from '../errors.js'
import type { ExportFormat } from '../exports/column-names.js'
import { parseColumnList, resolveColumns, type AttributeType, type ExportColumn } from '../exports/columns.js'
import { csvEncoder } from '../exports/csv.js'
import { memberPages } from '../exports/members.js'
import { parquetEncoder } from '../exports/parquet.js'
import { exportStream, type Emit, type Encoder } from '../exports/stream.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import { idParam, parseOr400 } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/** Segment exports (F-55): the members of one segment as a file, streamed. */
export const segmentExport = new Hono<Env>()

const FORMATS: Record<ExportFormat, { type: string; open: (columns: ExportColumn[]) => (emit: Emit) => Encoder }> = {
  csv: { type: 'text/csv; charset=utf-8', open: (columns) => (emit) => csvEncoder(columns, emit) },
  parquet: { type: 'application/vnd.apache.parquet', open: (columns) => (emit) => parquetEncoder(columns, emit) },
}

const exportQuery = z.object({
  format: z.enum(['csv', 'parquet']).default('csv'),
  columns: z.string().max(100_000).optional(),
})

/**
 * `GET /api/projects/:projectId/segments/:segmentId/export?format=csv|parquet&columns=…`
 *
 * Columns: userId, email, name, lastSeen and every declared attribute unless named, e.g.
 * `columns=email,lastSeen,attributes.plan` (or a JSON array of names when a key holds a comma).
 * @example curl -H "Authorization: Bearer $SECRET" -o pro.parquet \
 *   "$JIMER/api/projects/$PROJECT/segments/12/export?format=parquet&columns=userId,attributes.plan"
 */
segmentExport.get('/segments/:segmentId/export', requireProject('viewer'), async (c) => {
  const segmentId = idParam(c, 'segmentId')
  const q = parseOr400(exportQuery, c.req.query())
  const { db } = c.var.deps
  const projectId = c.var.projectId
  const [segment, declared] = await db.batch([
    { sql: 'SELECT name FROM segments WHERE project_id = ? AND id = ?', args: [projectId, segmentId] },
    { sql: 'SELECT key, type FROM attribute_definitions WHERE project_id = ? ORDER BY key', args: [projectId] },
  ], 'read')
  if (!segment.rows[0]) throw new ApiError(404, 'not_found', `no segment ${segmentId} in this project`)
  const types = new Map(declared.rows.map((r) => [String(r.key), String(r.type) as AttributeType]))
  const columns = resolveColumns(parseColumnList(q.columns), types)

  const body = await exportStream(memberPages(db, projectId, segmentId, columns), FORMATS[q.format].open(columns))
  await audit(c, { verb: 'create', objectType: 'export', objectId: segmentId, after: { segment: String(segment.rows[0].name), format: q.format, columns: columns.map((col) => col.name) } })
  c.header('Content-Type', FORMATS[q.format].type)
  c.header('Content-Disposition', `attachment; filename="${fileName(segmentId, String(segment.rows[0].name), q.format)}"`)
  c.header('Cache-Control', 'no-store')
  c.header('X-Content-Type-Options', 'nosniff')
  return c.body(body)
})

/** `segment-12-pro-users.csv`: ASCII letters, digits and dashes only, so no header can be forged. */
function fileName(id: number, name: string, ext: string): string {
  const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48)
  return `segment-${id}${slug ? '-' + slug : ''}.${ext}`
}
