// Users, roles, password policy and the audit log: /api/v1/users, /settings, /audit.
import { http, listQuery } from './http'
import type { AuditEntry, AuditQuery, AuditVerify, Id, ListQuery, Page, PasswordPolicy, User } from './types'

export interface UserCreate {
  username: string
  display_name: string
  person_id: Id | null
  password: string
  roles: string[]
}
export interface UserUpdate {
  display_name: string
  person_id: Id | null
  active: boolean
}

export const users = {
  list: (q: ListQuery = {}) => http.get<Page<User>>('/users', listQuery(q)),
  create: (u: UserCreate) => http.post<User>('/users', u),
  update: (id: Id, u: UserUpdate) => http.put<User>(`/users/${id}`, u),
  resetPassword: (id: Id, password: string) => http.post<void>(`/users/${id}/password`, { password }),
  setRoles: (id: Id, roles: string[]) => http.put<User>(`/users/${id}/roles`, { roles }),
  unlock: (id: Id) => http.post<void>(`/users/${id}/unlock`),
}

export const passwordPolicy = {
  get: () => http.get<PasswordPolicy>('/settings/password-policy'),
  put: (p: PasswordPolicy) => http.put<PasswordPolicy>('/settings/password-policy', p),
}

export const audit = {
  list: (q: AuditQuery) => http.get<Page<AuditEntry>>('/audit', { ...q }),
  verify: () => http.get<AuditVerify>('/audit/verify'),
}
