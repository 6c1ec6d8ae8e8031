#ifndef PORTREG_CLIBPQ_SHIM_H
#define PORTREG_CLIBPQ_SHIM_H
/* A table of the libpq functions portreg calls, filled by dlopen/dlsym on first use: a SQLite
   user's process never loads libpq (nor the libssl, GSSAPI and LDAP libraries it pulls in).
   The build needs none of libpq's headers (no libpq-dev): the few types and constants below are
   facts of libpq's C API (libpq-fe.h, postgres_ext.h), fixed by its ABI (libpq.so.5),
   declared under the same names so the Swift code reads as libpq's documentation does. Only
   what portreg uses is declared; an enum's members are listed up to the last one it uses, in
   libpq's order, since their values are their positions. */
#include <dlfcn.h>
#include <stddef.h>

/* Opaque handles: a connection and a result. */
typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;
typedef unsigned int Oid;

typedef enum { CONNECTION_OK, CONNECTION_BAD } ConnStatusType;

typedef enum {
    PGRES_EMPTY_QUERY = 0,
    PGRES_COMMAND_OK,
    PGRES_TUPLES_OK,
    PGRES_COPY_OUT,
    PGRES_COPY_IN,
    PGRES_BAD_RESPONSE,
    PGRES_NONFATAL_ERROR,
    PGRES_FATAL_ERROR,
    PGRES_COPY_BOTH,
    PGRES_SINGLE_TUPLE
} ExecStatusType;

typedef enum { PQTRANS_IDLE, PQTRANS_ACTIVE, PQTRANS_INTRANS, PQTRANS_INERROR, PQTRANS_UNKNOWN } PGTransactionStatusType;

typedef void (*PQnoticeProcessor)(void *arg, const char *message);

/* One option of a parsed connection string (PQconninfoParse), in libpq's field order. */
typedef struct _PQconninfoOption {
    char *keyword;
    char *envvar;
    char *compiled;
    char *val;
    char *label;
    char *dispchar;
    int dispsize;
} PQconninfoOption;

/* The error fields of a failed result that portreg reads (postgres_ext.h's PG_DIAG_*). */
#define CPQ_DIAG_SQLSTATE 'C'
#define CPQ_DIAG_MESSAGE_PRIMARY 'M'
#define CPQ_DIAG_MESSAGE_DETAIL 'D'
#define CPQ_DIAG_CONSTRAINT_NAME 'n'

struct cpq_api {
    PGconn *(*connectdbParams)(const char *const *keywords, const char *const *values, int expand_dbname);
    ConnStatusType (*status)(const PGconn *conn);
    char *(*errorMessage)(const PGconn *conn);
    void (*finish)(PGconn *conn);
    PGTransactionStatusType (*transactionStatus)(const PGconn *conn);
    PQnoticeProcessor (*setNoticeProcessor)(PGconn *conn, PQnoticeProcessor proc, void *arg);
    int (*serverVersion)(const PGconn *conn);
    PGresult *(*exec)(PGconn *conn, const char *query);
    PGresult *(*execParams)(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                            const char *const *paramValues, const int *paramLengths, const int *paramFormats,
                            int resultFormat);
    int (*sendQueryParams)(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                           const char *const *paramValues, const int *paramLengths, const int *paramFormats,
                           int resultFormat);
    int (*setSingleRowMode)(PGconn *conn);
    PGresult *(*getResult)(PGconn *conn);
    ExecStatusType (*resultStatus)(const PGresult *res);
    char *(*resultErrorMessage)(const PGresult *res);
    char *(*resultErrorField)(const PGresult *res, int fieldcode);
    int (*ntuples)(const PGresult *res);
    int (*nfields)(const PGresult *res);
    char *(*fname)(const PGresult *res, int field_num);
    char *(*getvalue)(const PGresult *res, int tup_num, int field_num);
    int (*getlength)(const PGresult *res, int tup_num, int field_num);
    int (*getisnull)(const PGresult *res, int tup_num, int field_num);
    char *(*cmdTuples)(PGresult *res);
    void (*clear)(PGresult *res);
    int (*putCopyData)(PGconn *conn, const char *buffer, int nbytes);
    int (*putCopyEnd)(PGconn *conn, const char *errormsg);
    PQconninfoOption *(*conninfoParse)(const char *conninfo, char **errmsg);
    void (*conninfoFree)(PQconninfoOption *connOptions);
    void (*freemem)(void *ptr);
    int (*libVersion)(void);
};

/* Opens libpq and fills `api`. Returns NULL on success, else a static or dlerror() message
   naming what is missing (valid until the next dl call). */
static inline const char *cpq_load(struct cpq_api *api) {
    static const char *const names[] = {
        "libpq.so.5", "libpq.so", "libpq.5.dylib", "libpq.dylib",
        "/opt/homebrew/opt/libpq/lib/libpq.5.dylib", "/usr/local/opt/libpq/lib/libpq.5.dylib",
    };
    void *handle = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && handle == NULL; i++) {
        handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (handle == NULL) return "libpq.so.5 not found (Debian: apt-get install libpq5)";
#define CPQ_LOAD(field, symbol) \
    if ((*(void **)&api->field = dlsym(handle, symbol)) == NULL) return "libpq lacks " symbol;
    CPQ_LOAD(connectdbParams, "PQconnectdbParams")
    CPQ_LOAD(status, "PQstatus")
    CPQ_LOAD(errorMessage, "PQerrorMessage")
    CPQ_LOAD(finish, "PQfinish")
    CPQ_LOAD(transactionStatus, "PQtransactionStatus")
    CPQ_LOAD(setNoticeProcessor, "PQsetNoticeProcessor")
    CPQ_LOAD(serverVersion, "PQserverVersion")
    CPQ_LOAD(exec, "PQexec")
    CPQ_LOAD(execParams, "PQexecParams")
    CPQ_LOAD(sendQueryParams, "PQsendQueryParams")
    CPQ_LOAD(setSingleRowMode, "PQsetSingleRowMode")
    CPQ_LOAD(getResult, "PQgetResult")
    CPQ_LOAD(resultStatus, "PQresultStatus")
    CPQ_LOAD(resultErrorMessage, "PQresultErrorMessage")
    CPQ_LOAD(resultErrorField, "PQresultErrorField")
    CPQ_LOAD(ntuples, "PQntuples")
    CPQ_LOAD(nfields, "PQnfields")
    CPQ_LOAD(fname, "PQfname")
    CPQ_LOAD(getvalue, "PQgetvalue")
    CPQ_LOAD(getlength, "PQgetlength")
    CPQ_LOAD(getisnull, "PQgetisnull")
    CPQ_LOAD(cmdTuples, "PQcmdTuples")
    CPQ_LOAD(clear, "PQclear")
    CPQ_LOAD(putCopyData, "PQputCopyData")
    CPQ_LOAD(putCopyEnd, "PQputCopyEnd")
    CPQ_LOAD(conninfoParse, "PQconninfoParse")
    CPQ_LOAD(conninfoFree, "PQconninfoFree")
    CPQ_LOAD(freemem, "PQfreemem")
    CPQ_LOAD(libVersion, "PQlibVersion")
#undef CPQ_LOAD
    return NULL;
}

/* The error fields of a failed result (character constants, which Swift does not import). */
static inline int cpq_diag_sqlstate(void) { return CPQ_DIAG_SQLSTATE; }
static inline int cpq_diag_message_primary(void) { return CPQ_DIAG_MESSAGE_PRIMARY; }
static inline int cpq_diag_message_detail(void) { return CPQ_DIAG_MESSAGE_DETAIL; }
static inline int cpq_diag_constraint_name(void) { return CPQ_DIAG_CONSTRAINT_NAME; }
#endif
