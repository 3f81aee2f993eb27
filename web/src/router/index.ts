import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { useAuthStore } from '@/store/auth'
import Layout from '@/layout/index.vue'

declare module 'vue-router' {
  interface RouteMeta {
    title?: string
    /** any one of these permissions shows the page; none listed: every signed-in user */
    perms?: string[]
    icon?: string
    public?: boolean
    hidden?: boolean
  }
}

export const menuRoutes: RouteRecordRaw[] = [
  { path: '/dashboard', name: 'dashboard', component: () => import('@/views/dashboard/index.vue'),
    meta: { title: '首页', icon: 'HomeFilled' } },
  { path: '/registry/units', name: 'units', component: () => import('@/views/registry/units/index.vue'),
    meta: { title: '单位管理', icon: 'OfficeBuilding', perms: ['registry.read'] } },
  { path: '/registry/people', name: 'people', component: () => import('@/views/registry/people/index.vue'),
    meta: { title: '人员管理', icon: 'User', perms: ['registry.read'] } },
  { path: '/registry/platforms', name: 'platforms', component: () => import('@/views/registry/platforms/index.vue'),
    meta: { title: '平台管理', icon: 'Monitor', perms: ['registry.read'] } },
  { path: '/patrol/findings', name: 'patrol-findings', component: () => import('@/views/patrol/findings/index.vue'),
    meta: { title: '巡查处置', icon: 'View', perms: ['patrol.read'] } },
  { path: '/patrol/settings', name: 'patrol-settings', component: () => import('@/views/patrol/settings/index.vue'),
    meta: { title: '巡查设置', icon: 'Setting', perms: ['patrol.read'] } },
  { path: '/patrol/platforms/:id(\\d+)', name: 'patrol-platform', component: () => import('@/views/patrol/platform/index.vue'),
    meta: { title: '平台巡查', perms: ['patrol.read'], hidden: true } },
  { path: '/reviews/groups', name: 'review-groups', component: () => import('@/views/reviews/groups/index.vue'),
    meta: { title: '审核小组备案', icon: 'Stamp', perms: ['registry.read'] } },
  { path: '/custody', name: 'custody', component: () => import('@/views/custody/index.vue'),
    meta: { title: '账号托管与交接', icon: 'Key', perms: ['registry.read'] } },
  { path: '/system/users', name: 'users', component: () => import('@/views/system/users/index.vue'),
    meta: { title: '用户与角色', icon: 'UserFilled', perms: ['users.manage', 'roles.assign'] } },
  { path: '/system/audit', name: 'audit', component: () => import('@/views/system/audit/index.vue'),
    meta: { title: '审计日志', icon: 'Document', perms: ['audit.read'] } },
  { path: '/account/password', name: 'password', component: () => import('@/views/account/password/index.vue'),
    meta: { title: '修改密码', icon: 'Lock' } },
]

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/login/index.vue'),
    meta: { title: '登录', public: true } },
  { path: '/', component: Layout, redirect: '/dashboard', children: menuRoutes },
  { path: '/:pathMatch(.*)*', redirect: '/dashboard' },
]

// Hash history: the C server serves index.html for "/" only, so deep links stay client-side.
const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  if (!auth.loaded) await auth.restore()
  if (to.meta.public) {
    if (to.name === 'login' && auth.signedIn) return { path: '/dashboard' }
    return true
  }
  if (!auth.signedIn) return { name: 'login', query: to.fullPath !== '/dashboard' ? { redirect: to.fullPath } : {} }
  // the server refuses everything else until an initial, reset or expired password is changed
  if (auth.user?.must_change_password && to.name !== 'password') return { name: 'password' }
  if (to.meta.perms && !auth.can(...to.meta.perms)) return { path: '/dashboard' }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 政务新媒体信息发布监管系统` : '政务新媒体信息发布监管系统'
})

export default router
