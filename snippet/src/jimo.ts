// Jimo compatibility: sites already calling `window.jimo.push([...])` keep working unchanged.
import { identify, reset } from './calls.js'

/**
 * Runs one Jimo-style call on the Jimer API:
 * - `["do", "identify", [userId, callback?]]` → identify(userId), then the callback
 * - `["set", "user:id" | "user:email" | "user:name", [value]]` → identify / set({email | name})
 * - `["set", "user:attributes", [attributes, {removeUnspecified}?]]` → set(attributes); with
 *   removeUnspecified, also unsets the custom attributes this browser set before and left out
 *   (attributes set by imports, the dashboard or other devices are kept)
 * - `["do", "session:reset", []]` → reset()
 * Other calls are ignored.
 */
export const runJimo = ([verb, name, args = []]: [string, string, any[]?]): void => {
  name = verb + ' ' + name
  name === 'do identify'
    ? (identify(args[0]), args[1] && args[1]())
    : name === 'do session:reset'
      ? reset()
      : name === 'set user:attributes'
        ? identify(0, args[0], 0 as never, (args[1] || 0).removeUnspecified)
        : name === 'set user:id'
          ? identify(args[0])
          : /^set user:/.test(name) && identify(0, { [name.slice(9)]: args[0] })
}
