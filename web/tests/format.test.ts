import { describe, expect, it } from 'vitest'
import { diffJson, formatTime, label, platformTypeLabel, toApiTime } from '../src/utils/format'

describe('formatTime', () => {
  it('shows API timestamps in Beijing time', () => {
    expect(formatTime('2026-01-01T16:30:05Z')).toBe('2026-01-02 00:30:05')
    expect(formatTime('2026-12-31T15:59:59Z')).toBe('2026-12-31 23:59:59')
    expect(formatTime('2026-12-31T16:00:00Z', false)).toBe('2027-01-01 00:00')
  })
  it('handles missing and bad values', () => {
    expect(formatTime(null)).toBe('—')
    expect(formatTime('')).toBe('—')
    expect(formatTime('not a time')).toBe('not a time')
  })
  it('round-trips with toApiTime', () => {
    expect(toApiTime('2026-01-02 00:30:05')).toBe('2026-01-01T16:30:05Z')
    expect(toApiTime('2026-03-01')).toBe('2026-02-28T16:00:00Z')
    expect(formatTime(toApiTime('2026-07-15 08:00:00'))).toBe('2026-07-15 08:00:00')
  })
})

describe('label', () => {
  it('maps known values and passes unknown ones through', () => {
    expect(label(platformTypeLabel, 'wechat')).toBe('微信公众号')
    expect(label(platformTypeLabel, 'thepaper')).toBe('澎湃号')
    expect(label(platformTypeLabel, 'fax')).toBe('fax')
    expect(label(platformTypeLabel, null)).toBe('—')
  })
})

describe('diffJson', () => {
  it('compares objects key by key in sorted order', () => {
    const rows = diffJson({ name: '甲', active: true, phone: '1' }, { name: '乙', active: true, post: '科长' })
    expect(rows).toEqual([
      { key: 'active', kind: 'same', before: 'true', after: 'true' },
      { key: 'name', kind: 'changed', before: '甲', after: '乙' },
      { key: 'phone', kind: 'removed', before: '1', after: '' },
      { key: 'post', kind: 'added', before: '', after: '科长' },
    ])
  })
  it('treats a created record as all added and a null pair as nothing', () => {
    expect(diffJson(null, { id: 7 })).toEqual([{ key: 'id', kind: 'added', before: '', after: '7' }])
    expect(diffJson(null, null)).toEqual([])
    expect(diffJson('x', 'y')).toEqual([{ key: '值', kind: 'changed', before: 'x', after: 'y' }])
  })
})
