import { collectorContract } from '../contract/collector-contract.js'
import { testApp } from '../helpers/test-app.js'

collectorContract('node', async () => {
  const t = await testApp()
  return {
    fetch: async (path, init) => t.app.request(path, init),
    db: t.db, writeKey: t.boot.writeKey, secretKey: t.secretKey, projectId: t.boot.projectId,
    close: async () => t.dispose(),
  }
})
