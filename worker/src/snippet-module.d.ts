// The built snippet the Worker imports (dist/snippet-module.json, written by
// scripts/build-snippet.mjs): typed here so the Worker typechecks before the first build.
declare module '*/snippet-module.json' {
  const snippet: { script: string; stub: string; hash: string }
  export default snippet
}
