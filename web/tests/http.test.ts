import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, buildUrl, configureClient, http, request } from '../src/api/http'

type FetchArgs = [string, RequestInit]

function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

describe('http client', () => {
  const notify = vi.fn<(m: string) => void>()
  const onUnauthenticated = vi.fn<() => void>()
  let fetchMock: ReturnType<typeof vi.fn>

  beforeEach(() => {
    notify.mockReset()
    onUnauthenticated.mockReset()
    configureClient({ csrf: () => 'abc123', notify, onUnauthenticated })
    fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('sends the CSRF header on POST and PUT but not on GET', async () => {
    fetchMock.mockImplementation(async () => jsonResponse(200, { ok: true }))
    await http.get('/units')
    await http.post('/units', { name: '甲' })
    await http.put('/units/3', { name: '乙' })
    const calls = fetchMock.mock.calls as FetchArgs[]
    expect(calls).toHaveLength(3)
    const h = (i: number) => calls[i][1].headers as Record<string, string>
    expect(h(0)['X-CSRF-Token']).toBeUndefined()
    expect(h(1)['X-CSRF-Token']).toBe('abc123')
    expect(h(2)['X-CSRF-Token']).toBe('abc123')
    expect(calls[1][0]).toBe('/api/v1/units')
    expect(calls[1][1].method).toBe('POST')
    expect(calls[1][1].body).toBe('{"name":"甲"}')
    expect(h(1)['Content-Type']).toBe('application/json')
    for (const c of calls) expect(c[1].credentials).toBe('same-origin')
  })

  it('omits the CSRF header when signed out', async () => {
    configureClient({ csrf: () => '' })
    fetchMock.mockImplementation(async () => jsonResponse(200, {}))
    await http.post('/auth/login', { username: 'a', password: 'b' })
    const headers = (fetchMock.mock.calls[0] as FetchArgs)[1].headers as Record<string, string>
    expect('X-CSRF-Token' in headers).toBe(false)
  })

  it('turns an error body into ApiError and shows its Chinese message', async () => {
    fetchMock.mockImplementation(async () =>
      jsonResponse(403, {
        error: { code: 'forbidden', message: '临聘人员和公益性岗位人员不得担任平台管理员', field: 'manager_person_id' },
      }),
    )
    const p = http.post('/platforms', {})
    await expect(p).rejects.toBeInstanceOf(ApiError)
    const err = (await p.catch((e: unknown) => e)) as ApiError
    expect(err.status).toBe(403)
    expect(err.code).toBe('forbidden')
    expect(err.field).toBe('manager_person_id')
    expect(err.message).toBe('临聘人员和公益性岗位人员不得担任平台管理员')
    expect(notify).toHaveBeenCalledWith('临聘人员和公益性岗位人员不得担任平台管理员')
    expect(onUnauthenticated).not.toHaveBeenCalled()
  })

  it('leaves for the login page on 401 unless told not to', async () => {
    fetchMock.mockImplementation(async () =>
      jsonResponse(401, { error: { code: 'unauthenticated', message: '请先登录', field: null } }),
    )
    await expect(http.get('/units')).rejects.toMatchObject({ status: 401, code: 'unauthenticated' })
    expect(onUnauthenticated).toHaveBeenCalledTimes(1)
    await expect(request('POST', '/auth/login', { body: {}, noRedirect: true, silent: true })).rejects.toMatchObject({
      message: '请先登录',
    })
    expect(onUnauthenticated).toHaveBeenCalledTimes(1)
    expect(notify).toHaveBeenCalledTimes(1)
  })

  it('gives a Chinese message for a body that is not the error shape', async () => {
    fetchMock.mockImplementation(async () => new Response('<html>bad gateway</html>', { status: 502 }))
    await expect(http.get('/dashboard')).rejects.toMatchObject({ status: 502, code: 'http', message: '请求失败（HTTP 502）' })
    fetchMock.mockImplementation(async () => {
      throw new TypeError('Failed to fetch')
    })
    await expect(http.get('/dashboard')).rejects.toMatchObject({ status: 0, code: 'network' })
    expect(notify).toHaveBeenLastCalledWith('无法连接服务器，请检查网络后重试')
  })

  it('answers undefined for 204', async () => {
    fetchMock.mockImplementation(async () => new Response(null, { status: 204 }))
    await expect(http.post('/auth/logout')).resolves.toBeUndefined()
  })

  it('builds query strings, skipping empty values and writing booleans as 0/1', () => {
    expect(buildUrl('/people', { page: 2, search: '张 三', unit_id: null, include_inactive: true, x: '' })).toBe(
      '/api/v1/people?page=2&search=%E5%BC%A0%20%E4%B8%89&include_inactive=1',
    )
    expect(buildUrl('/people', { include_inactive: false })).toBe('/api/v1/people?include_inactive=0')
    expect(buildUrl('/people')).toBe('/api/v1/people')
  })
})
