import { http } from './http'
import type { Dashboard, Role, Session } from './types'

export const login = (username: string, password: string) =>
  http.post<Session>('/auth/login', { username, password }, { silent: true, noRedirect: true })
export const logout = () => http.post<void>('/auth/logout', undefined, { silent: true, noRedirect: true })
export const me = () => http.get<Session>('/auth/me', undefined, { silent: true, noRedirect: true })
export const changePassword = (old_password: string, new_password: string) =>
  http.post<void>('/auth/password', { old_password, new_password })
export const roles = () => http.get<{ items: Role[] }>('/roles')
export const dashboard = () => http.get<Dashboard>('/dashboard')
