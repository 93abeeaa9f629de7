/**
 * The names an export's columns go by, shared with the dashboard's column picker (which
 * imports this file, so it holds names only: no SQL, no imports).
 */
export const NATIVE_COLUMNS = [
  'id', 'userId', 'anonymousId', 'email', 'name', 'status', 'createdAt', 'firstSeen', 'lastSeen',
  'sessions', 'eventsCount', 'experiencesSeen', 'enteredAt',
] as const
export type NativeColumn = (typeof NATIVE_COLUMNS)[number]

/** Custom attributes are `attributes.<key>`. */
export const ATTRIBUTE_PREFIX = 'attributes.'

/** Without a choice: who they are and when they were last active, then every declared attribute. */
export const DEFAULT_NATIVE: readonly NativeColumn[] = ['userId', 'email', 'name', 'lastSeen']

export type ExportFormat = 'csv' | 'parquet'
