import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IMPORT_TABLES, PROJECT_TABLES } from '../../worker/src/teams/erase-project.js'
import { PASSWORD, addAccount, client, seedProject, signIn, snapshotProject, type Caller } from './two-projects.js'
import { allRows } from '../helpers/all-rows.js'
import { testApp } from '../helpers/test-app.js'

/**
 * Issue 15: a project is created by an account (its admin), renamed, and deleted with its
 * name typed: afterwards no row anywhere holds its id or any of its data, its keys and
 * tokens are refused, and the other project is exactly as it was.
 */
describe('creating, renaming and deleting a project', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let http: ReturnType<typeof client>
  let admin: string
  let editor: string
  let id: string
  let keys: { writeKey: string; secretKey: string; token: string }

  const everything = () => allRows(t.db)

  beforeAll(async () => {
    t = await testApp()
    http = client(t.app)
    admin = await signIn(t, 'admin@localhost', PASSWORD)
    const made = await http.send('POST', '/api/projects', { caller: { cookie: admin }, json: { name: 'Doomed QUOKKA' } })
    expect(made.status, made.text).toBe(201)
    id = JSON.parse(made.text).id
    const settings = JSON.parse((await http.send('GET', `/api/projects/${id}/settings`, { caller: { cookie: admin } })).text)
    const seeded = await seedProject(t, id, settings.writeKey, settings.secretKey, 'QUOKKA')
    const token = JSON.parse((await http.send('POST', `/api/projects/${id}/tokens`, { caller: { cookie: admin }, json: { name: 'QUOKKA ingest', scope: 'ingest' } })).text).token
    keys = { writeKey: seeded.writeKey, secretKey: seeded.secretKey, token }
    await addAccount(t, 'editor@quokka.example', [[id, 'editor']])
    editor = await signIn(t, 'editor@quokka.example', PASSWORD)
  })
  afterAll(() => t.dispose())

  it('lists every project of the account in the switcher, and renames one', async () => {
    const list = async () => JSON.parse((await http.send('GET', '/api/projects', { caller: { cookie: admin } })).text).projects
    expect(await list()).toEqual([{ id, name: 'Doomed QUOKKA', role: 'admin' }, { id: t.boot.projectId, name: 'My project', role: 'admin' }])
    expect(await http.send('PATCH', `/api/projects/${id}`, { caller: { cookie: editor }, json: { name: 'x' } })).toMatchObject({ status: 403 })
    expect(await http.send('PATCH', `/api/projects/${id}`, { caller: { cookie: admin }, json: { name: '  ' } })).toMatchObject({ status: 400, code: 'invalid_field' })
    expect((await http.send('PATCH', `/api/projects/${id}`, { caller: { cookie: admin }, json: { name: 'QUOKKA renamed' } })).status).toBe(200)
    expect((await list()).find((p: { id: string }) => p.id === id)).toEqual({ id, name: 'QUOKKA renamed', role: 'admin' })
  })

  it('names every table that holds project rows in the erasure', async () => {
    const tables = (await t.db.execute(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'`)).rows.map((r) => String(r.name))
    const withProject: string[] = []
    const withImport: string[] = []
    for (const name of tables) {
      const columns = (await t.db.execute(`PRAGMA table_info("${name}")`)).rows.map((r) => String(r.name))
      if (columns.includes('project_id') && name !== 'imports') withProject.push(name)
      else if (columns.includes('import_id')) withImport.push(name)
    }
    expect([...PROJECT_TABLES].sort()).toEqual(withProject.sort())
    expect([...IMPORT_TABLES].sort()).toEqual(withImport.sort())
  })

  it('deletes only with the name typed, only for a signed-in admin, and then leaves no row of it anywhere', async () => {
    const other = await snapshotProject(t.db, t.boot.projectId)
    const before = await everything()
    expect(before.filter((row) => row.includes(id) || row.includes('QUOKKA')).length).toBeGreaterThan(20)
    const del = (caller: Caller, confirm: string) => http.send('DELETE', `/api/projects/${id}`, { caller, json: { confirm } })
    expect(await del({ cookie: admin }, 'Doomed QUOKKA')).toMatchObject({ status: 400, code: 'name_mismatch', text: expect.stringContaining('"field":"confirm"') })
    expect(await del({ cookie: admin }, 'quokka renamed')).toMatchObject({ status: 400, code: 'name_mismatch' })
    expect(await del({ cookie: editor }, 'QUOKKA renamed')).toMatchObject({ status: 403, code: 'forbidden' })
    expect(await del({ bearer: keys.secretKey }, 'QUOKKA renamed')).toMatchObject({ status: 403, code: 'account_only' })
    expect(await everything()).toEqual(before)

    expect((await del({ cookie: admin }, 'QUOKKA renamed')).status).toBe(204)
    expect((await everything()).filter((row) => row.includes(id) || row.includes('QUOKKA'))).toEqual([])
    // Only the editor's account and its sign-in stay (an account is not a project's); it is in no project now.
    const rest = (await everything()).filter((row) => /quokka/i.test(row))
    expect(rest.filter((row) => !/^(accounts|sessions): .*(editor@quokka\.example|acc_editor_quokka_example)/.test(row))).toEqual([])
    expect(await snapshotProject(t.db, t.boot.projectId)).toEqual(other)

    // Its keys and tokens fail at once.
    expect(await http.send('POST', '/v1/track', { origin: null, json: { writeKey: keys.writeKey, userId: 'back', event: 'x' } })).toMatchObject({ status: 401, code: 'invalid_write_key' })
    expect(await http.send('POST', '/v1/track', { origin: null, json: { writeKey: keys.token, userId: 'back', event: 'x' } })).toMatchObject({ status: 401 })
    expect(await http.send('GET', `/api/projects/${id}/users`, { caller: { bearer: keys.secretKey } })).toMatchObject({ status: 403 })
    expect(await http.send('GET', `/api/projects/${id}/users`, { caller: { cookie: admin } })).toMatchObject({ status: 403 })
    expect(JSON.parse((await http.send('GET', '/api/projects', { caller: { cookie: editor } })).text).projects).toEqual([])
    expect((await everything()).filter((row) => row.includes(id))).toEqual([])
  })
})
