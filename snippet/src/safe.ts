/** Wraps a function so that nothing it does can throw into the host page. */
export const safe = <F extends (...args: any[]) => any>(f: F) =>
  ((...args: any[]) => {
    try {
      return f(...args)
    } catch (e) { /* never the page's problem */ }
  }) as F
