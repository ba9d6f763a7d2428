/*
 * output.h - one small interface, two implementations: text for people
 * (output_text.c) and JSON Lines for programs (output_json.c).  Chosen once,
 * at start-up; command handlers never ask which one they have.
 */
#ifndef PRM_CLI_OUTPUT_H
#define PRM_CLI_OUTPUT_H

#include <stdio.h>

#include "prm/prm.h"

typedef struct cli_out cli_out;

/* The most columns a text table has (report partners --explain). */
#define CLI_MAX_COLUMNS 24

typedef struct cli_out_ops {
    /* An add or update succeeded; rec is the stored record when
     * needs_record is set, else NULL. */
    void (*changed)(cli_out *o, const char *verb, const prm_kind_info *info,
                    int64_t id, const prm_record *rec);
    /* Two records added by one command (a communication and its
     * follow-up task): called for each, part 0 then 1; rec as changed's. */
    void (*added_two)(cli_out *o, int part, const prm_kind_info *info,
                      int64_t id, const prm_record *rec);
    void (*show)(cli_out *o, const prm_record *rec);
    void (*list_begin)(cli_out *o, const prm_kind_info *info);
    bool (*list_row)(cli_out *o, const prm_record *rec);
    void (*list_end)(cli_out *o, const prm_kind_info *info, bool ok);
    void (*deleted)(cli_out *o, const prm_kind_info *info, int64_t id);
    void (*metrics)(cli_out *o, const prm_metrics *m);
    /* An export to a file or an import finished (verb: exported,
     * imported); only is the one kind it concerned (CSV) or -1 for all. */
    void (*transferred)(cli_out *o, const char *verb, const char *file,
                        const prm_counts *counts, int only);
    /* report partners: rows between begin and end, as a list's. */
    void (*report_begin)(cli_out *o, bool explain);
    bool (*report_row)(cli_out *o, const prm_report_row *r);
    void (*report_end)(cli_out *o, bool ok);
    /* report trend: periods between begin and end; metric is the one a
     * chart shows (text), by the period's length. */
    void (*trend_begin)(cli_out *o, const char *by, const char *metric);
    bool (*trend_row)(cli_out *o, const prm_trend_row *r);
    void (*trend_end)(cli_out *o, bool ok);
    /* insights: findings between begin and end, as a list's. */
    void (*insights_begin)(cli_out *o);
    bool (*finding)(cli_out *o, const prm_finding *f);
    void (*insights_end)(cli_out *o, bool ok);
    /* The agenda: items between begin and end, as a list's. */
    void (*agenda_begin)(cli_out *o);
    bool (*agenda_item)(cli_out *o, const prm_agenda_item *it);
    void (*agenda_end)(cli_out *o, bool ok);
    /* tier review (apply false) or tier apply: rows between begin and
     * end, as a list's; apply's are the partners it changed, changed of
     * them. */
    void (*tiers_begin)(cli_out *o, bool apply);
    bool (*tier_row)(cli_out *o, const prm_tier_row *r);
    void (*tiers_end)(cli_out *o, bool ok, int64_t changed);
    /* agenda ics FILE wrote items; report html FILE wrote a report
     * (items -1). */
    void (*calendar_written)(cli_out *o, const char *file, int64_t items);
    /* The audit log: rows between begin and end, as a list's. */
    void (*audit_begin)(cli_out *o);
    bool (*audit_row)(cli_out *o, const prm_audit_entry *e);
    void (*audit_end)(cli_out *o, bool ok);
    /* Changes an undo reverted, newest first. */
    void (*undone)(cli_out *o, const int64_t *changes,
                   char *const *commands, size_t n);
    void (*backed_up)(cli_out *o, const char *file);
    /* encrypt on, off or passphrase done (what: "on", "off",
     * "passphrase"). */
    void (*encryption)(cli_out *o, const char *what);
    /* Users of a team database: a user added or given a role (verb), and
     * the rows of user list between begin and end. */
    void (*user_changed)(cli_out *o, const char *verb, const char *name,
                         const char *role);
    void (*users_begin)(cli_out *o);
    bool (*user_row)(cli_out *o, const prm_user_info *u);
    void (*users_end)(cli_out *o, bool ok);
    /* A check's report; called when it found nothing wrong, and in text
     * mode also before the error that lists what it found. */
    void (*check)(cli_out *o, const prm_check_report *r);
    /* The prompt's settings (set alone). */
    void (*settings)(cli_out *o, bool json, bool csv, bool color,
                     bool pager);
    /* A block of text (help): key names it in JSON. */
    void (*text)(cli_out *o, const char *key, const char *text);
    void (*ok)(cli_out *o);
    /* A failed command; source is the file name or NULL for "prm". */
    void (*error)(cli_out *o, const prm_error *err, const char *source,
                  long line);
    bool needs_record;
    /* Whether lists show what a record refers to by name (prm_list's
     * names): a lookup per reference that output for programs, which
     * gives ids, does without. */
    bool ref_names;
} cli_out_ops;

struct cli_out {
    const cli_out_ops *ops;
    FILE *out, *err;
    bool color;     /* colour on stdout (a terminal, no NO_COLOR) */
    bool err_color; /* colour on stderr */
    bool utf8;      /* the locale can show Unicode */
    int width;      /* terminal columns, 0 when not a terminal */
    /* rows of a text table being built: in memory, and past a few
     * thousand, in an unnamed temporary file (output_text.c) */
    char **cells;
    size_t ncells, cap;
    FILE *spill;
    bool spill_failed; /* no file, or it would not take more: keep rows */
    size_t spilled_rows, spill_columns;
    size_t spill_width[CLI_MAX_COLUMNS]; /* the widest cell of each column */
    /* a JSON list being streamed */
    const prm_kind_info *list_kind;
    size_t list_rows;
    bool explain; /* report partners --explain */
    /* said after "added deal 7" in text: " (conflicts with ...)" */
    const char *change_note;
    /* tier apply's rows, not review's */
    bool tier_apply;
    /* the agenda's group being printed: -1 overdue, 0 today, 1 later, or
     * 2 before the first item */
    int agenda_group;
    /* --csv: the stream a table's rows are written to as JSON, rewound
     * for each row (output_csv.c) */
    FILE *row;
    char *row_text;
    size_t row_len;
    /* a trend chart being built: the metric and a value per period */
    const char *metric, *by;
    double *values;
    bool *has;
    size_t nvalues, values_cap;
};

/* The value in a period of one of report trend's metrics (a name from
 * prm_trend_metrics); false when a ratio has nothing to divide by. */
bool cli_trend_value(const prm_trend_row *r, const char *metric, double *v);

extern const cli_out_ops cli_text_ops;
extern const cli_out_ops cli_json_ops;
/* --csv: text's, with tables as CSV (output_csv.c). */
const cli_out_ops *cli_csv_ops(void);
/* A ratio as people read it: a rate as a percentage with one decimal,
 * another ratio with two, n/a when there is nothing to divide by. */
void cli_ratio_text(char *buf, size_t size, bool has, double v, bool percent);
/* Write a file as write says, into a new file beside it (mode 0600)
 * renamed over it when whole: a failure leaves the old file, or nothing,
 * behind.  A folder is PRM_EIO. */
prm_code cli_write_beside(const char *file,
                          prm_code (*write)(FILE *f, void *ctx,
                                            prm_error *err),
                          void *ctx, prm_error *err);
/* With --json, what write writes (a CSV, a calendar) as one object,
 * {"ok":true,KEY:"..."}, through a temporary file: a failure prints its
 * error alone, and memory stays flat. */
prm_code cli_json_string_of(cli_out *o, const char *key,
                            prm_code (*write)(FILE *f, void *ctx,
                                              prm_error *err),
                            void *ctx, prm_error *err);
/* A partner's row of tier review as a JSON object (output_json.c). */
void cli_json_tier_object(FILE *f, const prm_tier_row *r);
/* An agenda item as a JSON object (output_json.c). */
void cli_json_agenda_object(FILE *f, const prm_agenda_item *it);

/* {"ok":true,"KEY":"..."}: the text read from src (to its end) as one
 * JSON string, for output that is not JSON itself (an export as CSV or
 * JSON Lines) where every command answers with one object.  False when
 * src could not be read; then nothing was written. */
bool cli_json_text_file(cli_out *o, const char *key, FILE *src);

void cli_out_init(cli_out *o, bool json);
/* Read the terminal's width again (it was resized). */
void cli_out_measure(cli_out *o);
/* Colour on or off; on only takes where a terminal shows it and NO_COLOR
 * is not set. */
void cli_out_set_color(cli_out *o, bool on);
void cli_out_free(cli_out *o);
/* Closes --csv's rows' stream (cli_out_free does too). */
void cli_out_drop_rows(cli_out *o);

/* fflush(f), remembering in cli_output_errno why the first write that
 * failed did: the run reports it when it ends (main.c). */
void cli_flush(FILE *f);
extern int cli_output_errno;

/* The text of one field's value as a person reads it ("-" for none), newly
 * allocated; NULL when out of memory. */
char *cli_format_value(const prm_value *v);

#endif
