// The one HTTP client of the app. Every request goes to /api/v1 on the same origin with the
// session cookie; non-GET requests carry the X-CSRF-Token of the signed-in session. Errors
// become ApiError with the server's Chinese message, which is shown to the user (ElMessage,
// wired in main.ts) unless the caller asks for silence; a 401 sends the user to the login page.
import type { ApiErrorBody } from './types'

export const API_BASE = '/api/v1'

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly field: string | null
  readonly rows: { row: number; column: string; message: string }[]

  constructor(status: number, code: string, message: string, field: string | null = null,
    rows: { row: number; column: string; message: string }[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.field = field
    this.rows = rows
  }
}

export interface ClientHooks {
  /** The CSRF token of the current session ('' when signed out). */
  csrf: () => string
  /** Called on 401 for requests other than the login itself. */
  onUnauthenticated: () => void
  /** Shows an error message to the user. */
  notify: (message: string) => void
}

const hooks: ClientHooks = {
  csrf: () => '',
  onUnauthenticated: () => {},
  notify: () => {},
}

export function configureClient(h: Partial<ClientHooks>): void {
  Object.assign(hooks, h)
}

export type QueryValue = string | number | boolean | null | undefined
export interface RequestOptions {
  query?: Record<string, QueryValue>
  /** JSON body */
  body?: unknown
  /** raw body (file upload) with its content type */
  raw?: Blob
  contentType?: string
  /** do not show the error message (the caller shows it) */
  silent?: boolean
  /** do not leave for the login page on 401 */
  noRedirect?: boolean
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  let url = API_BASE + path
  if (query) {
    const parts: string[] = []
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue
      const s = typeof v === 'boolean' ? (v ? '1' : '0') : String(v)
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(s)}`)
    }
    if (parts.length) url += '?' + parts.join('&')
  }
  return url
}

function isErrorBody(x: unknown): x is ApiErrorBody {
  if (typeof x !== 'object' || x === null || !('error' in x)) return false
  const e = (x as { error: unknown }).error
  return typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string'
}

async function toError(res: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await res.json()
  } catch {
    body = null
  }
  if (isErrorBody(body)) {
    const e = body.error
    return new ApiError(res.status, e.code || 'error', e.message, e.field ?? null, e.rows ?? [])
  }
  return new ApiError(res.status, 'http', `请求失败（HTTP ${res.status}）`)
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  let body: BodyInit | undefined
  if (opts.raw !== undefined) {
    body = opts.raw
    headers['Content-Type'] = opts.contentType ?? 'application/octet-stream'
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body)
    headers['Content-Type'] = 'application/json'
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const token = hooks.csrf()
    if (token) headers['X-CSRF-Token'] = token
  }
  let res: Response
  try {
    res = await fetch(buildUrl(path, opts.query), { method, headers, body, credentials: 'same-origin' })
  } catch {
    const err = new ApiError(0, 'network', '无法连接服务器，请检查网络后重试')
    if (!opts.silent) hooks.notify(err.message)
    throw err
  }
  if (!res.ok) {
    const err = await toError(res)
    if (res.status === 401 && !opts.noRedirect) hooks.onUnauthenticated()
    if (!opts.silent) hooks.notify(err.message)
    throw err
  }
  if (res.status === 204) return undefined as T
  const text = await res.text()
  if (!text) return undefined as T
  return JSON.parse(text) as T
}

export const http = {
  get: <T>(path: string, query?: Record<string, QueryValue>, opts: RequestOptions = {}) =>
    request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('PUT', path, { ...opts, body }),
}

/** A list query as the server reads it (include_inactive as 0/1). */
export function listQuery(q: {
  page?: number
  page_size?: number
  search?: string
  unit_id?: number | null
  include_inactive?: boolean
}): Record<string, QueryValue> {
  return {
    page: q.page,
    page_size: q.page_size,
    search: q.search,
    unit_id: q.unit_id,
    include_inactive: q.include_inactive === undefined ? undefined : q.include_inactive,
  }
}
