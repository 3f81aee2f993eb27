// The signed-in user: who, which permissions, and the session's CSRF token. The session itself
// is an HttpOnly cookie the app never sees; nothing is kept in localStorage.
import { defineStore } from 'pinia'
import * as authApi from '@/api/auth'
import type { Me, Role, Session } from '@/api/types'

interface AuthState {
  user: Me | null
  csrf: string
  loaded: boolean
  roles: Role[]
}

export const useAuthStore = defineStore('auth', {
  state: (): AuthState => ({ user: null, csrf: '', loaded: false, roles: [] }),
  getters: {
    signedIn: (s) => s.user !== null,
    permissions: (s): string[] => s.user?.permissions ?? [],
  },
  actions: {
    /** True when the user holds any of the permissions (an empty list: any signed-in user). */
    can(...perms: string[]): boolean {
      if (!this.user) return false
      if (perms.length === 0) return true
      return perms.some((p) => this.user!.permissions.includes(p))
    },
    apply(s: Session) {
      this.user = s.user
      this.csrf = s.csrf_token
      this.loaded = true
    },
    clear() {
      this.user = null
      this.csrf = ''
      this.loaded = true
    },
    async login(username: string, password: string) {
      this.apply(await authApi.login(username, password))
    },
    /** Asks the server whether the cookie still holds a session. */
    async restore(): Promise<boolean> {
      try {
        this.apply(await authApi.me())
        return true
      } catch {
        this.clear()
        return false
      }
    },
    async logout() {
      try {
        await authApi.logout()
      } finally {
        this.clear()
      }
    },
    async loadRoles(): Promise<Role[]> {
      if (this.roles.length === 0) this.roles = (await authApi.roles()).items
      return this.roles
    },
    roleLabel(name: string): string {
      return this.roles.find((r) => r.name === name)?.label ?? name
    },
  },
})
