/* The numbered migrations, in order. Never edit one that has shipped: add the next number.
 * SQL is the portable subset SQLite and PostgreSQL both accept: INTEGER PRIMARY KEY ids (the
 * PostgreSQL backend will have to turn these into identity columns when it runs a migration), TEXT ISO 8601 UTC timestamps written by the
 * program, CHECK constraints for enumerations, no database-specific functions.
 * units.principal_head_person_id is checked by the store (a units<->people FK cycle cannot be
 * created portably in one script). */
#include "store/internal.h"
#include "core/banned.h"

static const char m0001_registry[] =
	"CREATE TABLE units (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  parent_id INTEGER REFERENCES units(id),\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('town','department','organ','people_org','park','enterprise')),\n"
	"  party_body TEXT,\n"
	"  principal_head_person_id INTEGER,\n"
	"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','retired')),\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX units_parent ON units(parent_id);\n"
	"CREATE TABLE people (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  unit_id INTEGER NOT NULL REFERENCES units(id),\n"
	"  name TEXT NOT NULL,\n"
	"  post TEXT,\n"
	"  staff_type TEXT NOT NULL CHECK (staff_type IN ('formal','temporary','public_welfare')),\n"
	"  phone TEXT,\n"
	"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','left')),\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX people_unit ON people(unit_id);\n"
	"CREATE TABLE platforms (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  unit_id INTEGER NOT NULL REFERENCES units(id),\n"
	"  name TEXT NOT NULL,\n"
	"  type TEXT NOT NULL CHECK (type IN ('website','wechat','weibo','app','douyin','toutiao',\n"
	"    'baijiahao','yidian','thepaper','other')),\n"
	"  url_or_account TEXT NOT NULL,\n"
	"  site_code TEXT,\n"
	"  certified INTEGER NOT NULL DEFAULT 0 CHECK (certified IN (0,1)),\n"
	"  entry_point TEXT,\n"
	"  manager_person_id INTEGER REFERENCES people(id),\n"
	"  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL,\n"
	"  UNIQUE (type, url_or_account)\n"
	");\n"
	"CREATE INDEX platforms_unit ON platforms(unit_id);\n"
	"CREATE INDEX platforms_manager ON platforms(manager_person_id);\n";

/* The audit log (who changed what, when): an append-only SM3 hash chain.
 * Each row's hash links it to the previous one (see src/store/audit.c for the canonical
 * bytes); audit_head keeps the latest seq and hash so a cut-off tail is detected. The head
 * starts at seq 0 with the genesis link (64 zeros). */
static const char m0002_audit[] =
	"CREATE TABLE audit_log (\n"
	"  seq INTEGER PRIMARY KEY,\n"
	"  at TEXT NOT NULL,\n"
	"  actor TEXT NOT NULL,\n"
	"  action TEXT NOT NULL,\n"
	"  subject TEXT,\n"
	"  before_json TEXT,\n"
	"  after_json TEXT,\n"
	"  prev_hash TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE audit_head (\n"
	"  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
	"  seq INTEGER NOT NULL,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	"INSERT INTO audit_head (id, seq, hash) VALUES (1, 0,\n"
	"  '0000000000000000000000000000000000000000000000000000000000000000');\n";

/* Accounts, sessions and lockout; review groups and their filings (附件1); account custody
 * and handover (Art. 17); settings. Roles are stored as their English names (see
 * pgd_role_name). Sessions keep only the SM3 of the cookie token. login_failures and
 * account_locks are keyed by the username typed, so unknown names lock the same way and a
 * caller cannot tell which names exist. A filing is immutable once written: each change of
 * people is a new filing (Art. 13); members are snapshotted (name, post, phone) as filed. */
static const char m0003_accounts_reviews_custody[] =
	"CREATE TABLE users (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  username TEXT NOT NULL UNIQUE,\n"
	"  display_name TEXT NOT NULL,\n"
	"  person_id INTEGER REFERENCES people(id),\n"
	"  password_hash TEXT NOT NULL,\n"
	"  must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0,1)),\n"
	"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),\n"
	"  password_changed_at TEXT NOT NULL,\n"
	"  last_login_at TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX users_person ON users(person_id);\n"
	"CREATE TABLE user_roles (\n"
	"  user_id INTEGER NOT NULL REFERENCES users(id),\n"
	"  role TEXT NOT NULL CHECK (role IN ('author','proofreader','secrecy_reviewer',\n"
	"    'review_responsible','liaison','principal_head','supervising_leader','office_operator',\n"
	"    'office_admin','secrecy_office','egov_centre','system_admin','security_admin','audit_admin')),\n"
	"  PRIMARY KEY (user_id, role)\n"
	");\n"
	"CREATE TABLE login_failures (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  username TEXT NOT NULL,\n"
	"  at TEXT NOT NULL,\n"
	"  remote TEXT\n"
	");\n"
	"CREATE INDEX login_failures_user ON login_failures(username, at);\n"
	"CREATE TABLE account_locks (\n"
	"  username TEXT PRIMARY KEY,\n"
	"  locked_until TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE sessions (\n"
	"  token_hash TEXT PRIMARY KEY,\n"
	"  user_id INTEGER NOT NULL REFERENCES users(id),\n"
	"  csrf_token TEXT NOT NULL,\n"
	"  created_at TEXT NOT NULL,\n"
	"  last_seen_at TEXT NOT NULL,\n"
	"  remote TEXT\n"
	");\n"
	"CREATE INDEX sessions_user ON sessions(user_id);\n"
	"CREATE TABLE settings (\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE review_filings (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  unit_id INTEGER NOT NULL REFERENCES units(id),\n"
	"  group_name TEXT NOT NULL,\n"
	"  filed_by_user_id INTEGER REFERENCES users(id),\n"
	"  filed_by TEXT NOT NULL,\n"
	"  filed_at TEXT NOT NULL,\n"
	"  note TEXT\n"
	");\n"
	"CREATE INDEX review_filings_unit ON review_filings(unit_id, filed_at);\n"
	"CREATE TABLE review_filing_members (\n"
	"  filing_id INTEGER NOT NULL REFERENCES review_filings(id),\n"
	"  position INTEGER NOT NULL,\n"
	"  duty TEXT NOT NULL CHECK (duty IN ('leader','responsible','liaison','member')),\n"
	"  person_id INTEGER NOT NULL REFERENCES people(id),\n"
	"  name TEXT NOT NULL,\n"
	"  post TEXT,\n"
	"  phone TEXT,\n"
	"  PRIMARY KEY (filing_id, position)\n"
	");\n"
	"CREATE INDEX review_filing_members_person ON review_filing_members(person_id);\n"
	"CREATE TABLE custody (\n"
	"  platform_id INTEGER PRIMARY KEY REFERENCES platforms(id),\n"
	"  account TEXT NOT NULL,\n"
	"  secret_blob TEXT NOT NULL,\n"
	"  set_by TEXT NOT NULL,\n"
	"  set_at TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE handovers (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  platform_id INTEGER NOT NULL REFERENCES platforms(id),\n"
	"  from_person_id INTEGER REFERENCES people(id),\n"
	"  to_person_id INTEGER NOT NULL REFERENCES people(id),\n"
	"  initiated_by TEXT NOT NULL,\n"
	"  note TEXT,\n"
	"  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','confirmed','cancelled')),\n"
	"  created_at TEXT NOT NULL,\n"
	"  confirmed_by TEXT,\n"
	"  confirmed_at TEXT\n"
	");\n"
	"CREATE INDEX handovers_platform ON handovers(platform_id, status);\n";

/* The audit viewer filters by actor, action area and time, newest first: without these
 * indexes a filtered page scans the whole log (about 20 ms at 100k entries). */
static const char m0004_audit_indexes[] =
	"CREATE INDEX audit_log_actor ON audit_log(actor, seq);\n"
	"CREATE INDEX audit_log_action ON audit_log(action, seq);\n"
	"CREATE INDEX audit_log_at ON audit_log(at);\n";

/* Registry lists leave out retired units, people who left and closed platforms unless asked:
 * with these indexes the count and the page's ids come from the index, in id order, without
 * reading the rows. */
static const char m0005_status_indexes[] =
	"CREATE INDEX units_status ON units(status);\n"
	"CREATE INDEX people_status ON people(status);\n"
	"CREATE INDEX platforms_status ON platforms(status);\n";

const struct pgd_migration pgd_store_migrations[] = {
	{1, "registry", m0001_registry},
	{2, "audit", m0002_audit},
	{3, "accounts_reviews_custody", m0003_accounts_reviews_custody},
	{4, "audit_indexes", m0004_audit_indexes},
	{5, "status_indexes", m0005_status_indexes},
};
const int pgd_store_migration_count = (int)(sizeof(pgd_store_migrations) / sizeof(pgd_store_migrations[0]));
