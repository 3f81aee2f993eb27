// Records of the patrol API (issue 4; /tmp protocol "Office / unit API"): findings of the
// machine patrol, jobs, the per-platform patrol summary and stored evidence.
import type { Id, Timestamp } from './types'

export type PatrolSeverity = 'info' | 'review' | 'block'
export type FindingStatus = 'open' | 'confirmed' | 'dismissed' | 'resolved'
/** "active" = open + confirmed (the server's default). */
export type FindingStatusFilter = FindingStatus | 'active'
export type JobStatus = 'queued' | 'leased' | 'done' | 'failed'
export type JobKind = 'patrol' | 'probe'
export type ColumnKind = 'news' | 'notice' | 'other'

export interface PatrolFinding {
  id: Id
  platform_id: Id
  platform_name: string
  unit_id: Id
  unit_name: string
  category: string
  severity: PatrolSeverity
  url: string
  target: string | null
  line: number
  text: string | null
  message: string
  evidence_sha256: string | null
  screenshot_sha256: string | null
  first_seen_at: Timestamp
  last_seen_at: Timestamp
  times_seen: number
  status: FindingStatus
  handled_by: string | null
  handled_at: Timestamp | null
  handle_note: string | null
  resolved_at: Timestamp | null
}

export interface FindingQuery {
  platform_id?: Id | null
  unit_id?: Id | null
  category?: string
  severity?: PatrolSeverity | ''
  status?: FindingStatusFilter | ''
  search?: string
  page?: number
  page_size?: number
}

export interface JobInfo {
  id: Id
  platform_id: Id
  platform_name?: string
  kind: JobKind
  status: JobStatus
  requested_by: string
  progress_done: number
  progress_total: number
  pages: number
  links: number
  findings: number
  error: string | null
  created_at: Timestamp
  started_at: Timestamp | null
  finished_at: Timestamp | null
}

export interface JobQuery {
  platform_id?: Id | null
  status?: JobStatus | ''
  kind?: JobKind | ''
  page?: number
  page_size?: number
}

export interface PatrolProbe {
  at: Timestamp
  ok: boolean
  status: number
  ms: number
  error: string | null
}

export interface PatrolColumn {
  url: string
  name: string | null
  kind: ColumnKind
  newest: Timestamp | null
  items: number
  stale: boolean
  empty: boolean
}

export interface PlatformPatrol {
  platform: {
    id: Id
    name: string
    type: string
    unit_id: Id
    unit_name: string
    url_or_account: string
    feed_url: string | null
  }
  availability: {
    week_probes: number
    week_failed: number
    week_ratio: number | null
    tls_expires: Timestamp | null
    probes: PatrolProbe[]
  }
  columns: PatrolColumn[]
  last_job: JobInfo | null
  running_job: JobInfo | null
  open_findings: number
  findings_by_category: Record<string, number>
}

export interface EvidenceMeta {
  sha256: string
  kind: 'page' | 'screenshot'
  url: string
  fetched_at: Timestamp
  status: number
  content_type: string | null
  headers: string | null
  size: number
  of: string | null
}
