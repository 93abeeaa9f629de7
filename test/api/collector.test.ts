import { collectorContract, verificationContract, type CollectorTarget } from '../contract/collector-contract.js'
import { segmentWireContract } from '../contract/segment-wire-contract.js'
import { testApp } from '../helpers/test-app.js'

const nodeTarget = async (): Promise<CollectorTarget> => {
  const t = await testApp()
  return {
    fetch: async (path, init) => t.app.request(path, init),
    db: t.db, writeKey: t.boot.writeKey, secretKey: t.secretKey, projectId: t.boot.projectId,
    close: async () => t.dispose(),
  }
}

collectorContract('node', nodeTarget)
verificationContract('node', nodeTarget)
segmentWireContract('node', nodeTarget)
