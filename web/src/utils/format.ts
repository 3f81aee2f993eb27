// Chinese labels and display formats shared by the screens.
import type { Duty, GroupState, Json, PlatformType, StaffType, UnitKind } from '@/api/types'

export const unitKindLabel: Record<UnitKind, string> = {
  town: '镇（街道）',
  department: '部门',
  organ: '机关',
  people_org: '人民团体',
  park: '园区',
  enterprise: '企业',
}

export const platformTypeLabel: Record<PlatformType, string> = {
  website: '网站',
  wechat: '微信公众号',
  weibo: '微博',
  app: '移动客户端',
  douyin: '抖音',
  toutiao: '今日头条',
  baijiahao: '百家号',
  yidian: '一点资讯',
  thepaper: '澎湃号',
  other: '其他',
}

/** Element Plus tag type per platform type, so the table reads at a glance. */
export const platformTypeTag: Record<PlatformType, 'primary' | 'success' | 'warning' | 'danger' | 'info'> = {
  website: 'primary',
  wechat: 'success',
  weibo: 'danger',
  app: 'warning',
  douyin: 'info',
  toutiao: 'danger',
  baijiahao: 'primary',
  yidian: 'warning',
  thepaper: 'info',
  other: 'info',
}

export const staffTypeLabel: Record<StaffType, string> = {
  formal: '正式',
  temporary: '临聘',
  public_welfare: '公益性岗位',
}

export const dutyLabel: Record<Duty, string> = {
  leader: '分管负责同志（组长）',
  responsible: '信息审核负责人',
  liaison: '联络员',
  member: '成员',
}

export const groupStateLabel: Record<GroupState, string> = {
  ok: '正常',
  missing: '未备案',
  outdated: '需更新',
}

export const handoverStatusLabel: Record<string, string> = {
  pending: '待确认',
  confirmed: '已确认',
  cancelled: '已取消',
}

export function options<K extends string>(labels: Record<K, string>): { value: K; label: string }[] {
  return (Object.keys(labels) as K[]).map((value) => ({ value, label: labels[value] }))
}

/** A label from a table, or the raw value when the table does not know it. */
export function label(labels: Record<string, string>, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  return labels[value] ?? value
}

const pad = (n: number) => String(n).padStart(2, '0')

/**
 * An API timestamp ("2026-01-01T16:30:00Z") shown in Beijing time (UTC+8), the time of every
 * user of the system: "2026-01-02 00:30:00". Null or unparsable gives "—" or the input.
 */
export function formatTime(ts: string | null | undefined, withSeconds = true): string {
  if (!ts) return '—'
  const ms = Date.parse(ts)
  if (Number.isNaN(ms)) return ts
  const d = new Date(ms + 8 * 3600 * 1000)
  const s = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}`
  return withSeconds ? `${s}:${pad(d.getUTCSeconds())}` : s
}

/** A Beijing-time date and time picked in the UI ("2026-01-02 00:30:00") as an API timestamp. */
export function toApiTime(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(local.trim())
  if (!m) return local
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) - 8 * 3600 * 1000
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export interface DiffRow {
  key: string
  kind: 'added' | 'removed' | 'changed' | 'same'
  before: string
  after: string
}

function show(v: Json | undefined): string {
  if (v === undefined) return ''
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Field by field comparison of an audit entry's before and after (objects at the top level;
 * anything else is compared as one value under the key "值"). Keys in sorted order.
 */
export function diffJson(before: Json | undefined, after: Json | undefined): DiffRow[] {
  if (!isObject(before) && !isObject(after)) {
    if (before === undefined || before === null) {
      if (after === undefined || after === null) return []
      return [{ key: '值', kind: 'added', before: '', after: show(after) }]
    }
    if (after === undefined || after === null) return [{ key: '值', kind: 'removed', before: show(before), after: '' }]
    const same = JSON.stringify(before) === JSON.stringify(after)
    return [{ key: '值', kind: same ? 'same' : 'changed', before: show(before), after: show(after) }]
  }
  const b = isObject(before) ? before : {}
  const a = isObject(after) ? after : {}
  const keys = Array.from(new Set([...Object.keys(b), ...Object.keys(a)])).sort()
  return keys.map((key) => {
    const inB = key in b
    const inA = key in a
    if (inB && !inA) return { key, kind: 'removed' as const, before: show(b[key]), after: '' }
    if (!inB && inA) return { key, kind: 'added' as const, before: '', after: show(a[key]) }
    const same = JSON.stringify(b[key]) === JSON.stringify(a[key])
    return { key, kind: same ? ('same' as const) : ('changed' as const), before: show(b[key]), after: show(a[key]) }
  })
}

/** Chinese names of the audit actions the server writes; unknown actions show as they are. */
export const auditActionLabel: Record<string, string> = {
  'auth.login': '登录',
  'auth.login_failed': '登录失败',
  'auth.locked': '账号锁定',
  'auth.logout': '退出',
  'auth.password': '修改密码',
  'unit.create': '新增单位',
  'unit.update': '修改单位',
  'unit.retire': '撤销单位',
  'person.create': '新增人员',
  'person.update': '修改人员',
  'person.leave': '人员离职',
  'platform.create': '新增平台',
  'platform.update': '修改平台',
  'platform.close': '关停平台',
  'filing.create': '审核小组备案',
  'custody.set': '设置托管账号',
  'custody.reveal': '查看托管密码',
  'handover.create': '发起交接',
  'handover.confirm': '确认交接',
  'user.create': '新增用户',
  'user.update': '修改用户',
  'user.password': '重置密码',
  'user.roles': '分配角色',
  'user.unlock': '解锁账号',
  'settings.password_policy': '修改密码策略',
  'import.units': '导入单位',
  'import.people': '导入人员',
  'import.platforms': '导入平台',
  'demo.seed': '生成演示数据',
}

/** Chinese names of the record fields shown in audit before/after. */
export const fieldLabel: Record<string, string> = {
  id: '编号',
  name: '名称',
  kind: '单位类别',
  parent_id: '上级单位',
  party_body: '党委（党组）',
  principal_head_person_id: '主要负责人',
  unit_id: '单位',
  unit_name: '单位名称',
  post: '职务',
  staff_type: '人员类别',
  phone: '电话',
  type: '平台类型',
  url_or_account: '网址 / 账号',
  site_code: '网站标识码',
  certified: '认证状态',
  entry_point: '巡查入口',
  manager_person_id: '平台管理员',
  manager_name: '管理员姓名',
  active: '状态',
  status: '状态',
  created_at: '创建时间',
  updated_at: '更新时间',
  username: '用户名',
  display_name: '姓名',
  person_id: '人员',
  roles: '角色',
  group_name: '小组名称',
  members: '成员',
  note: '说明',
  account: '账号',
  to_person_id: '接收人',
  from_person_id: '移交人',
}
