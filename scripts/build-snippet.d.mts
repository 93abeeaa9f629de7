export const STUB_SRC: string
export const STUB_KEY: string
export interface SnippetBuild { version: string; hash: string; script: { min: number; gzip: number }; stub: { min: number; gzip: number } }
export function sizes(text: string): { min: number; gzip: number }
export function buildSnippet(outdir?: string): Promise<SnippetBuild>
