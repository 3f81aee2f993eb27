// Records of the pubguard HTTP API v1 (docs/api, /api/v1). One shape everywhere.

export type Id = number
/** "YYYY-MM-DDTHH:MM:SSZ" */
export type Timestamp = string

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export interface ListQuery {
  page?: number
  page_size?: number
  search?: string
  unit_id?: Id | null
  include_inactive?: boolean
}

export interface ApiErrorBody {
  error: {
    code: string
    message: string
    field: string | null
    rows?: { row: number; column: string; message: string }[]
  }
}

export type UnitKind = 'town' | 'department' | 'organ' | 'people_org' | 'park' | 'enterprise'

export interface Unit {
  id: Id
  parent_id: Id | null
  parent_name?: string | null
  name: string
  kind: UnitKind
  party_body: string
  principal_head_person_id: Id | null
  active: boolean
  created_at: Timestamp
  updated_at: Timestamp
}
export type UnitInput = Pick<Unit, 'parent_id' | 'name' | 'kind' | 'party_body' | 'principal_head_person_id'>

export type StaffType = 'formal' | 'temporary' | 'public_welfare'

export interface Person {
  id: Id
  unit_id: Id
  unit_name?: string
  name: string
  post: string
  staff_type: StaffType
  phone: string
  active: boolean
  created_at: Timestamp
  updated_at: Timestamp
}
export type PersonInput = Pick<Person, 'unit_id' | 'name' | 'post' | 'staff_type' | 'phone'>

export type PlatformType =
  | 'website'
  | 'wechat'
  | 'weibo'
  | 'app'
  | 'douyin'
  | 'toutiao'
  | 'baijiahao'
  | 'yidian'
  | 'thepaper'
  | 'other'

export interface Platform {
  id: Id
  unit_id: Id
  unit_name?: string
  name: string
  type: PlatformType
  url_or_account: string
  site_code: string
  certified: boolean
  entry_point: string
  manager_person_id: Id | null
  manager_name?: string | null
  active: boolean
  created_at: Timestamp
  updated_at: Timestamp
}
export type PlatformInput = Pick<
  Platform,
  'unit_id' | 'name' | 'type' | 'url_or_account' | 'site_code' | 'certified' | 'entry_point' | 'manager_person_id'
>

export interface User {
  id: Id
  username: string
  display_name: string
  person_id: Id | null
  unit_id: Id | null
  unit_name: string | null
  roles: string[]
  active: boolean
  locked: boolean
  locked_until: Timestamp | null
  must_change_password: boolean
  last_login_at: Timestamp | null
  created_at: Timestamp
}

export interface Me extends User {
  permissions: string[]
}

export interface Session {
  user: Me
  csrf_token: string
}

export interface Role {
  name: string
  label: string
  permissions: string[]
}

export interface Dashboard {
  units: number
  people: number
  platforms: number
  platforms_by_type: Partial<Record<PlatformType, number>>
  platforms_by_status: { open: number; closed: number }
  platforms_by_unit: { unit_id: Id; unit_name: string; count: number }[]
  filings_missing: number
  filings_outdated: number
  custody_flagged: number
  handovers_pending: number
}

export type Duty = 'leader' | 'responsible' | 'liaison' | 'member'

export interface FilingMember {
  duty: Duty
  person_id: Id
  name: string
  post: string
  phone: string
  active: boolean
}

export interface Filing {
  id: Id
  unit_id: Id
  unit_name: string
  group_name: string
  filed_by: string
  filed_at: Timestamp
  note: string
  members: FilingMember[]
}

export interface FilingInput {
  group_name: string
  note: string
  members: { duty: Duty; person_id: Id }[]
}

export type GroupState = 'ok' | 'missing' | 'outdated'

export interface ReviewGroup {
  unit_id: Id
  unit_name: string
  filing_id: Id | null
  filed_at: Timestamp | null
  state: GroupState
  problem: string | null
  members: FilingMember[]
}

export interface Custody {
  platform_id: Id
  platform_name: string
  platform_type: PlatformType
  unit_id: Id
  unit_name: string
  manager_person_id: Id | null
  manager_name: string | null
  manager_active: boolean
  has_secret: boolean
  account: string | null
  set_at: Timestamp | null
  flagged: boolean
  flag_reason: string | null
  pending_handover_id: Id | null
}

export interface Secret {
  account: string
  password: string
}

export type HandoverStatus = 'pending' | 'confirmed' | 'cancelled'

export interface Handover {
  id: Id
  platform_id: Id
  platform_name: string
  from_person_id: Id | null
  from_name: string | null
  to_person_id: Id
  to_name: string
  initiated_by: string
  note: string
  status: HandoverStatus
  created_at: Timestamp
  confirmed_by: string | null
  confirmed_at: Timestamp | null
}

export interface PasswordPolicy {
  min_length: number
  require_classes: number
  max_age_days: number
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export interface AuditEntry {
  seq: number
  at: Timestamp
  actor: string
  action: string
  subject: string
  before: Json
  after: Json
}

export interface AuditQuery {
  page?: number
  page_size?: number
  actor?: string
  action?: string
  since?: string
  until?: string
}

export interface AuditVerify {
  ok: boolean
  count: number
  bad_seq: number | null
  message: string
}
