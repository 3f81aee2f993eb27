// Chinese labels of the patrol screens: finding categories (patrol issue ids and the content
// checker's ids, which the patrol also files for pages), severities, statuses, column kinds, job
// states; and the colour of a week's unavailability.
import type { ColumnKind, FindingStatusFilter, JobStatus, PatrolColumn, PatrolSeverity } from '@/api/patrolTypes'

/** The patrol's own category ids (issue 4 and the patrol protocol). */
export const patrolCategoryLabel: Record<string, string> = {
  'site.unavailable': '网站不可访问',
  'site.homepage_stale': '首页长期未更新',
  'site.stale_column': '栏目超期未更新',
  'site.empty_column': '空白栏目',
  'site.broken_link_internal': '站内链接失效',
  'site.broken_link_external': '外部链接失效',
  'site.redirect_loop': '循环跳转',
  'site.slow_page': '页面打开过慢',
  'site.server_error': '服务器错误',
  'site.encoding_invalid': '页面编码错误',
  'site.oversize_page': '页面体积过大',
  'site.hidden_link': '暗链',
  'site.defaced': '首页异常变化（疑似篡改）',
  'site.tls_expiring': 'TLS 证书即将到期',
  'feed.not_weekly': '每周更新不足',
  'feed.zombie': '超过两周未更新（“僵尸”账号）',
  'feed.malformed': '订阅源格式错误',
  'feed.empty': '订阅源无内容',
  'publish.unreviewed': '未经审核发布',
}

/** The content checker's categories (docs/CATEGORIES.md), found on patrolled pages too. */
export const contentCategoryLabel: Record<string, string> = {
  'prohibited.anti_constitution': '反对宪法所确定的基本原则',
  'prohibited.state_security': '危害国家安全、泄露国家秘密、颠覆国家政权、破坏国家统一',
  'prohibited.national_honour': '损害国家荣誉和利益',
  'prohibited.ethnic_hatred': '煽动民族仇恨、民族歧视，破坏民族团结',
  'prohibited.cult_superstition': '破坏国家宗教政策，宣扬邪教和封建迷信',
  'prohibited.rumour': '散布谣言，扰乱社会秩序，破坏社会稳定',
  'prohibited.obscene_gambling_violence_terror': '散布淫秽、色情、赌博、暴力、凶杀、恐怖或者教唆犯罪',
  'prohibited.insult_defamation': '侮辱或者诽谤他人，侵害他人合法权益',
  'prohibited.ip_infringement': '侵犯他人知识产权',
  'prohibited.other_illegal': '含有法律、行政法规禁止的其他内容',
  'content.vulgar_irrelevant': '低俗庸俗媚俗、与政务工作无关的信息',
  'content.low_red_high_black': '“低级红”“高级黑”',
  'repost.unauthorized_source': '转载来源不在授权范围内',
  'repost.missing_source': '转载未标明来源',
  'repost.missing_time': '转载未标明转载时间',
  'repost.missing_link': '转载未标明原文链接',
  'map.missing_review_number': '地图未标注审图号',
  'map.missing_source': '地图未标注来源',
  'secrecy.classification_mark': '含密级标志',
  'pii.id_number': '公民身份号码',
  'pii.mobile': '手机号码',
  'pii.bank_card': '银行卡号',
  'error.typo': '错别字、规范表述错误',
  'error.outdated_institution': '已更名的机构名称',
}

export const categoryLabels: Record<string, string> = { ...patrolCategoryLabel, ...contentCategoryLabel }

/** The Chinese name of a category id; an id the table does not know shows as it is. */
export function categoryLabel(id: string | null | undefined): string {
  if (!id) return '—'
  return categoryLabels[id] ?? id
}

/** Grouped options for the category filter. */
export const categoryGroups: { label: string; options: { value: string; label: string }[] }[] = [
  { label: '网站巡查', options: byPrefix(patrolCategoryLabel, 'site.') },
  { label: '新媒体账号', options: byPrefix(patrolCategoryLabel, 'feed.') },
  { label: '发布审核', options: byPrefix(patrolCategoryLabel, 'publish.') },
  { label: '内容检查', options: byPrefix(contentCategoryLabel, '') },
]
function byPrefix(table: Record<string, string>, prefix: string) {
  return Object.keys(table)
    .filter((k) => k.startsWith(prefix))
    .map((value) => ({ value, label: table[value] }))
}

export const severityLabel: Record<PatrolSeverity, string> = { block: '阻断', review: '需复核', info: '提示' }
export const severityTag: Record<PatrolSeverity, 'danger' | 'warning' | 'info'> = {
  block: 'danger', review: 'warning', info: 'info',
}

export const findingStatusLabel: Record<FindingStatusFilter, string> = {
  open: '待处置',
  confirmed: '已确认',
  dismissed: '已排除',
  resolved: '已消除',
  active: '处置中',
}
export const findingStatusTag: Record<string, 'danger' | 'warning' | 'info' | 'success' | 'primary'> = {
  open: 'danger', confirmed: 'warning', dismissed: 'info', resolved: 'success',
}

export const columnKindLabel: Record<ColumnKind, string> = { news: '动态要闻', notice: '通知公告', other: '其他' }

/** A column's state: 空白 wins over 超期未更新 (an empty column has no date to be late with). */
export function columnState(c: Pick<PatrolColumn, 'stale' | 'empty'>): { label: string; tag: 'success' | 'warning' | 'danger' } {
  if (c.empty) return { label: '空白', tag: 'danger' }
  if (c.stale) return { label: '超期未更新', tag: 'warning' }
  return { label: '正常', tag: 'success' }
}

export const jobStatusLabel: Record<JobStatus, string> = {
  queued: '排队中', leased: '巡查中', done: '已完成', failed: '失败',
}

/**
 * The colour of a week's unavailability ratio (0..1): ≥5% red (fails the national indicator),
 * ≥3% orange (commercial monitors warn), else green; null (no probes) grey.
 */
export function ratioColor(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '#909399'
  if (ratio >= 0.05) return '#f56c6c'
  if (ratio >= 0.03) return '#e6a23c'
  return '#67c23a'
}

/** "3.2%" with one decimal; null → "—". */
export function percent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '—'
  return `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`
}

/** Link findings: the broken-link list of the platform page. */
export const isBrokenLink = (category: string) => category.startsWith('site.broken_link_')
