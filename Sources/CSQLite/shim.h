#ifndef PORTREG_CSQLITE_SHIM_H
#define PORTREG_CSQLITE_SHIM_H
#include <sqlite3.h>

/* Swift cannot import SQLITE_TRANSIENT (a cast of -1 to a function pointer). */
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

/* sqlite3_db_config is variadic, which Swift cannot call. */
static inline int csqlite_enable_defensive(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0);
}

/* Double-quoted string literals off, in statements and in schema: "x" is always an
   identifier, so a misspelt column name is an error instead of the string 'x'
   (https://sqlite.org/quirks.html#dblquote). */
static inline int csqlite_disable_double_quoted_strings(sqlite3 *db) {
    int dml = sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)0);
    int ddl = sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)0);
    return dml != SQLITE_OK ? dml : ddl;
}

/* Memory statistics take a global mutex on every allocation; portreg never reads them.
   Must run before the library initialises (the first open). */
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
