// A paged, searchable list bound to one GET endpoint answering {items,total,page,page_size}.
import { reactive, ref } from 'vue'
import type { Page } from '@/api/types'

export interface ListFilters {
  page: number
  page_size: number
  search: string
  unit_id: number | null
  include_inactive: boolean
}

export function useList<T>(fetcher: (f: ListFilters) => Promise<Page<T>>, initial: Partial<ListFilters> = {}) {
  const filters = reactive<ListFilters>({
    page: 1,
    page_size: 20,
    search: '',
    unit_id: null,
    include_inactive: false,
    ...initial,
  })
  const items = ref<T[]>([]) as { value: T[] }
  const total = ref(0)
  const loading = ref(false)

  async function load() {
    loading.value = true
    try {
      const p = await fetcher({ ...filters })
      items.value = p.items
      total.value = p.total
    } catch {
      items.value = []
      total.value = 0
    } finally {
      loading.value = false
    }
  }
  function search() {
    filters.page = 1
    void load()
  }
  return { filters, items, total, loading, load, search }
}
