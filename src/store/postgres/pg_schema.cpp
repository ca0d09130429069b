#include "store/postgres/pg_schema.hpp"

#include "store/postgres/pg_connection.hpp"

namespace tenantd::store::postgres {

namespace {

std::string migrations_table(const std::string& environment) {
  return quoted_identifier("bbws-migrations-" + environment);
}

Error database_error(std::string_view what, const PgResult& result) {
  const std::string state = result.sqlstate();
  return Error::make(
      is_unavailable(state) ? ErrorCode::ServiceUnavailable : ErrorCode::InternalError,
      "postgres: " + std::string(what) + ": " + result.message());
}

}  // namespace

int known_schema_version() {
  return 1 + kIndexCount;
}

std::string quoted_identifier(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  out += '"';
  return out;
}

std::string quoted_table(Table table, const std::string& environment) {
  return quoted_identifier(table_name(table, environment));
}

std::vector<Migration> migrations(const std::string& environment) {
  std::vector<Migration> out;
  // Keys compare bytewise (COLLATE "C"), as in DynamoDB and SQLite, whatever the database's
  // locale; ttl is epoch seconds; data is the item's JSON object as the repositories wrote it.
  Migration base{1, "tables with keys, ttl and data", ""};
  for (const Table table : kAllTables) {
    const std::string bare = table_name(table, environment);
    const std::string name = quoted_identifier(bare);
    base.sql += "CREATE TABLE " + name +
                " (pk text COLLATE \"C\" NOT NULL, sk text COLLATE \"C\" NOT NULL, ttl bigint, "
                "data text NOT NULL, PRIMARY KEY (pk, sk));";
    base.sql += "CREATE INDEX " + quoted_identifier(bare + "-ttl") + " ON " + name +
                " (ttl) WHERE ttl IS NOT NULL;";
  }
  out.push_back(std::move(base));
  for (int n = 1; n <= kIndexCount; ++n) {
    const std::string i = std::to_string(n);
    Migration index{1 + n, "index GSI" + i, ""};
    for (const Table table : kAllTables) {
      const std::string bare = table_name(table, environment);
      const std::string name = quoted_identifier(bare);
      index.sql += "ALTER TABLE " + name + " ADD COLUMN gsi" + i + "pk text COLLATE \"C\", " +
                   "ADD COLUMN gsi" + i + "sk text COLLATE \"C\";";
      // The table key completes the index key, so pages break sort key ties by it (keyset
      // pagination over (gsi sk, pk, sk)) straight from the index.
      index.sql += "CREATE INDEX " + quoted_identifier(bare + "-gsi" + i) + " ON " + name +
                   " (gsi" + i + "pk, gsi" + i + "sk, pk, sk) WHERE gsi" + i + "pk IS NOT NULL;";
    }
    out.push_back(std::move(index));
  }
  return out;
}

Result<int> schema_version(PgConnection& connection, const std::string& environment) {
  const std::string name = "bbws-migrations-" + environment;
  Params params;
  params.text(name);  // Params keeps a view: `name` must outlive the call
  // to_regclass is NULL when the table does not exist: an empty database is version 0.
  PgResult exists = connection.run(
      "schema_exists", [] { return std::string("SELECT to_regclass(quote_ident($1))"); }, params);
  if (!exists.ok()) {
    return database_error("read schema version", exists);
  }
  if (exists.rows() != 1 || exists.is_null(0, 0)) {
    return 0;
  }
  PgResult version =
      connection.exec("SELECT coalesce(max(version), 0) FROM " + migrations_table(environment));
  if (!version.ok()) {
    return database_error("read schema version", version);
  }
  return static_cast<int>(version.integer(0, 0));
}

Status apply_migrations(PgConnection& connection, const std::string& environment) {
  const std::string table = migrations_table(environment);
  const std::string lock =
      "SELECT pg_advisory_xact_lock(hashtextextended('tenantd-migrate-" + environment + "', 0))";
  PgResult created = connection.exec("BEGIN;" + lock + ";CREATE TABLE IF NOT EXISTS " + table +
                                     " (version integer PRIMARY KEY, description text NOT NULL, "
                                     "applied_at timestamptz NOT NULL DEFAULT now());COMMIT;");
  if (!created.ok()) {
    connection.exec("ROLLBACK");
    return database_error("create the migrations table", created);
  }
  for (const Migration& migration : migrations(environment)) {
    // Each migration reads the version again under the lock: another replica may have just
    // applied it.
    PgResult begun = connection.exec("BEGIN;" + lock);
    if (!begun.ok()) {
      connection.exec("ROLLBACK");
      return database_error("begin migration", begun);
    }
    PgResult applied = connection.exec("SELECT coalesce(max(version), 0) FROM " + table);
    if (!applied.ok()) {
      connection.exec("ROLLBACK");
      return database_error("read schema version", applied);
    }
    const int current = static_cast<int>(applied.integer(0, 0));
    if (current > known_schema_version()) {
      connection.exec("ROLLBACK");
      return Error::make(ErrorCode::ValidationError,
                         "postgres: the schema of environment " + environment + " is at version " +
                             std::to_string(current) + ", newer than this tenantd knows (" +
                             std::to_string(known_schema_version()) + "): upgrade tenantd");
    }
    if (current >= migration.version) {
      connection.exec("COMMIT");
      continue;
    }
    std::string escaped;
    for (const char c : migration.description) {
      escaped += c;
      if (c == '\'') {
        escaped += '\'';
      }
    }
    PgResult done = connection.exec(migration.sql + "INSERT INTO " + table +
                                    " (version, description) VALUES (" +
                                    std::to_string(migration.version) + ", '" + escaped + "');");
    if (!done.ok()) {
      connection.exec("ROLLBACK");
      return database_error("migration " + std::to_string(migration.version), done);
    }
    PgResult committed = connection.exec("COMMIT");
    if (!committed.ok()) {
      return database_error("commit migration " + std::to_string(migration.version), committed);
    }
  }
  return {};
}

Status check_schema(PgConnection& connection, const std::string& environment) {
  TENANTD_TRY_ASSIGN(const int version, schema_version(connection, environment));
  const int known = known_schema_version();
  if (version > known) {
    return Error::make(ErrorCode::ValidationError,
                       "postgres: the schema of environment " + environment + " is at version " +
                           std::to_string(version) + ", newer than this tenantd knows (" +
                           std::to_string(known) +
                           "); refusing to start: upgrade this replica to the release that "
                           "migrated the database");
  }
  if (version < known) {
    return Error::make(ErrorCode::ValidationError,
                       "postgres: the schema of environment " + environment + " is at version " +
                           std::to_string(version) + ", this tenantd needs " +
                           std::to_string(known) + ": run `tenantd migrate` first");
  }
  return {};
}

}  // namespace tenantd::store::postgres
