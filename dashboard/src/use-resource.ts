import { useCallback, useEffect, useRef, useState } from 'preact/hooks'

export interface Resource<T> {
  data: T | undefined
  error: Error | null
  loading: boolean
  /** Loads again, keeping the current data on screen meanwhile. */
  reload: () => void
  /** Replaces the data locally (after a change the server confirmed). */
  set: (data: T) => void
}

/**
 * Loads data for a screen and reloads when `deps` change. Answers that arrive after a newer
 * request started are dropped, so typing fast never shows an older result last.
 */
export function useResource<T>(load: () => Promise<T>, deps: unknown[]): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<Error | null>(null)
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  const seq = useRef(0)

  useEffect(() => {
    const mine = ++seq.current
    setLoading(true)
    load().then(
      (d) => {
        if (mine !== seq.current) return
        setData(d)
        setError(null)
        setLoading(false)
      },
      (e: Error) => {
        if (mine !== seq.current) return
        setError(e)
        setLoading(false)
      },
    )
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick])

  const reload = useCallback(() => setTick((t) => t + 1), [])
  return { data, error, loading, reload, set: setData }
}

/** A value that follows `value` once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value)
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms)
    return () => clearTimeout(t)
  }, [value, ms])
  return v
}
