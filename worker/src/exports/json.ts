/** JSON documents too big to build in memory: a small head, then one array written page by page. */
import type { Emit, Encoder } from './stream.js'

/**
 * `{...head, [key]: [items…]}`, the array last so everything before it is written at once.
 * @example jsonEncoder({ profile }, 'events', emit) // → {"profile":{…},"events":[{…},{…}]}
 */
export function jsonEncoder<T>(head: Record<string, unknown>, key: string, emit: Emit): Encoder<T> {
  const utf8 = new TextEncoder()
  const open = JSON.stringify(head)
  emit(utf8.encode(`${open.slice(0, -1)}${open === '{}' ? '' : ','}${JSON.stringify(key)}:[`))
  let first = true
  return {
    rows(items: T[]) {
      if (!items.length) return
      emit(utf8.encode((first ? '' : ',') + items.map((x) => JSON.stringify(x)).join(',')))
      first = false
    },
    end() {
      emit(utf8.encode(']}'))
    },
  }
}
