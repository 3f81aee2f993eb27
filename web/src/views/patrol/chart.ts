// Data of the availability chart: probes as [time ms, response ms, note] points, the successful
// ones for the line and the failed ones for the red points.
import type { PatrolProbe } from '@/api/patrolTypes'

export type ProbePoint = [number, number, string]

export function probeSeries(probes: PatrolProbe[]): { ok: ProbePoint[]; failed: ProbePoint[] } {
  const ok: ProbePoint[] = []
  const failed: ProbePoint[] = []
  for (const p of probes) {
    const t = Date.parse(p.at)
    if (Number.isNaN(t)) continue
    if (p.ok) ok.push([t, p.ms, p.status ? `HTTP ${p.status}` : ''])
    else failed.push([t, p.ms, p.error || (p.status ? `HTTP ${p.status}` : '未能打开')])
  }
  return { ok, failed }
}
