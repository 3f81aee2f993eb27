import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus, { ElMessage } from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn.mjs'
import 'element-plus/dist/index.css'
import {
  ArrowDown, Document, HomeFilled, Key, Lock, Monitor, OfficeBuilding, Plus, Refresh, Search, Stamp, SwitchButton,
  User, UserFilled, View, Fold, Expand, Printer, Upload, Setting,
} from '@element-plus/icons-vue'
import App from './App.vue'
import router from './router'
import { configureClient } from './api/http'
import { useAuthStore } from './store/auth'
import './styles.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(ElementPlus, { locale: zhCn })
const icons = {
  ArrowDown, Document, HomeFilled, Key, Lock, Monitor, OfficeBuilding, Plus, Refresh, Search, Stamp, SwitchButton,
  User, UserFilled, View, Fold, Expand, Printer, Upload, Setting,
}
for (const [name, comp] of Object.entries(icons)) app.component(name, comp)

const auth = useAuthStore(pinia)
configureClient({
  csrf: () => auth.csrf,
  notify: (message) => {
    ElMessage({ type: 'error', message, grouping: true, showClose: true })
  },
  onUnauthenticated: () => {
    const wasSignedIn = auth.signedIn
    auth.clear()
    const here = router.currentRoute.value
    if (wasSignedIn && here.name !== 'login') void router.push({ name: 'login', query: { redirect: here.fullPath } })
  },
})

app.use(router)
app.mount('#app')
