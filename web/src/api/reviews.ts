// Review groups and their filings (附件1): /api/v1/review-groups, /units/{id}/filings, /filings/{id}.
import { API_BASE, http, listQuery } from './http'
import type { Filing, FilingInput, Id, ListQuery, Page, ReviewGroup } from './types'

export const reviewGroups = (q: ListQuery = {}) => http.get<Page<ReviewGroup>>('/review-groups', listQuery(q))
export const unitFilings = (unitId: Id) => http.get<{ items: Filing[] }>(`/units/${unitId}/filings`)
export const createFiling = (unitId: Id, f: FilingInput) => http.post<Filing>(`/units/${unitId}/filings`, f)
export const getFiling = (id: Id) => http.get<Filing>(`/filings/${id}`)
export const filingPdfUrl = (id: Id) => `${API_BASE}/filings/${id}/pdf`
