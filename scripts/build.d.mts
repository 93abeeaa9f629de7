export function buildWorker(outfile?: string): Promise<string>
export function buildAll(): Promise<void>
