// Chinese names of the patrol thresholds (keys of data/patrol/thresholds.tsv).
export const thresholdLabels: Record<string, string> = {
  weekly_min_items: '每周最少发布条数',
  zombie_days: '超过多少天未更新为“僵尸号”/首页长期未更新（天）',
  news_column_days: '动态要闻类栏目超期未更新（天）',
  notice_column_days: '通知公告、政策文件类栏目超期未更新（天）',
  slow_page_ms: '页面打开过慢（毫秒）',
  unavailable_timeout_ms: '监测超时判为不可访问（毫秒）',
  probes_per_day: '每天可用性监测次数',
  unavailable_fail_pct: '一周不可访问比例达到即不合格（%）',
  unavailable_warn_pct: '一周不可访问比例达到即预警（%）',
  empty_columns_fail: '空白栏目达到此数不合格',
  stale_columns_fail: '超期未更新栏目达到此数不合格',
  tls_warn_days: 'TLS 证书到期前预警（天）',
  deface_simhash_bits: '首页篡改判定的文本差异（SimHash 位数）',
}
