export interface DashboardBuild { hash: string; js: number; css: number }
export function buildDashboard(outdir?: string): Promise<DashboardBuild>
