import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSSRApp } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { ApiError, configureClient } from '../src/api/http'
import {
  decodePage, evidenceText, evidenceUrl, findings, handleFinding, importPosts, job, jobs, patrolSettings, platformPatrol,
  savePatrolSettings, setFeed, startPatrol,
} from '../src/api/patrol'
import type { JobInfo } from '../src/api/patrolTypes'
import {
  categoryGroups, categoryLabel, columnState, contentCategoryLabel, findingStatusLabel, jobStatusLabel, percent,
  ratioColor, severityLabel,
} from '../src/views/patrol/labels'
import { pollJob, progressPercent, progressText, startOrFollow } from '../src/views/patrol/poll'
import { splitAtLine } from '../src/views/patrol/evidence'
import { probeSeries } from '../src/views/patrol/chart'
import EvidenceText from '../src/views/patrol/EvidenceText.vue'

type FetchArgs = [string, RequestInit]
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

function jobInfo(over: Partial<JobInfo> = {}): JobInfo {
  return {
    id: 7, platform_id: 3, kind: 'patrol', status: 'queued', requested_by: 'office', progress_done: 0,
    progress_total: 0, pages: 0, links: 0, findings: 0, error: null, created_at: '2026-12-01T02:00:00Z',
    started_at: null, finished_at: null, ...over,
  }
}

describe('patrol API client', () => {
  const notify = vi.fn<(m: string) => void>()
  let fetchMock: ReturnType<typeof vi.fn>
  beforeEach(() => {
    notify.mockReset()
    configureClient({ csrf: () => 'tok', notify, onUnauthenticated: () => {} })
    fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => vi.unstubAllGlobals())
  const calls = () => fetchMock.mock.calls as FetchArgs[]

  it('lists findings with the filters as a query string, empty ones left out', async () => {
    fetchMock.mockImplementation(async () => json(200, { items: [], total: 0, page: 1, page_size: 20 }))
    await findings({ platform_id: 3, unit_id: null, category: 'site.broken_link_internal', severity: '', status: 'open',
      search: '首页 & 栏目', page: 2, page_size: 50 })
    await findings()
    expect(calls()[0][0]).toBe(
      '/api/v1/patrol/findings?platform_id=3&category=site.broken_link_internal&status=open&search=%E9%A6%96%E9%A1%B5%20%26%20%E6%A0%8F%E7%9B%AE&page=2&page_size=50')
    expect(calls()[1][0]).toBe('/api/v1/patrol/findings')
    expect(calls()[0][1].method).toBe('GET')
  })

  it('handles a finding with a POST carrying status, note and the CSRF token', async () => {
    fetchMock.mockImplementation(async () => json(200, { id: 9, status: 'dismissed' }))
    await handleFinding(9, 'dismissed', '误报：链接已恢复')
    const [url, init] = calls()[0]
    expect(url).toBe('/api/v1/patrol/findings/9/handle')
    expect(init.method).toBe('POST')
    expect(init.body).toBe('{"status":"dismissed","note":"误报：链接已恢复"}')
    expect((init.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok')
  })

  it('addresses the platform, job, feed and evidence endpoints', async () => {
    fetchMock.mockImplementation(async () => json(200, {}))
    await platformPatrol(4)
    await job(12)
    await jobs({ platform_id: 4, status: 'failed', kind: 'patrol', page: 1 })
    await setFeed(4, null)
    expect(calls().map((c) => `${c[1].method} ${c[0]}`)).toEqual([
      'GET /api/v1/platforms/4/patrol',
      'GET /api/v1/patrol/jobs/12',
      'GET /api/v1/patrol/jobs?platform_id=4&status=failed&kind=patrol&page=1',
      'PUT /api/v1/platforms/4/feed',
    ])
    expect(calls()[3][1].body).toBe('{"feed_url":null}')
    expect(evidenceUrl('ab12')).toBe('/api/v1/evidence/ab12')
  })

  it('uploads an export of posts as the raw file, typed by its extension, without showing a 409', async () => {
    fetchMock.mockImplementation(async () => json(202, { job: { id: 5, status: 'queued' } }))
    const csv = new File(['发布时间,标题\n2026-11-30,通知\n'], '公众号导出.csv')
    const xlsx = new File(['PK'], 'export.XLSX')
    expect((await importPosts(7, csv)).job.id).toBe(5)
    await importPosts(7, xlsx)
    expect(calls()[0][0]).toBe('/api/v1/platforms/7/posts?filename=' + encodeURIComponent('公众号导出.csv'))
    expect(calls()[0][1].method).toBe('POST')
    expect(calls()[0][1].body).toBe(csv)
    expect((calls()[0][1].headers as Record<string, string>)['Content-Type']).toBe('text/csv')
    expect((calls()[1][1].headers as Record<string, string>)['Content-Type'])
      .toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    fetchMock.mockImplementation(async () =>
      json(409, { error: { code: 'conflict', message: '这份发布记录文件已经导入过（内容相同），无需重复导入', field: 'file' } }))
    await expect(importPosts(7, csv)).rejects.toMatchObject({ status: 409, field: 'file' })
    expect(notify).not.toHaveBeenCalled()
  })

  it('reads and saves the patrol settings', async () => {
    fetchMock.mockImplementation(async () => json(200, { daily_time: '03:30', unreviewed_since: null, lease_seconds: 300, thresholds: {} }))
    expect((await patrolSettings()).daily_time).toBe('03:30')
    await savePatrolSettings({ daily_time: '04:00', thresholds: { zombie_days: 10 } })
    expect(calls().map((c) => `${c[1].method} ${c[0]}`)).toEqual(['GET /api/v1/settings/patrol', 'PUT /api/v1/settings/patrol'])
    expect(JSON.parse(calls()[1][1].body as string)).toEqual({ daily_time: '04:00', thresholds: { zombie_days: 10 } })
  })

  it('names every threshold of data/patrol/thresholds.tsv in Chinese', async () => {
    const { thresholdLabels } = await import('@/views/patrol/settings/labels')
    const tsv: string = (await import('../../data/patrol/thresholds.tsv?raw')).default
    const keys = tsv.split('\n').filter((l: string) => l && !l.startsWith('#')).map((l: string) => l.split('\t')[0])
    expect(keys.length).toBeGreaterThan(10)
    for (const k of keys) expect(thresholdLabels[k], k).toBeTruthy()
  })

  it('maps a 409 of "patrol now" to ApiError without showing it', async () => {
    fetchMock.mockImplementation(async () =>
      json(409, { error: { code: 'conflict', message: '该平台已有巡查任务（#7）正在进行', field: null } }))
    const err = (await startPatrol(3).catch((e: unknown) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(409)
    expect(err.code).toBe('conflict')
    expect(err.message).toBe('该平台已有巡查任务（#7）正在进行')
    expect(notify).not.toHaveBeenCalled()
    expect(calls()[0][0]).toBe('/api/v1/platforms/3/patrol')
    expect(calls()[0][1].body).toBe('{}')
  })

  it('shows other errors of the handling call in Chinese', async () => {
    fetchMock.mockImplementation(async () =>
      json(400, { error: { code: 'invalid', message: '排除问题须填写说明', field: 'note' } }))
    await expect(handleFinding(1, 'dismissed', '')).rejects.toMatchObject({ status: 400, field: 'note' })
    expect(notify).toHaveBeenCalledWith('排除问题须填写说明')
  })

  it('reads evidence as text, markup untouched, and maps its errors', async () => {
    const body = '<html><script>alert(1)</script></html>'
    fetchMock.mockImplementationOnce(async () => new Response(body, { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }))
    expect(await evidenceText('aa')).toBe(body)
    expect(calls()[0][0]).toBe('/api/v1/evidence/aa')
    expect(calls()[0][1].credentials).toBe('same-origin')
    fetchMock.mockImplementationOnce(async () => new Response('not json', { status: 404 }))
    await expect(evidenceText('bb')).rejects.toMatchObject({ status: 404, code: 'not_found', message: '证据不存在或无权查看' })
    fetchMock.mockImplementationOnce(async () => json(403, { error: { code: 'forbidden', message: '无权查看该证据', field: null } }))
    await expect(evidenceText('cc')).rejects.toMatchObject({ status: 403, message: '无权查看该证据' })
    fetchMock.mockImplementationOnce(async () => {
      throw new TypeError('fetch failed')
    })
    await expect(evidenceText('dd')).rejects.toMatchObject({ status: 0, code: 'network' })
  })

  it('decodes GBK pages: by the charset named, or by guessing when the bytes are not UTF-8', () => {
    const gbk = Uint8Array.from([0xd6, 0xd0, 0xce, 0xc4]) // 中文 in GBK
    const utf8 = new TextEncoder().encode('中文')
    expect(decodePage(gbk, 'text/html; charset=GBK')).toBe('中文')
    expect(decodePage(gbk, null)).toBe('中文')
    expect(decodePage(utf8, null)).toBe('中文')
    expect(decodePage(utf8, 'text/html; charset="utf-8"')).toBe('中文')
  })
})

describe('category labels', () => {
  // every category id of issue 4 and the patrol protocol, typed here from the issue text
  const issueIds = [
    'site.unavailable', 'site.homepage_stale', 'site.stale_column', 'site.empty_column', 'site.broken_link_internal',
    'site.broken_link_external', 'site.redirect_loop', 'site.slow_page', 'site.server_error', 'site.encoding_invalid',
    'site.oversize_page', 'site.hidden_link', 'site.defaced', 'feed.not_weekly', 'feed.zombie', 'feed.malformed',
    'feed.empty', 'publish.unreviewed', 'site.tls_expiring',
  ]
  // docs/CATEGORIES.md
  const contentIds = [
    'prohibited.anti_constitution', 'prohibited.state_security', 'prohibited.national_honour', 'prohibited.ethnic_hatred',
    'prohibited.cult_superstition', 'prohibited.rumour', 'prohibited.obscene_gambling_violence_terror',
    'prohibited.insult_defamation', 'prohibited.ip_infringement', 'prohibited.other_illegal', 'content.vulgar_irrelevant',
    'content.low_red_high_black', 'repost.unauthorized_source', 'repost.missing_source', 'repost.missing_time',
    'repost.missing_link', 'map.missing_review_number', 'map.missing_source', 'secrecy.classification_mark',
    'pii.id_number', 'pii.mobile', 'pii.bank_card', 'error.typo', 'error.outdated_institution',
  ]
  const han = /[\u4e00-\u9fff]/

  it('names every issue and content category in Chinese', () => {
    for (const id of [...issueIds, ...contentIds]) {
      const l = categoryLabel(id)
      expect(l, id).not.toBe(id)
      expect(l, id).toMatch(han)
    }
    expect(Object.keys(contentCategoryLabel).sort()).toEqual([...contentIds].sort())
    expect(categoryLabel('site.broken_link_internal')).toBe('站内链接失效')
    expect(categoryLabel('site.hidden_link')).toBe('暗链')
  })

  it('offers every category in the filter exactly once', () => {
    const all = categoryGroups.flatMap((g) => g.options.map((o) => o.value))
    expect(new Set(all).size).toBe(all.length)
    expect([...all].sort()).toEqual([...issueIds, ...contentIds].sort())
  })

  it('falls back to the id for an unknown category', () => {
    expect(categoryLabel('site.something_new')).toBe('site.something_new')
    expect(categoryLabel(null)).toBe('—')
  })

  it('labels severities, statuses, jobs and columns', () => {
    expect(severityLabel).toEqual({ block: '阻断', review: '需复核', info: '提示' })
    expect(findingStatusLabel).toEqual({ open: '待处置', confirmed: '已确认', dismissed: '已排除', resolved: '已消除', active: '处置中' })
    expect(jobStatusLabel).toEqual({ queued: '排队中', leased: '巡查中', done: '已完成', failed: '失败' })
    expect(columnState({ stale: false, empty: false })).toEqual({ label: '正常', tag: 'success' })
    expect(columnState({ stale: true, empty: false })).toEqual({ label: '超期未更新', tag: 'warning' })
    expect(columnState({ stale: true, empty: true })).toEqual({ label: '空白', tag: 'danger' })
  })

  it('colours the week ratio: ≥5% red, ≥3% orange', () => {
    expect(ratioColor(1 / 20)).toBe('#f56c6c') // 1 of 20 probes = 5.0%
    expect(ratioColor(0.0499)).toBe('#e6a23c')
    expect(ratioColor(3 / 100)).toBe('#e6a23c')
    expect(ratioColor(0.0299)).toBe('#67c23a')
    expect(ratioColor(0)).toBe('#67c23a')
    expect(ratioColor(null)).toBe('#909399')
    expect(percent(7 / 140)).toBe('5.0%')
    expect(percent(1 / 3)).toBe('33.3%')
    expect(percent(null)).toBe('—')
  })
})

describe('patrol progress', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('shows progress as a percentage and a Chinese status', () => {
    expect(progressPercent(jobInfo({ status: 'queued' }))).toBe(0)
    expect(progressPercent(jobInfo({ status: 'leased', progress_done: 30, progress_total: 120 }))).toBe(25)
    expect(progressPercent(jobInfo({ status: 'leased', progress_done: 130, progress_total: 120 }))).toBe(100)
    expect(progressPercent(jobInfo({ status: 'done', progress_done: 5, progress_total: 9 }))).toBe(100)
    expect(progressText(jobInfo({ status: 'queued' }))).toBe('排队中')
    expect(progressText(jobInfo({ status: 'leased', progress_done: 30, progress_total: 120 }))).toBe('巡查中 30/120')
    expect(progressText(jobInfo({ status: 'done' }))).toBe('已完成')
    expect(progressText(jobInfo({ status: 'failed', error: '多次租约过期' }))).toBe('失败：多次租约过期')
  })

  it('polls every second until the job is done, then stops', async () => {
    const states = [
      jobInfo({ status: 'queued' }),
      jobInfo({ status: 'leased', progress_done: 1, progress_total: 4 }),
      jobInfo({ status: 'leased', progress_done: 3, progress_total: 4 }),
      jobInfo({ status: 'done', progress_done: 4, progress_total: 4, pages: 4 }),
    ]
    const fetchJob = vi.fn(async (id: number) => {
      expect(id).toBe(7)
      return states[Math.min(fetchJob.mock.calls.length - 1, states.length - 1)]
    })
    const seen: string[] = []
    const onDone = vi.fn()
    const p = pollJob(7, { fetch: fetchJob, onUpdate: (j) => seen.push(progressText(j)), onDone })
    expect(fetchJob).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(999)
    expect(fetchJob).toHaveBeenCalledTimes(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(fetchJob).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(3000)
    expect(fetchJob).toHaveBeenCalledTimes(4)
    expect(seen).toEqual(['排队中', '巡查中 1/4', '巡查中 3/4', '已完成'])
    expect(onDone).toHaveBeenCalledTimes(1)
    expect(onDone.mock.calls[0][0].pages).toBe(4)
    expect(p.active).toBe(false)
    await vi.advanceTimersByTimeAsync(10000)
    expect(fetchJob).toHaveBeenCalledTimes(4)
  })

  it('reports a failed job once and stops', async () => {
    const fetchJob = vi.fn(async () => jobInfo({ status: 'failed', error: '首页无法打开' }))
    const onDone = vi.fn()
    pollJob(7, { fetch: fetchJob, onUpdate: () => {}, onDone })
    await vi.advanceTimersByTimeAsync(5000)
    expect(fetchJob).toHaveBeenCalledTimes(1)
    expect(onDone).toHaveBeenCalledWith(expect.objectContaining({ status: 'failed', error: '首页无法打开' }))
  })

  it('stops when asked, and gives up after five failed requests in a row', async () => {
    const fetchJob = vi.fn(async () => jobInfo({ status: 'leased' }))
    const p = pollJob(7, { fetch: fetchJob, onUpdate: () => {}, onDone: () => {} })
    await vi.advanceTimersByTimeAsync(2000)
    expect(fetchJob).toHaveBeenCalledTimes(2)
    p.stop()
    await vi.advanceTimersByTimeAsync(5000)
    expect(fetchJob).toHaveBeenCalledTimes(2)

    let n = 0
    const flaky = vi.fn(async () => {
      n++
      if (n === 1) throw new ApiError(0, 'network', '无法连接服务器')
      if (n === 2) return jobInfo({ status: 'leased' }) // resets the count
      throw new ApiError(500, 'http', '请求失败（HTTP 500）')
    })
    const onError = vi.fn()
    const q = pollJob(7, { fetch: flaky, onUpdate: () => {}, onDone: () => {}, onError })
    await vi.advanceTimersByTimeAsync(6000) // requests 1..6: fail, ok, fail x4
    expect(onError).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1000) // request 7: fifth failure in a row
    expect(flaky).toHaveBeenCalledTimes(7)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(q.active).toBe(false)
    await vi.advanceTimersByTimeAsync(5000)
    expect(flaky).toHaveBeenCalledTimes(7)
  })

  it('waits for a slow answer before asking again', async () => {
    let resolve: ((j: JobInfo) => void) | null = null
    const fetchJob = vi.fn(() => new Promise<JobInfo>((r) => { resolve = r }))
    pollJob(7, { fetch: fetchJob, onUpdate: () => {}, onDone: () => {} })
    await vi.advanceTimersByTimeAsync(5000)
    expect(fetchJob).toHaveBeenCalledTimes(1)
    resolve!(jobInfo({ status: 'leased' }))
    await vi.advanceTimersByTimeAsync(1000)
    expect(fetchJob).toHaveBeenCalledTimes(2)
  })

  it('follows the running job when "patrol now" answers 409', async () => {
    const running = jobInfo({ id: 5, status: 'leased' })
    const conflict = new ApiError(409, 'conflict', '已有巡查任务')
    await expect(startOrFollow({ start: async () => { throw conflict }, running: async () => running }))
      .resolves.toEqual({ job: running, followed: true })
    await expect(startOrFollow({ start: async () => ({ job: jobInfo() }), running: async () => null }))
      .resolves.toEqual({ job: jobInfo(), followed: false })
    // 409 but the job finished meanwhile: the error stands
    await expect(startOrFollow({ start: async () => { throw conflict }, running: async () => null })).rejects.toBe(conflict)
    const unpatrollable = new ApiError(422, 'invalid', '该平台不是网站且未设置订阅源，无法巡查')
    const runningSpy = vi.fn(async () => running)
    await expect(startOrFollow({ start: async () => { throw unpatrollable }, running: runningSpy })).rejects.toBe(unpatrollable)
    expect(runningSpy).not.toHaveBeenCalled()
  })
})

describe('evidence viewer', () => {
  it('splits the text at the finding line, keeping line endings', () => {
    expect(splitAtLine('a\nb\r\nc\nd', 2)).toEqual({ before: 'a\n', hit: 'b', after: '\r\nc\nd', line: 2, lines: 4 })
    expect(splitAtLine('a\nb', 1)).toEqual({ before: '', hit: 'a', after: '\nb', line: 1, lines: 2 })
    expect(splitAtLine('a\nb', 2)).toEqual({ before: 'a\n', hit: 'b', after: '', line: 2, lines: 2 })
    expect(splitAtLine('a\nb', 3)).toEqual({ before: 'a\nb', hit: '', after: '', line: 0, lines: 2 })
    expect(splitAtLine('a\nb', 0).line).toBe(0)
    expect(splitAtLine('a\r\rb', 3)).toEqual({ before: 'a\r\r', hit: 'b', after: '', line: 3, lines: 3 })
  })

  async function render(text: string, line: number): Promise<string> {
    return renderToString(createSSRApp(EvidenceText, { text, line }))
  }

  it('shows a page with <script> as text, never as markup', async () => {
    const page = '<html>\n<body>\n<script>window.__pwned = 1</script>\n<img src=x onerror="alert(1)">\n</body>\n</html>'
    const html = await render(page, 3)
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/<img/i)
    expect(html).not.toMatch(/<body/i)
    expect(html).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;')
    expect(html).toContain('onerror=&quot;alert(1)&quot;')
    // the finding's line is the marked one
    expect(html).toMatch(/<mark[^>]*data-test="evidence-hit"[^>]*>&lt;script&gt;window.__pwned = 1&lt;\/script&gt;<\/mark>/)
    expect(html.startsWith('<pre')).toBe(true)
  })

  it('marks nothing when the line is unknown', async () => {
    const html = await render('<b>x</b>', 0)
    expect(html).not.toContain('<mark')
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;')
  })
})

describe('availability chart data', () => {
  it('puts successful probes on the line and failed ones as red points', () => {
    const s = probeSeries([
      { at: '2026-12-01T00:00:00Z', ok: true, status: 200, ms: 320, error: '' },
      { at: '2026-12-01T01:12:00Z', ok: false, status: 0, ms: 15000, error: '连接超时' },
      { at: 'garbage', ok: true, status: 200, ms: 1, error: '' },
      { at: '2026-12-01T02:24:00Z', ok: false, status: 503, ms: 80, error: '' },
    ])
    expect(s.ok).toEqual([[Date.UTC(2026, 11, 1, 0, 0, 0), 320, 'HTTP 200']])
    expect(s.failed).toEqual([
      [Date.UTC(2026, 11, 1, 1, 12, 0), 15000, '连接超时'],
      [Date.UTC(2026, 11, 1, 2, 24, 0), 80, 'HTTP 503'],
    ])
  })
})
