export const STUB_SRC: string
export const STUB_KEY: string
export interface SnippetBuild { version: string; hash: string; script: { min: number; gzip: number }; stub: { min: number; gzip: number } }
export const BUDGET: { scriptGzip: number; scriptGzipGoal: number; stubMin: number }
export function sampleStub(stub: string): string
export function sizes(text: string): { min: number; gzip: number }
export function buildSnippet(outdir?: string): Promise<SnippetBuild>
