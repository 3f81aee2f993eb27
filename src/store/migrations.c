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

const struct pgd_migration pgd_store_migrations[] = {
	{1, "registry", m0001_registry},
	{2, "audit", m0002_audit},
};
const int pgd_store_migration_count = (int)(sizeof(pgd_store_migrations) / sizeof(pgd_store_migrations[0]));
