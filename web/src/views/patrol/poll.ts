// "Patrol now" and its progress: start a job (or follow the one already running), then poll
// GET /patrol/jobs/{id} every second until it is done or failed. No Vue, no Element Plus:
// the platform page binds the callbacks; the unit tests drive it with fake timers.
import { ApiError } from '@/api/http'
import type { JobInfo } from '@/api/patrolTypes'
import { jobStatusLabel } from './labels'

export const finished = (j: JobInfo) => j.status === 'done' || j.status === 'failed'

/** The percentage shown by the progress bar (0 while the total is unknown; 100 when done). */
export function progressPercent(j: JobInfo | null): number {
  if (!j) return 0
  if (j.status === 'done') return 100
  if (!j.progress_total || j.progress_total <= 0) return 0
  return Math.max(0, Math.min(100, Math.floor((j.progress_done / j.progress_total) * 100)))
}

/** "巡查中 120/300", "排队中", "已完成", "失败：原因". */
export function progressText(j: JobInfo | null): string {
  if (!j) return ''
  const s = jobStatusLabel[j.status] ?? j.status
  if (j.status === 'failed') return j.error ? `${s}：${j.error}` : s
  if (j.status === 'leased' && j.progress_total > 0) return `${s} ${j.progress_done}/${j.progress_total}`
  return s
}

export interface Starter {
  start: () => Promise<{ job: JobInfo }>
  /** The job already queued or running for this platform (after a 409), or null. */
  running: () => Promise<JobInfo | null>
}

/**
 * Starts a patrol; when the server answers 409 (one is already queued or running) the running
 * job is returned instead, with followed = true. Other errors are rethrown.
 */
export async function startOrFollow(s: Starter): Promise<{ job: JobInfo; followed: boolean }> {
  try {
    return { job: (await s.start()).job, followed: false }
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) {
      const j = await s.running()
      if (j) return { job: j, followed: true }
    }
    throw e
  }
}

export interface PollOptions {
  fetch: (id: number) => Promise<JobInfo>
  onUpdate: (j: JobInfo) => void
  /** Called once with the finished job (done or failed). */
  onDone: (j: JobInfo) => void
  /** Called once when polling gives up after maxErrors failed requests in a row. */
  onError?: (e: unknown) => void
  intervalMs?: number
  maxErrors?: number
}

export interface Poller {
  stop: () => void
  readonly active: boolean
}

/**
 * Polls a job every intervalMs (default 1 s, the first request after one interval) until it is
 * finished, the caller stops it, or maxErrors (default 5) requests fail in a row. One request at
 * a time: the next is scheduled only after the previous answered.
 */
export function pollJob(id: number, o: PollOptions): Poller {
  const interval = o.intervalMs ?? 1000
  const maxErrors = o.maxErrors ?? 5
  let timer: ReturnType<typeof setTimeout> | null = null
  let stopped = false
  let errors = 0
  const stop = () => {
    stopped = true
    if (timer !== null) clearTimeout(timer)
    timer = null
  }
  const tick = async () => {
    timer = null
    if (stopped) return
    try {
      const j = await o.fetch(id)
      if (stopped) return
      errors = 0
      o.onUpdate(j)
      if (finished(j)) {
        stop()
        o.onDone(j)
        return
      }
    } catch (e) {
      if (stopped) return
      errors++
      if (errors >= maxErrors) {
        stop()
        o.onError?.(e)
        return
      }
    }
    timer = setTimeout(() => void tick(), interval)
  }
  timer = setTimeout(() => void tick(), interval)
  return {
    stop,
    get active() {
      return !stopped
    },
  }
}
