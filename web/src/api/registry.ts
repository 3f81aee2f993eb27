// Units, people and platforms: /api/v1/units, /people, /platforms.
import { http, listQuery, request } from './http'
import type { Id, ListQuery, Page, Person, PersonInput, Platform, PlatformInput, Unit, UnitInput } from './types'

export const units = {
  list: (q: ListQuery = {}) => http.get<Page<Unit>>('/units', listQuery(q)),
  get: (id: Id) => http.get<Unit>(`/units/${id}`),
  create: (u: UnitInput) => http.post<Unit>('/units', u),
  update: (id: Id, u: UnitInput) => http.put<Unit>(`/units/${id}`, u),
  retire: (id: Id) => http.post<Unit>(`/units/${id}/retire`),
}

export const people = {
  list: (q: ListQuery = {}) => http.get<Page<Person>>('/people', listQuery(q)),
  get: (id: Id) => http.get<Person>(`/people/${id}`),
  create: (p: PersonInput) => http.post<Person>('/people', p),
  update: (id: Id, p: PersonInput) => http.put<Person>(`/people/${id}`, p),
  leave: (id: Id) => http.post<Person>(`/people/${id}/leave`),
}

export const platforms = {
  list: (q: ListQuery = {}) => http.get<Page<Platform>>('/platforms', listQuery(q)),
  get: (id: Id) => http.get<Platform>(`/platforms/${id}`),
  create: (p: PlatformInput) => http.post<Platform>('/platforms', p),
  update: (id: Id, p: PlatformInput) => http.put<Platform>(`/platforms/${id}`, p),
  close: (id: Id) => http.post<Platform>(`/platforms/${id}/close`),
}

export type ImportKind = 'units' | 'people' | 'platforms'
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
/** Uploads a roster (CSV or XLSX); dry_run checks only. Bad rows answer 422 with error.rows. */
export const importRoster = (kind: ImportKind, file: File, dryRun: boolean) =>
  request<{ imported: number; dry_run: boolean }>('POST', `/import/${kind}`, {
    raw: file,
    contentType: file.name.toLowerCase().endsWith('.xlsx') ? XLSX : 'text/csv',
    query: { dry_run: dryRun ? 1 : 0, filename: file.name },
    silent: true,
  })
