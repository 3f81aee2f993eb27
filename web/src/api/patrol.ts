// Patrol (issue 4): findings and their handling, per-platform patrol summary, "patrol now" jobs
// and stored evidence. /api/v1/patrol/*, /platforms/{id}/patrol, /evidence/{sha256}.
import { API_BASE, ApiError, buildUrl, http, request, type QueryValue } from './http'
import type { Id, Page } from './types'
import type {
  EvidenceMeta, FindingQuery, JobInfo, JobQuery, PatrolFinding, PlatformPatrol,
} from './patrolTypes'

export type * from './patrolTypes'

function findingQuery(q: FindingQuery): Record<string, QueryValue> {
  return {
    platform_id: q.platform_id,
    unit_id: q.unit_id,
    category: q.category,
    severity: q.severity,
    status: q.status,
    search: q.search,
    page: q.page,
    page_size: q.page_size,
  }
}

export const findings = (q: FindingQuery = {}) => http.get<Page<PatrolFinding>>('/patrol/findings', findingQuery(q))

/** Confirms or dismisses a finding; a dismissal needs a note (the server answers 400 field note). */
export const handleFinding = (id: Id, status: 'confirmed' | 'dismissed', note: string) =>
  http.post<PatrolFinding>(`/patrol/findings/${id}/handle`, { status, note })

export const platformPatrol = (platformId: Id) => http.get<PlatformPatrol>(`/platforms/${platformId}/patrol`)

/**
 * "Patrol now". Silent: a 409 (a patrol of this platform is already queued or running) is not an
 * error for the user — the caller follows that job instead (see followOrStart in views/patrol/poll).
 */
export const startPatrol = (platformId: Id) =>
  http.post<{ job: JobInfo }>(`/platforms/${platformId}/patrol`, {}, { silent: true })

export const job = (id: Id) => http.get<JobInfo>(`/patrol/jobs/${id}`, undefined, { silent: true })

export const jobs = (q: JobQuery = {}) =>
  http.get<Page<JobInfo>>('/patrol/jobs', {
    platform_id: q.platform_id, status: q.status, kind: q.kind, page: q.page, page_size: q.page_size,
  })

/** The latest patrol's home page becomes the accepted baseline (after a legitimate redesign). */
export const acceptBaseline = (platformId: Id) => http.post<unknown>(`/platforms/${platformId}/patrol/baseline`, {})

/**
 * An export of an account's posts (CSV, XLSX or JSON) for a platform without a feed: queued as a
 * patrol job that a worker parses and judges like a feed. Silent: the caller shows 409 (the same
 * file again, or a patrol already running) in its own words.
 */
export const importPosts = (platformId: Id, file: File) =>
  request<{ job: JobInfo }>('POST', `/platforms/${platformId}/posts`, {
    raw: file,
    contentType: file.name.toLowerCase().endsWith('.xlsx')
      ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
      : file.name.toLowerCase().endsWith('.json') ? 'application/json' : 'text/csv',
    query: { filename: file.name },
    silent: true,
  })

export const setFeed = (platformId: Id, feedUrl: string | null) =>
  http.put<unknown>(`/platforms/${platformId}/feed`, { feed_url: feedUrl })

export const evidenceMeta = (sha: string) => http.get<EvidenceMeta>(`/evidence/${sha}/meta`, undefined, { silent: true })

/** The address of the raw evidence bytes (used as an <img> src for screenshots). */
export const evidenceUrl = (sha: string) => `${API_BASE}/evidence/${encodeURIComponent(sha)}`

/** The charset named by a Content-Type ("text/html; charset=GBK" → "gbk"), or null. */
export function charsetOf(contentType: string | null | undefined): string | null {
  if (!contentType) return null
  const m = /charset\s*=\s*"?([A-Za-z0-9._-]+)"?/i.exec(contentType)
  return m ? m[1].toLowerCase() : null
}

/**
 * Decodes a page's raw bytes: the charset its own response named, else UTF-8 when the bytes are
 * valid UTF-8, else GB18030 (a superset of GBK/GB2312, common on government sites).
 */
export function decodePage(bytes: Uint8Array, contentType?: string | null): string {
  const named = charsetOf(contentType)
  if (named) {
    try {
      return new TextDecoder(named).decode(bytes)
    } catch {
      /* an unknown label: guess below */
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    try {
      return new TextDecoder('gb18030').decode(bytes)
    } catch {
      return new TextDecoder('utf-8').decode(bytes)
    }
  }
}

/**
 * The raw text of a stored page. Fetched as bytes and returned as a string: the caller shows it
 * as text (never as HTML). Errors become ApiError with a Chinese message.
 */
export async function evidenceText(sha: string, contentType?: string | null): Promise<string> {
  let res: Response
  try {
    res = await fetch(buildUrl(`/evidence/${encodeURIComponent(sha)}`), { credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试')
  }
  if (!res.ok) {
    let message = res.status === 404 ? '证据不存在或无权查看' : `读取证据失败（HTTP ${res.status}）`
    let code = res.status === 404 ? 'not_found' : 'http'
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } }
      if (body?.error?.message) message = body.error.message
      if (body?.error?.code) code = body.error.code
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, code, message)
  }
  return decodePage(new Uint8Array(await res.arrayBuffer()), contentType)
}

/** The office's patrol settings (GET/PUT /settings/patrol). */
export interface PatrolSettings {
  daily_time: string
  unreviewed_since: string | null
  lease_seconds: number
  thresholds: Record<string, number>
}

export const patrolSettings = () => http.get<PatrolSettings>('/settings/patrol')

/** Saves any subset; the server checks every value first and names the bad field (400). */
export const savePatrolSettings = (s: Partial<PatrolSettings>) => http.put<PatrolSettings>('/settings/patrol', s)
