// A real database on the writable root: SQLite (the system's libsqlite3) creates a database
// file, inserts 10 000 rows in one transaction (journal file created, written, synced and
// deleted), closes it, opens it again and checks the rows. Prints the time it took and
// "all passed: N of N checks passed"; exits with the number of failures.
#include <sqlite3.h>
#include <stdio.h>
#include <sys/types.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
  sqlite3* db = NULL;
  double t0 = now();
  check(mkdir("/data", 0755) == 0, "mkdir /data", 0);
  check(sqlite3_open("/data/test.db", &db) == SQLITE_OK, "open a new database", 0);
  check(sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, value REAL)", 0, 0,
                     0) == SQLITE_OK, "create table", 0);
  check(sqlite3_exec(db, "BEGIN", 0, 0, 0) == SQLITE_OK, "begin", 0);
  sqlite3_stmt* ins = NULL;
  check(sqlite3_prepare_v2(db, "INSERT INTO t(name, value) VALUES(?, ?)", -1, &ins, 0) == SQLITE_OK,
        "prepare insert", 0);
  int inserted = 0;
  char name[32];
  for (int i = 0; i < 10000; ++i) {
    snprintf(name, sizeof name, "row-%05d", i);
    sqlite3_bind_text(ins, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(ins, 2, i * 0.5);
    inserted += sqlite3_step(ins) == SQLITE_DONE;
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  check(inserted == 10000, "10000 inserts", inserted);
  check(sqlite3_exec(db, "COMMIT", 0, 0, 0) == SQLITE_OK, "commit", 0);
  check(sqlite3_close(db) == SQLITE_OK, "close", 0);
  double t1 = now();
  check(access("/data/test.db-journal", F_OK) != 0, "the journal is gone after the commit", 0);
  struct stat st;
  check(stat("/data/test.db", &st) == 0 && st.st_size > 100000, "database size", (long)st.st_size);

  check(sqlite3_open("/data/test.db", &db) == SQLITE_OK, "open again", 0);
  sqlite3_stmt* q = NULL;
  check(sqlite3_prepare_v2(db, "SELECT count(*), sum(value), max(name) FROM t", -1, &q, 0) ==
            SQLITE_OK && sqlite3_step(q) == SQLITE_ROW, "query", 0);
  check(sqlite3_column_int(q, 0) == 10000, "count(*)", sqlite3_column_int(q, 0));
  check(sqlite3_column_double(q, 1) == 24997500.0, "sum(value)", (long)sqlite3_column_double(q, 1));
  const unsigned char* max = sqlite3_column_text(q, 2);
  check(max && strcmp((const char*)max, "row-09999") == 0, "max(name)", 0);
  sqlite3_finalize(q);
  check(sqlite3_exec(db, "PRAGMA integrity_check", 0, 0, 0) == SQLITE_OK, "integrity_check", 0);
  sqlite3_close(db);
  printf("sqlite: 10000 rows inserted and committed in %.2f s\n", t1 - t0);
  printf("%s: %d of %d checks passed\n", failures ? "FAILED" : "all passed", checks - failures,
         checks);
  return failures;
}
