/*
 * pq_load.h - libpq, loaded only when a team database is opened.
 *
 * Linking libpq makes every start of prm load some twenty more shared
 * libraries (TLS, Kerberos, LDAP), which costs a one-shot command on a file
 * several times its own run time.  So prm loads libpq with dlopen the first
 * time it opens a postgresql:// database, and the PQ* names below go
 * through a table of the functions it found.  Include this instead of
 * <libpq-fe.h>.
 */
#ifndef PRM_PQ_LOAD_H
#define PRM_PQ_LOAD_H

#include <libpq-fe.h>

#include "prm/prm.h"

struct pq_api {
    PGconn *(*PQconnectdb)(const char *conninfo);
    void (*PQfinish)(PGconn *conn);
    ConnStatusType (*PQstatus)(const PGconn *conn);
    PGTransactionStatusType (*PQtransactionStatus)(const PGconn *conn);
    char *(*PQerrorMessage)(const PGconn *conn);
    PGresult *(*PQexec)(PGconn *conn, const char *query);
    PGresult *(*PQprepare)(PGconn *conn, const char *stmtName,
                           const char *query, int nParams,
                           const Oid *paramTypes);
    PGresult *(*PQexecPrepared)(PGconn *conn, const char *stmtName,
                                int nParams, const char *const *paramValues,
                                const int *paramLengths,
                                const int *paramFormats, int resultFormat);
    PGresult *(*PQexecParams)(PGconn *conn, const char *command,
                              int nParams, const Oid *paramTypes,
                              const char *const *paramValues,
                              const int *paramLengths,
                              const int *paramFormats, int resultFormat);
    int (*PQsendQuery)(PGconn *conn, const char *query);
    int (*PQsendQueryParams)(PGconn *conn, const char *command, int nParams,
                             const Oid *paramTypes,
                             const char *const *paramValues,
                             const int *paramLengths, const int *paramFormats,
                             int resultFormat);
    int (*PQsendQueryPrepared)(PGconn *conn, const char *stmtName,
                               int nParams, const char *const *paramValues,
                               const int *paramLengths,
                               const int *paramFormats, int resultFormat);
    PGresult *(*PQgetResult)(PGconn *conn);
    int (*PQsetSingleRowMode)(PGconn *conn);
    int (*PQenterPipelineMode)(PGconn *conn);
    int (*PQexitPipelineMode)(PGconn *conn);
    int (*PQpipelineSync)(PGconn *conn);
    ExecStatusType (*PQresultStatus)(const PGresult *res);
    char *(*PQresultErrorField)(const PGresult *res, int fieldcode);
    int (*PQntuples)(const PGresult *res);
    int (*PQnfields)(const PGresult *res);
    char *(*PQgetvalue)(const PGresult *res, int tup_num, int field_num);
    int (*PQgetisnull)(const PGresult *res, int tup_num, int field_num);
    int (*PQgetlength)(const PGresult *res, int tup_num, int field_num);
    char *(*PQcmdTuples)(PGresult *res);
    void (*PQclear)(PGresult *res);
    char *(*PQescapeLiteral)(PGconn *conn, const char *str, size_t len);
    char *(*PQescapeIdentifier)(PGconn *conn, const char *str, size_t len);
    void (*PQfreemem)(void *ptr);
    int (*PQputCopyData)(PGconn *conn, const char *buffer, int nbytes);
    int (*PQputCopyEnd)(PGconn *conn, const char *errormsg);
};

extern struct pq_api pq_api;

/* Load libpq and fill pq_api, once; PRM_EDB when it is not there. */
prm_code pq_load(prm_error *err);

#define PQconnectdb pq_api.PQconnectdb
#define PQfinish pq_api.PQfinish
#define PQstatus pq_api.PQstatus
#define PQtransactionStatus pq_api.PQtransactionStatus
#define PQerrorMessage pq_api.PQerrorMessage
#define PQexec pq_api.PQexec
#define PQprepare pq_api.PQprepare
#define PQexecPrepared pq_api.PQexecPrepared
#define PQexecParams pq_api.PQexecParams
#define PQsendQuery pq_api.PQsendQuery
#define PQsendQueryParams pq_api.PQsendQueryParams
#define PQsendQueryPrepared pq_api.PQsendQueryPrepared
#define PQgetResult pq_api.PQgetResult
#define PQsetSingleRowMode pq_api.PQsetSingleRowMode
#define PQenterPipelineMode pq_api.PQenterPipelineMode
#define PQexitPipelineMode pq_api.PQexitPipelineMode
#define PQpipelineSync pq_api.PQpipelineSync
#define PQresultStatus pq_api.PQresultStatus
#define PQresultErrorField pq_api.PQresultErrorField
#define PQntuples pq_api.PQntuples
#define PQnfields pq_api.PQnfields
#define PQgetvalue pq_api.PQgetvalue
#define PQgetisnull pq_api.PQgetisnull
#define PQgetlength pq_api.PQgetlength
#define PQcmdTuples pq_api.PQcmdTuples
#define PQclear pq_api.PQclear
#define PQescapeLiteral pq_api.PQescapeLiteral
#define PQescapeIdentifier pq_api.PQescapeIdentifier
#define PQfreemem pq_api.PQfreemem
#define PQputCopyData pq_api.PQputCopyData
#define PQputCopyEnd pq_api.PQputCopyEnd

#endif
