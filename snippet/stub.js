// The paste-in (F-01): makes `window.jimer` a queue whose methods record calls (and return
// promises the script resolves with the real calls' results), then loads the script with
// the write key as `data-key`. A second copy does nothing; a queue the site made first
// (`window.jimer = []`) is kept. scripts/build-snippet.mjs minifies it to dist/stub.min.js,
// and the server fills in the two strings (fillStub in worker/src/routes/demo.ts).
((w, d, q, s) => {
  q = w.jimer = w.jimer || []
  if (!q.track) {
    'identify track page set reset segments user experience response ready'.split(' ').map((m) => {
      q[m] = (...a) => new Promise((r) => q.push([m, ...a], r))
    })
    s = d.createElement('script')
    s.async = true
    s.src = '__JIMER_SRC__'
    s.dataset.key = '__JIMER_KEY__'
    d.head.appendChild(s)
  }
})(window, document)
