import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.js'
import { audit } from '../audit/log.js'
import { ApiError } from '../errors.js'
import { requireProject, type ProjectVars } from '../middleware/admin-auth.js'
import {
  createEndpoint, deleteEndpoint, getEndpoint, listDeliveries, listEndpoints, replayDelivery, rotateSecret, unknownSegments, updateEndpoint,
  type EndpointInput,
} from '../webhooks/endpoints.js'
import { checkTarget } from '../webhooks/target.js'
import { idParam, jsonBody, parseOr400 } from './validate.js'

type Env = AppEnv & { Variables: ProjectVars }

/**
 * Webhook endpoints (issue 12): `segment.entered` / `segment.left`, signed per Standard
 * Webhooks. Viewers read; admins change. The secret is in the answer of POST and of
 * rotate only.
 */
export const webhookRoutes = new Hono<Env>()

const fields = z.object({
  // The URL's own checks (scheme, length, private targets) come after, with their own codes.
  url: z.string().trim().min(1),
  description: z.string().trim().max(500).default(''),
  /** The segments followed; null (or absent) follows every segment. */
  segmentIds: z.array(z.number().int().positive()).min(1).max(1000).nullable().default(null),
  enabled: z.boolean().default(true),
})

/** The URL may receive webhooks, and every segment named is one of the project's: else a 400 naming the field. */
async function checked(c: Context<Env>, input: Partial<EndpointInput>): Promise<void> {
  const { db, webhooks } = c.var.deps
  if (input.url !== undefined) {
    const r = await checkTarget(input.url, webhooks?.target ?? { allowPrivate: false })
    if (!('url' in r)) throw new ApiError(400, r.code, `url: ${r.message}`, 'url')
  }
  if (input.segmentIds) {
    const missing = await unknownSegments(db, c.var.projectId, input.segmentIds)
    if (missing.length) throw new ApiError(400, 'unknown_segment', `segmentIds: no segment ${missing[0]} in this project`, `segmentIds.${input.segmentIds.indexOf(missing[0])}`)
  }
}

async function endpointOr404(c: Context<Env>) {
  const e = await getEndpoint(c.var.deps.db, c.var.projectId, c.req.param('webhookId')!)
  if (!e) throw new ApiError(404, 'not_found', `no webhook ${c.req.param('webhookId')} in this project`)
  return e
}

webhookRoutes.get('/webhooks', requireProject('viewer'), async (c) => c.json({ webhooks: await listEndpoints(c.var.deps.db, c.var.projectId) }))

/**
 * A new endpoint; its secret is in this answer only.
 * @example curl -X POST "$HOST/api/projects/$PROJECT/webhooks" -H "Authorization: Bearer $ADMIN_TOKEN" \
 *   -H 'content-type: application/json' -d '{"url":"https://crm.example.com/hooks/jimer","segmentIds":[12]}'
 * // 201 {"id":"wh_…","url":"https://crm.example.com/hooks/jimer",…,"secret":"whsec_…"}
 */
webhookRoutes.post('/webhooks', requireProject('admin'), async (c) => {
  const body = await jsonBody(c, fields)
  await checked(c, body)
  const { endpoint, secret } = await createEndpoint(c.var.deps.db, c.var.projectId, body, c.var.deps.now())
  await audit(c, { verb: 'create', objectType: 'webhook', objectId: endpoint.id, after: { url: endpoint.url, description: endpoint.description, segmentIds: endpoint.segmentIds, enabled: endpoint.enabled } })
  return c.json({ ...endpoint, secret }, 201)
})

webhookRoutes.get('/webhooks/:webhookId', requireProject('viewer'), async (c) => c.json(await endpointOr404(c)))

webhookRoutes.patch('/webhooks/:webhookId', requireProject('admin'), async (c) => {
  const body = await jsonBody(c, z.object({
    url: fields.shape.url.optional(),
    description: z.string().trim().max(500).optional(),
    segmentIds: z.array(z.number().int().positive()).min(1).max(1000).nullable().optional(),
    enabled: z.boolean().optional(),
  }))
  const before = await endpointOr404(c)
  await checked(c, body)
  await updateEndpoint(c.var.deps.db, c.var.projectId, before.id, body, c.var.deps.now())
  const after = (await getEndpoint(c.var.deps.db, c.var.projectId, before.id))!
  const pick = (e: typeof before) => ({ url: e.url, description: e.description, segmentIds: e.segmentIds, enabled: e.enabled })
  await audit(c, { verb: 'update', objectType: 'webhook', objectId: before.id, before: pick(before), after: pick(after) })
  return c.json(after)
})

webhookRoutes.delete('/webhooks/:webhookId', requireProject('admin'), async (c) => {
  const id = c.req.param('webhookId')
  const gone = await deleteEndpoint(c.var.deps.db, c.var.projectId, id)
  if (!gone) throw new ApiError(404, 'not_found', `no webhook ${id} in this project`)
  await audit(c, { verb: 'delete', objectType: 'webhook', objectId: id, before: { url: gone.url } })
  return c.body(null, 204)
})

/** A new secret, in this answer only; the old one stops at once (signatures are made when sent). */
webhookRoutes.post('/webhooks/:webhookId/rotate', requireProject('admin'), async (c) => {
  const e = await endpointOr404(c)
  const secret = (await rotateSecret(c.var.deps.db, c.var.projectId, e.id, c.var.deps.now()))!
  await audit(c, { verb: 'rotate', objectType: 'webhook', objectId: e.id, after: { url: e.url } })
  return c.json({ secret })
})

webhookRoutes.get('/webhooks/:webhookId/deliveries', requireProject('viewer'), async (c) => {
  const e = await endpointOr404(c)
  const q = parseOr400(z.object({
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    status: z.enum(['pending', 'delivered', 'failed']).optional(),
  }), c.req.query())
  const deliveries = await listDeliveries(c.var.deps.db, c.var.projectId, e.id, q)
  return c.json({ deliveries, next: deliveries.length === q.limit ? deliveries[deliveries.length - 1].id : null })
})

/** Sends a delivery again (same payload, same webhook-id), after any pending one of its user and segment. */
webhookRoutes.post('/webhooks/:webhookId/deliveries/:deliveryId/replay', requireProject('admin'), async (c) => {
  const e = await endpointOr404(c)
  const d = await replayDelivery(c.var.deps.db, c.var.projectId, e.id, idParam(c, 'deliveryId'), c.var.deps.now())
  if (!d) throw new ApiError(404, 'not_found', `no delivery ${c.req.param('deliveryId')} of this webhook`)
  await audit(c, { verb: 'replay', objectType: 'webhook', objectId: e.id, after: { deliveryId: d.replayOf, webhookId: d.webhookId } })
  return c.json(d, 201)
})
