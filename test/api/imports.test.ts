import Papa from 'papaparse'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { directWriter } from '../../worker/src/ingest/writer.js'
import { IMPORT_ABANDONED_MS, runScheduled } from '../../worker/src/scheduled.js'
import { testApp } from '../helpers/test-app.js'

/** The imports API over a real libSQL file, through both writers (Node group commit, Workers batch). */
for (const writer of ['group', 'direct'] as const) {
  describe(`imports (${writer} writer)`, () => {
    let t: Awaited<ReturnType<typeof testApp>>
    const auth = () => ({ authorization: `Bearer ${t.secretKey}` })
    const api = (path: string, init: RequestInit = {}) =>
      t.app.request(`/api/projects/${t.boot.projectId}${path}`, { ...init, headers: { 'content-type': 'application/json', ...auth(), ...(init.headers as Record<string, string>) } })
    const json = async (r: Response | Promise<Response>) => {
      const res = await r
      return { status: res.status, body: await res.json() as any }
    }
    const postCsv = (csv: string | ReadableStream<Uint8Array>, query = '') =>
      json(api(`/imports?${query}`, { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' }, ...(typeof csv === 'string' ? {} : { duplex: 'half' }) } as RequestInit))
    const users = async () => (await t.db.execute('SELECT id, user_id, email, name, attributes, attribute_meta, updated_at FROM users ORDER BY id')).rows.map((r) => ({
      id: Number(r.id), user_id: r.user_id, email: r.email, name: r.name, updated_at: Number(r.updated_at),
      attributes: JSON.parse(String(r.attributes)), attribute_meta: JSON.parse(String(r.attribute_meta)),
    }))
    const byEmail = async (email: string) => (await users()).find((u) => u.email === email)!
    const errorsOf = async (id: number) => {
      const res = await api(`/imports/${id}/errors.csv`)
      expect(res.headers.get('content-type')).toContain('text/csv')
      return Papa.parse<Record<string, string>>((await res.text()).trim(), { header: true }).data
    }

    beforeEach(async () => {
      t = await testApp({ writer })
    })
    afterEach(() => t.dispose())

    it('imports a file posted as the body: BOM, CRLF, ; delimiter, quoted newlines, types detected, source Import', async () => {
      const csv = '\ufeffEmail;Full name;Plan;Seats;Beta;Signup date;Tags\r\n' +
        'ann@acme.io;"Ann ""The Boss"" Lee";pro;12;yes;2024-03-01;vip, early\r\n' +
        'bob@globex.com;"Bob\r\nSmith";free;1;no;2024-05-20T09:30:00Z;\r\n' +
        '\r\n' +
        'cat@acme.io;Cat;pro;3;yes;2023-12-31;vip\r\n'
      const r = await postCsv(csv, 'name=First%20import&segmentName=Imported%20March')
      expect(r.status).toBe(201)
      expect(r.body).toMatchObject({ name: 'First import', status: 'done', match: 'email', rowsTotal: 3, created: 3, updated: 0, unchanged: 0, skipped: 0, errorCount: 0 })
      expect(r.body.columns).toEqual([
        { header: 'Email', target: 'email' }, { header: 'Full name', target: 'name' },
        { header: 'Plan', target: 'attribute', key: 'plan', type: 'string' }, { header: 'Seats', target: 'attribute', key: 'seats', type: 'number' },
        { header: 'Beta', target: 'attribute', key: 'beta', type: 'boolean' }, { header: 'Signup date', target: 'attribute', key: 'signup_date', type: 'date' },
        { header: 'Tags', target: 'tag' },
      ])
      const ann = await byEmail('ann@acme.io')
      expect(ann).toMatchObject({ name: 'Ann "The Boss" Lee', user_id: null, attributes: { plan: 'pro', seats: 12, beta: true, signup_date: '2024-03-01' } })
      expect(ann.attribute_meta.plan).toEqual({ s: 'Import', t: t.clock.get() })
      expect(ann.attribute_meta.email.s).toBe('Import')
      expect((await byEmail('bob@globex.com')).name).toBe('Bob\r\nSmith')
      const tags = (await t.db.execute(`SELECT u.email, g.name FROM user_tags ut JOIN tags g ON g.id = ut.tag_id JOIN users u ON u.id = ut.user_pk ORDER BY 1, 2`)).rows.map((x) => `${x.email}:${x.name}`)
      expect(tags).toEqual(['ann@acme.io:early', 'ann@acme.io:vip', 'cat@acme.io:vip'])
      // F-62: the static segment holds exactly the imported users.
      const seg = await json(api(`/segments/${r.body.segment.id}/members`))
      expect(r.body.segment.name).toBe('Imported March')
      expect(seg.body.members.map((m: any) => m.email).sort()).toEqual(['ann@acme.io', 'bob@globex.com', 'cat@acme.io'])
      expect((await json(api(`/segments/${r.body.segment.id}`))).body).toMatchObject({ kind: 'static', memberCount: 3 })
      // The history lists it.
      expect((await json(api('/imports'))).body.imports.map((i: any) => [i.name, i.status])).toEqual([['First import', 'done']])
    })

    it('re-running the same file changes nothing more, and blank cells never erase', async () => {
      const csv = 'user_id,email,plan,seats\nu1,a@x.io,pro,5\nu2,b@x.io,free,\n'
      await postCsv(csv)
      const before = await users()
      t.clock.advance(60_000)
      const again = await postCsv(csv)
      expect(again.body).toMatchObject({ match: 'userId', rowsTotal: 2, created: 0, updated: 0, unchanged: 2, skipped: 0 })
      expect(await users()).toEqual(before)
      // A later file with blanks leaves the stored values; a changed value counts as updated.
      t.clock.advance(60_000)
      const partial = await postCsv('user_id,email,plan,seats\nu1,,,6\nu2,,,\n')
      expect(partial.body).toMatchObject({ created: 0, updated: 1, unchanged: 1 })
      const after = await users()
      expect(after[0]).toMatchObject({ email: 'a@x.io', attributes: { plan: 'pro', seats: 6 } })
      expect(after[0].attribute_meta.seats.t).toBe(t.clock.get())
      expect(after[1]).toEqual(before[1])
    })

    it('matches by user id through aliases, or by email; the switches skip with reasons', async () => {
      await t.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ writeKey: t.boot.writeKey, batch: [
        { type: 'identify', userId: 'old-id', traits: { email: 'zed@x.io', plan: 'free' } },
        { type: 'alias', previousId: 'old-id', userId: 'new-id' },
      ] }) })
      const zed = await byEmail('zed@x.io')
      const byId = await postCsv('user_id,plan\nold-id,pro\nnobody,pro\n', 'createNew=false')
      expect(byId.body).toMatchObject({ created: 0, updated: 1, skipped: 1 })
      expect(await byEmail('zed@x.io')).toMatchObject({ id: zed.id, attributes: { plan: 'pro' } })
      expect(await errorsOf(byId.body.id)).toEqual([{ row: '3', column: 'user_id', code: 'no_match', reason: 'no user matches it, and creating new users is off', value: 'nobody' }])

      const noUpdate = await postCsv('email,plan\nzed@x.io,team\nnew@x.io,team\n', 'updateExisting=false')
      expect(noUpdate.body).toMatchObject({ match: 'email', created: 1, updated: 0, skipped: 1 })
      expect((await byEmail('zed@x.io')).attributes.plan).toBe('pro')
      expect((await errorsOf(noUpdate.body.id)).map((e) => e.code)).toEqual(['exists'])

      // By email with a user id: the id fills an empty one, but never takes another user's.
      const ids = await postCsv('email,user_id\nnew@x.io,fresh-id\nzed@x.io,someone-else\nother@x.io,new-id\n', 'match=email')
      expect(ids.body).toMatchObject({ created: 0, updated: 1, skipped: 2 })
      expect((await byEmail('new@x.io')).user_id).toBe('fresh-id')
      expect((await errorsOf(ids.body.id)).map((e) => [e.row, e.code, e.value])).toEqual([['3', 'user_id_conflict', 'someone-else'], ['4', 'user_id_taken', 'new-id']])
      expect((await users()).filter((u) => u.email === 'other@x.io')).toEqual([])
    })

    it('reports every row error by row, column and reason, keeps the good rows, and neutralises the report', async () => {
      const long = 'x'.repeat(8193)
      const csv = [
        'email,user_id,n,flag,day,tags',
        'ok@x.io,,1,true,2024-01-01,a',
        'nope,,1,true,2024-01-01,',
        'b@x.io,,ten,true,2024-01-01,',
        'c@x.io,,1,maybe,2024-01-01,',
        'd@x.io,,1,true,01/02/2024,',
        ',,1,true,2024-01-01,',
        'e@x.io,undefined,1,true,2024-01-01,',
        'f@x.io,,1,true,2024-01-01,,extra',
        `g@x.io,,1,true,2024-01-01,${'t'.repeat(101)}`,
        `h@x.io,,${long},true,2024-01-01,`,
        'i@x.io,,=HYPERLINK("http://evil"),true,2024-01-01,',
        'j@x.io,,"2,5",true,2024-01-01,"bad"quote',
      ].join('\n')
      const columns = [
        { header: 'email', target: 'email' }, { header: 'user_id', target: 'userId' }, { header: 'n', target: 'attribute', key: 'n', type: 'number' },
        { header: 'flag', target: 'attribute', key: 'flag', type: 'boolean' }, { header: 'day', target: 'attribute', key: 'day', type: 'date' }, { header: 'tags', target: 'tag' },
      ]
      const r = await postCsv(csv, `match=email&columns=${encodeURIComponent(JSON.stringify(columns))}`)
      expect(r.body).toMatchObject({ status: 'done', rowsTotal: 12, created: 1, skipped: 11, errorCount: 11 })
      const errors = await errorsOf(r.body.id)
      expect(errors.map((e) => [e.row, e.column, e.code])).toEqual([
        ['3', 'email', 'invalid_email'], ['4', 'n', 'invalid_number'], ['5', 'flag', 'invalid_boolean'], ['6', 'day', 'invalid_date'],
        ['7', '', 'missing_key'], ['8', 'user_id', 'invalid_user_id'], ['9', '', 'wrong_column_count'], ['10', 'tags', 'invalid_tag'],
        ['11', 'n', 'value_too_long'], ['12', 'n', 'invalid_number'], ['13', '', 'csv_syntax'],
      ])
      expect(errors.find((e) => e.row === '12')!.value).toBe(`'=HYPERLINK("http://evil")`)
      expect((await users()).map((u) => u.email)).toEqual(['ok@x.io'])
    })

    it('refuses a bad mapping with the field, and a type that disagrees with a declared attribute', async () => {
      await t.db.execute({ sql: `INSERT INTO attribute_definitions (project_id, key, type, created_at) VALUES (?, 'plan', 'string', 0)`, args: [t.boot.projectId] })
      const base = { name: 'x', match: 'email', columns: [{ header: 'e', target: 'email' }, { header: 'p', target: 'attribute', key: 'plan', type: 'number' }] }
      expect(await json(api('/imports', { method: 'POST', body: JSON.stringify(base) }))).toMatchObject({ status: 400, body: { error: { code: 'type_mismatch', field: 'columns.1.type' } } })
      expect(await json(api('/imports', { method: 'POST', body: JSON.stringify({ ...base, match: 'userId' }) }))).toMatchObject({ status: 400, body: { error: { code: 'missing_match_column', field: 'columns' } } })
      expect(await json(api('/imports', { method: 'POST', body: JSON.stringify({ ...base, columns: [{ header: 'e', target: 'email' }, { header: 'f', target: 'email' }] }) }))).toMatchObject({ status: 400, body: { error: { code: 'duplicate_column', field: 'columns.1' } } })
      expect(await json(api('/imports', { method: 'POST', body: JSON.stringify({ ...base, columns: [{ header: 'e', target: 'email' }, { header: 'p', target: 'attribute', key: '1 bad' }] }) }))).toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: 'columns.1.key' } } })
      expect(await postCsv('')).toMatchObject({ status: 400, body: { error: { code: 'empty_file' } } })
      expect(await postCsv('email,plan\na@x.io,pro\n', `columns=${encodeURIComponent('[{"header":"email","target":"email"}]')}`)).toMatchObject({ status: 400, body: { error: { code: 'column_count', field: 'columns' } } })
    })

    it('applies rows sharing a key in order, within one chunk and across chunks', async () => {
      const r = await postCsv('email,plan,seats\nd@x.io,free,1\nd@x.io,pro,\nd@x.io,,9\ne@x.io,team,2\n', 'chunkRows=2')
      expect(r.body).toMatchObject({ rowsTotal: 4, created: 2, updated: 2, unchanged: 0 })
      expect((await users()).map((u) => [u.email, u.attributes])).toEqual([['d@x.io', { plan: 'pro', seats: 9 }], ['e@x.io', { plan: 'team', seats: 2 }]])
    })

    it('the dashboard path: chunks by number, a retried chunk counts once, another content for it is a conflict', async () => {
      const created = await json(api('/imports', { method: 'POST', body: JSON.stringify({ name: 'UI', match: 'userId', columns: [{ header: 'id', target: 'userId' }, { header: 'plan', target: 'attribute', key: 'plan', type: 'string' }], segmentName: 'From UI' }) }))
      expect(created).toMatchObject({ status: 201, body: { status: 'draft', rowsTotal: 0 } })
      const id = created.body.id
      const put = (seq: number, rows: string[][], firstRow: number) => json(api(`/imports/${id}/chunks/${seq}`, { method: 'PUT', body: JSON.stringify({ rows, firstRow }) }))
      const first = await put(0, [['a', 'pro'], ['b', 'free']], 2)
      expect(first).toMatchObject({ status: 200, body: { chunk: { seq: 0, rows: 2, created: 2 }, import: { status: 'running', created: 2 } } })
      expect(await put(0, [['a', 'pro'], ['b', 'free']], 2)).toMatchObject({ status: 200, body: { chunk: { seq: 0, created: 2 }, import: { rowsTotal: 2, created: 2 } } })
      expect(await put(0, [['a', 'team'], ['b', 'free']], 2)).toMatchObject({ status: 409, body: { error: { code: 'chunk_conflict' } } })
      await put(1, [['c', 'pro']], 4)
      expect((await json(api(`/imports/${id}`))).body.committedChunks).toEqual([0, 1])
      const done = await json(api(`/imports/${id}/finish`, { method: 'POST', body: '{}' }))
      expect(done.body).toMatchObject({ status: 'done', rowsTotal: 3, created: 3, segment: { name: 'From UI' } })
      expect((await json(api(`/segments/${done.body.segment.id}`))).body.memberCount).toBe(3)
      expect(await put(2, [['d', 'pro']], 5)).toMatchObject({ status: 409, body: { error: { code: 'import_finished' } } })
      expect((await users()).map((u) => u.user_id)).toEqual(['a', 'b', 'c'])
    })

    it('a failure mid-file keeps the committed chunks, and the same file resumes it without duplicates', async () => {
      const lines = ['email,n']
      for (let i = 0; i < 50; i++) lines.push(`user${i}@x.io,${i}`)
      const file = new TextEncoder().encode(lines.join('\n') + '\n')
      const cut = file.indexOf(10, Math.floor(file.length * 0.6)) + 1
      let sent = false
      const broken = new ReadableStream<Uint8Array>({
        pull(c) {
          if (!sent) { sent = true; return c.enqueue(file.slice(0, cut)) }
          c.error(new Error('connection reset'))
        },
      })
      const failed = await postCsv(broken, 'chunkRows=10&name=Flaky')
      expect(failed).toMatchObject({ status: 400, body: { error: { code: 'upload_failed' } } })
      const [imp] = (await json(api('/imports'))).body.imports
      expect(imp).toMatchObject({ name: 'Flaky', status: 'failed' })
      expect(imp.failure).toContain('connection reset')
      const kept = imp.created
      expect(kept).toBeGreaterThanOrEqual(10)
      expect(kept % 10).toBe(0)
      expect((await users()).length).toBe(kept)

      const resumed = await json(api(`/imports/${imp.id}/csv`, { method: 'PUT', body: file, headers: { 'content-type': 'text/csv' } }))
      expect(resumed.body).toMatchObject({ status: 'done', rowsTotal: 50, created: 50, updated: 0, unchanged: 0, failure: null })
      const all = await users()
      expect(all.length).toBe(50)
      expect(new Set(all.map((u) => u.email)).size).toBe(50)
      expect(all.find((u) => u.email === 'user49@x.io')!.attributes).toEqual({ n: 49 })

      const other = new TextEncoder().encode('email,n\nsomeone@x.io,1\n')
      expect(await json(api(`/imports/${imp.id}/csv`, { method: 'PUT', body: other, headers: { 'content-type': 'text/csv' } }))).toMatchObject({ status: 409, body: { error: { code: 'import_finished' } } })
    })

    it('dynamic segments follow imported values in the same transaction', async () => {
      const seg = await json(api('/segments', { method: 'POST', body: JSON.stringify({ name: 'Pro', conditions: { version: 1, root: { type: 'group', logic: 'and', conditions: [{ type: 'attribute', key: 'plan', operator: 'is', value: 'pro' }] } } }) }))
      await postCsv('email,plan\na@x.io,pro\nb@x.io,free\n')
      expect((await json(api(`/segments/${seg.body.id}/members`))).body.members.map((m: any) => m.email)).toEqual(['a@x.io'])
      await postCsv('email,plan\na@x.io,free\nb@x.io,pro\n')
      expect((await json(api(`/segments/${seg.body.id}/members`))).body.members.map((m: any) => m.email)).toEqual(['b@x.io'])
      expect((await json(api(`/segments/${seg.body.id}`))).body.memberCount).toBe(1)
    })

    it('the schedule marks an abandoned import Failed, and the same file still finishes it', async () => {
      const done = await postCsv('email\na@x.io\n')
      const open = await json(api('/imports', { method: 'POST', body: JSON.stringify({ name: 'Left open', match: 'email', columns: [{ header: 'email', target: 'email' }] }) }))
      await json(api(`/imports/${open.body.id}/chunks/0`, { method: 'PUT', body: JSON.stringify({ rows: [['b@x.io']] }) }))
      t.clock.advance(IMPORT_ABANDONED_MS - 1)
      expect((await runScheduled(t.db, directWriter(t.db), t.clock.get())).importsAbandoned).toBe(0)
      t.clock.advance(1)
      expect((await runScheduled(t.db, directWriter(t.db), t.clock.get())).importsAbandoned).toBe(1)
      const list = (await json(api('/imports'))).body.imports
      expect(list.find((i: any) => i.id === open.body.id)).toMatchObject({ status: 'failed', created: 1 })
      expect(list.find((i: any) => i.id === open.body.id).failure).toContain('abandoned')
      expect(list.find((i: any) => i.id === done.body.id).status).toBe('done')
      const other = await json(api(`/imports/${open.body.id}/csv`, { method: 'PUT', body: 'email\nz@x.io\n', headers: { 'content-type': 'text/csv' } }))
      expect(other).toMatchObject({ status: 409, body: { error: { code: 'chunk_conflict' } } })
      const resumed = await json(api(`/imports/${open.body.id}/csv`, { method: 'PUT', body: 'email\nb@x.io\n', headers: { 'content-type': 'text/csv' } }))
      expect(resumed.body).toMatchObject({ status: 'done', rowsTotal: 1, created: 1, failure: null })
    })

    it('a chunk carries the rows the browser could not parse: recorded as csv_syntax, not stored', async () => {
      const open = await json(api('/imports', { method: 'POST', body: JSON.stringify({ name: 'UI', match: 'email', columns: [{ header: 'email', target: 'email' }] }) }))
      const r = await json(api(`/imports/${open.body.id}/chunks/0`, { method: 'PUT', body: JSON.stringify({ rows: [['a@x.io'], ['b@x.io"oops']], rowNumbers: [2, 3], syntaxErrors: [{ row: 3, reason: 'Quoted field unterminated' }] }) }))
      expect(r.body.chunk).toMatchObject({ rows: 2, created: 1, skipped: 1 })
      expect((await errorsOf(open.body.id)).map((e) => [e.row, e.code])).toEqual([['3', 'csv_syntax']])
    })

    it('stores NUL and unpaired surrogates in cells as U+FFFD, as the collector does', async () => {
      const r = await postCsv('email,note\na@x.io,bad\u0000cell\ud800end\n')
      expect(r.body).toMatchObject({ created: 1, skipped: 0 })
      expect((await users())[0].attributes).toEqual({ note: 'bad\ufffdcell\ufffdend' })
      // The catalog reads attributes with json_each: it must still answer.
      expect((await api('/catalog')).status).toBe(200)
    })

    it('keeps imports to their project and their roles', async () => {
      const r = await postCsv('email\na@x.io\n')
      expect((await json(t.app.request(`/api/projects/prj_other/imports/${r.body.id}`, { headers: auth() }))).status).toBe(403)
      await t.db.execute({ sql: `UPDATE imports SET project_id = 'prj_other' WHERE id = ?`, args: [r.body.id] })
      expect(await json(api(`/imports/${r.body.id}`))).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
      expect(await json(api(`/imports/${r.body.id}/chunks/0`, { method: 'PUT', body: JSON.stringify({ rows: [['b@x.io']] }) }))).toMatchObject({ status: 404 })
      expect((await json(api('/imports'))).body.imports).toEqual([])
      expect((await json(t.app.request(`/api/projects/${t.boot.projectId}/imports`))).status).toBe(401)
    })
  })
}
