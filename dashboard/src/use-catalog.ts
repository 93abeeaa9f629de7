import { ApiError } from './api'
import type { Catalog } from './api-types'
import { useApi, versions } from './session'
import { useResource } from './use-resource'

export const EMPTY_CATALOG: Catalog = { attributes: [], events: [], experiences: [] }

/** The project's known attributes, events and experiences; empty when the server has no catalog. */
export function useCatalog() {
  const api = useApi()
  return useResource(
    () => api.catalog().catch((e) => (e instanceof ApiError && e.status === 404 ? EMPTY_CATALOG : Promise.reject(e))),
    [api, versions.catalog.value],
  )
}
