// What the builder offers in its menus: attributes and events seen in the project (the
// catalog), tags and saved segments. Loaded once per builder; a missing catalog (older
// server) leaves free typing, which always works.
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { AttrType, Catalog, Segment, Tag } from '../../api-types'
import { useApi, versions } from '../../session'
import { EMPTY_CATALOG } from '../../use-catalog'
import { useResource } from '../../use-resource'
import { ApiError } from '../../api'

export interface BuilderData {
  catalog: Catalog
  tags: Tag[]
  segments: Segment[]
  /** The segment being edited: it cannot be a condition of itself. */
  selfId?: number
  readOnly?: boolean
}

export const BuilderDataContext = createContext<BuilderData>({ catalog: EMPTY_CATALOG, tags: [], segments: [] })
export const useBuilderData = () => useContext(BuilderDataContext)

export function useLoadBuilderData() {
  const api = useApi()
  return useResource(async () => {
    const [catalog, tags, segments] = await Promise.all([
      api.catalog().catch((e) => (e instanceof ApiError && e.status === 404 ? EMPTY_CATALOG : Promise.reject(e))),
      api.tags(),
      api.segments(),
    ])
    return { catalog, tags: tags.tags, segments: segments.segments }
  }, [api, versions.tags.value, versions.segments.value, versions.catalog.value])
}

/** A custom attribute's type as the catalog knows it; undefined when it does not. */
export function attributeType(data: BuilderData, key: string): AttrType | undefined {
  return data.catalog.attributes.find((a) => a.key === key)?.type
}
