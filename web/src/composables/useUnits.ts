// Every unit the user may see (GET /units?page_size=500), for selects and the tree.
import { ref } from 'vue'
import { units as unitsApi } from '@/api/registry'
import type { Unit } from '@/api/types'

export function useUnits() {
  const units = ref<Unit[]>([])
  async function loadUnits(includeInactive = false) {
    try {
      units.value = (await unitsApi.list({ page_size: 500, include_inactive: includeInactive })).items
    } catch {
      units.value = []
    }
  }
  const unitName = (id: number | null | undefined) => units.value.find((u) => u.id === id)?.name ?? ''
  return { units, loadUnits, unitName }
}
