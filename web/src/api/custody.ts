// Account custody and handover (Art. 17): /api/v1/custody, /platforms/{id}/custody, /handovers.
import { http, listQuery } from './http'
import type { Custody, Handover, Id, ListQuery, Page, Secret } from './types'

export const custodyList = (q: ListQuery = {}) => http.get<Page<Custody>>('/custody', listQuery(q))
export const setCustody = (platformId: Id, s: Secret) => http.put<void>(`/platforms/${platformId}/custody`, s)
export const revealCustody = (platformId: Id) => http.post<Secret>(`/platforms/${platformId}/custody/reveal`)
export const startHandover = (platformId: Id, to_person_id: Id, note: string) =>
  http.post<Handover>(`/platforms/${platformId}/handovers`, { to_person_id, note })
export const handovers = (q: ListQuery & { status?: string } = {}) =>
  http.get<Page<Handover>>('/handovers', { ...listQuery(q), status: q.status })
export const confirmHandover = (id: Id) => http.post<Handover>(`/handovers/${id}/confirm`)
