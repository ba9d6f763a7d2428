/*
 * commands.c - the table of commands and verbs, and dispatch.
 *
 * Past 700 lines on purpose: most of it is the two tables, data whose
 * entries each carry a command's whole help and examples; dispatch and
 * the lookups that read them sit beside them.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const prm_kind_info *partner_kind(void)
{
    return prm_kind_get(PRM_PARTNER);
}
static const prm_kind_info *project_kind(void)
{
    return prm_kind_get(PRM_PROJECT);
}
static const prm_kind_info *comm_kind(void)
{
    return prm_kind_get(PRM_COMMUNICATION);
}
static const prm_kind_info *resource_kind(void)
{
    return prm_kind_get(PRM_RESOURCE);
}
static const prm_kind_info *outcome_kind(void)
{
    return prm_kind_get(PRM_OUTCOME);
}
static const prm_kind_info *deal_kind(void)
{
    return prm_kind_get(PRM_DEAL);
}
static const prm_kind_info *task_kind(void)
{
    return prm_kind_get(PRM_TASK);
}
static const prm_kind_info *fund_kind(void)
{
    return prm_kind_get(PRM_FUND);
}
static const prm_kind_info *request_kind(void)
{
    return prm_kind_get(PRM_REQUEST);
}
static const prm_kind_info *claim_kind(void)
{
    return prm_kind_get(PRM_CLAIM);
}
static const prm_kind_info *tier_kind(void)
{
    return prm_kind_get(PRM_TIER);
}

#define RECORDS "Records (each has add, list, show, update, delete)"

const cli_command cli_commands[] = {
    {
        .name = "partner",
        .group = RECORDS,
        .summary = "organisations you work with",
        .examples = "partner add name=\"Acme Corp\" type=reseller region=EMEA tier=gold\n"
            "partner list region=EMEA status=active\n"
            "partner show \"Acme Corp\"\n"
            "partner update \"acme corp\" email=sales@acme.example\n"
            "partner delete 7 --cascade\n",
        .run = cli_cmd_kind,
        .kind = partner_kind,
    },
    {
        .name = "project",
        .group = RECORDS,
        .summary = "joint projects with one or more partners",
        .examples = "project add name=\"Cloud bundle\" partner=\"Acme Corp\" status=active "
            "start=2026-01-15\n"
            "project add name=Expo partners=1,2 due=2026-06-30\n"
            "project list partner=\"Acme Corp\" status=active\n"
            "project list partners=1,2\n"
            "project update \"Cloud bundle\" progress=60\n"
            "project update Expo status=succeeded result=\"12 leads\"\n",
        .run = cli_cmd_kind,
        .kind = project_kind,
    },
    {
        .name = "communication",
        .alias = "comm",
        .group = RECORDS,
        .summary = "every e-mail, call, meeting or chat with a partner",
        .examples = "comm add partner=\"Acme Corp\" method=phone subject=\"Q3 plan\" "
            "content=\"Agreed to a joint webinar\"\n"
            "comm add partner=\"acme corp\" project=\"Cloud bundle\" method=email "
            "at=2026-03-01T09:30 content=\"Sent the price list\"\n"
            "comm list partner=\"acme corp\" method=meeting\n"
            "comm list partner=\"acme corp\" since=2026-03-01 until=2026-03-31\n",
        .run = cli_cmd_kind,
        .kind = comm_kind,
    },
    {
        .name = "resource",
        .group = RECORDS,
        .summary = "people, technology or funding committed to a partner",
        .examples = "resource add partner=\"acme corp\" kind=funding amount=25000 unit=USD "
            "project=\"Cloud bundle\"\n"
            "resource add partner=\"acme corp\" kind=people amount=0.5 unit=FTE "
            "description=\"solutions engineer\"\n"
            "resource list kind=funding since=2026-01-01\n",
        .run = cli_cmd_kind,
        .kind = resource_kind,
    },
    {
        .name = "outcome",
        .group = RECORDS,
        .summary = "what a project produced",
        .examples = "outcome add project=\"Cloud bundle\" description=\"first 10 customers\" "
            "value=48000\n"
            "outcome list project=\"Cloud bundle\"\n"
            "outcome list partner=\"acme corp\"\n",
        .run = cli_cmd_kind,
        .kind = outcome_kind,
    },
    {
        .name = "deal",
        .group = RECORDS,
        .summary = "opportunities partners register, approved, expiring, won or lost",
        .examples = "deal add partner=\"Acme Corp\" customer=\"Globex, Inc.\" domain=globex.com "
            "product=Firewall amount=120000 close=2026-09-30\n"
            "deal list partner=\"acme corp\" status=submitted\n"
            "deal update 1 amount=95000.50 contact=\"Hank Scorpio\"\n"
            "deal approve 1 days=60\n"
            "deal list active=yes expiring=30\n"
            "deal won 1 amount=98000\n"
            "deal show 1\n",
        .run = cli_cmd_kind,
        .kind = deal_kind,
    },
    {
        .name = "task",
        .group = RECORDS,
        .summary = "follow-ups and next steps, with a due date",
        .examples = "task add title=\"Send the price list\" partner=\"Acme Corp\" due=2026-03-06\n"
            "task list status=open due_before=2026-03-09\n"
            "task list overdue=yes\n"
            "task update 1 due=2026-03-13 notes=\"after their board meeting\"\n"
            "task done 1\n"
            "task reopen 1\n"
            "task show 1\n",
        .run = cli_cmd_kind,
        .kind = task_kind,
    },
    {
        .name = "fund",
        .group = RECORDS,
        .summary = "market development funds: budgets partners request money from",
        .examples = "fund add name=\"MDF 2027 H1\" amount=250000 currency=EUR "
            "request_by=2027-05-31 claim_by=2027-07-31\n"
            "fund list\n"
            "fund show \"MDF 2027 H1\"\n"
            "fund update 1 amount=300000\n",
        .run = cli_cmd_kind,
        .kind = fund_kind,
    },
    {
        .name = "request",
        .group = RECORDS,
        .summary = "a partner's request for money from a fund, for an activity",
        .examples = "request add fund=\"MDF 2027 H1\" partner=\"Acme Corp\" "
            "activity=\"Trade show booth\" amount=12000\n"
            "request approve 1 amount=10000\n"
            "request list status=submitted\n"
            "request reject 2 reason=\"outside the program\"\n"
            "request cancel 3\n",
        .run = cli_cmd_kind,
        .kind = request_kind,
    },
    {
        .name = "claim",
        .group = RECORDS,
        .summary = "a claim, with proof, of money an approved request spent",
        .examples = "claim add request=1 amount=9500.50 proof=\"invoice 2026-114\"\n"
            "claim approve 1\n"
            "claim pay 1\n"
            "claim list request=1\n"
            "claim reject 2 reason=\"no receipt\"\n",
        .run = cli_cmd_kind,
        .kind = claim_kind,
    },
    {
        .name = "tier",
        .group = RECORDS,
        .summary = "the partner program's tiers and the results each needs",
        .examples = "tier add name=Gold rank=3 min_won_value=500000 min_deals_won=5\n"
            "tier add name=Silver rank=2 min_deals_won=2 window_days=180\n"
            "tier list\n"
            "tier review region=EMEA\n"
            "tier apply\n",
        .run = cli_cmd_kind,
        .kind = tier_kind,
    },
    {
        .name = "agenda",
        .group = "Follow-ups",
        .usage = "agenda [ics [FILE]] [FILTER=VALUE...]",
        .summary = "what needs doing: overdue, today, this week",
        .details = "Filters: days=N, partner=REF, owner=USER (a team database),\n"
            "quiet_days=N.  Lists, from the past up to the end of the day N days\n"
            "ahead (days=, default 7; 0 is today), each item dated:\n"
            "  task           an open task, by its due date\n"
            "  deal_expiring  an approved deal, by when its protection ends\n"
            "  deal_close     an approved deal, by its expected close\n"
            "  project_due    a planned or active project, by its due date\n"
            "  partner_quiet  an active partner with active work and no contact\n"
            "                 for quiet_days= (default 90), by when it went quiet\n"
            "Overdue items (their day is past) come first.  partner=REF keeps one\n"
            "partner's items; owner=USER (a team database) one user's tasks and\n"
            "partners.  agenda ics writes the same items as an iCalendar file\n"
            "(RFC 5545), to FILE or standard output, for a calendar program.\n",
        .examples = "agenda\n"
            "agenda days=14\n"
            "agenda partner=\"Acme Corp\" quiet_days=30\n"
            "agenda ics agenda.ics\n",
        .run = cli_cmd_agenda,
    },
    {
        .name = "metrics",
        .group = "Numbers",
        .usage = "metrics [FILTER=VALUE...]",
        .summary = "relationship degree, project success rate, resource efficiency",
        .details = "Counts partners, projects, communications, resources and outcomes, and\n"
            "the ratios between them:\n"
            "  relationship_degree   projects / partners\n"
            "  project_success_rate  succeeded projects / all projects\n"
            "  closed_success_rate   succeeded / (succeeded + failed)\n"
            "  resource_efficiency   outcomes / resources\n"
            "and of deals: deals, deals_won, deals_lost, deals_active,\n"
            "  deal_win_rate         won / (won + lost)\n"
            "  deal_approval_rate    ever approved / (ever approved + rejected)\n"
            "  pipeline_value        amount of approved deals not expired\n"
            "  won_value             amount of won deals\n"
            "A ratio with nothing to divide by is n/a (null in JSON).\n\n"
            "Filters: partner=REF type= region= status= choose the partners in\n"
            "scope; since=DATE and until=DATE (inclusive; a date alone as until\n"
            "takes in that whole day) limit projects by start (or creation),\n"
            "deals by created_at, and communications, resources and outcomes by\n"
            "their own date.  Active and the pipeline are read at until= or now.\n",
        .examples = "metrics\n"
            "metrics region=EMEA\n"
            "metrics partner=\"Acme Corp\" since=2026-01-01 until=2026-03-31\n",
        .run = cli_cmd_metrics,
    },
    {
        .name = "report",
        .group = "Numbers",
        .usage = "report partners|trend|html [FILTER=VALUE...]",
        .summary = "partners side by side, the metrics over time, or a web page",
        .details = "A row per partner: projects, succeeded, failed, project success "
            "rate,\ncommunications, last contact, resources, outcomes, resource "
            "efficiency,\ndeals, deals won, deal win rate, won value;\neach figure is the one metrics partner=ID gives, with the "
            "same filters\n(type=, region=, status=, partner=, since=, until=).  "
            "sort=FIELD orders the\nrows by a field (figures largest first, a "
            "ratio with no value last,\nname from A), limit=N keeps the first N.  "
            "Each row has a health score,\n0 to 100, from recency and frequency "
            "of contact, closed success and\nefficiency; --explain shows the "
            "terms (doc/guide.md: Health).\n\n"
            "report trend [by=month|quarter|year] [metric=NAME] [FILTER=VALUE...] "
            "shows\nper period the projects started, succeeded and failed, "
            "communications,\nresources, outcomes and partners added, and the three "
            "ratios as of the\nperiod's end; on a terminal as a bar chart of "
            "metric= (default projects).\nThe periods run without a gap from the "
            "first with anything in it to today\n(or until=, if sooner).\n\n"
            "report html FILE [FILTER=VALUE...] writes one self-contained HTML "
            "page\n(no scripts, nothing fetched): the headline metrics, the trend "
            "chart,\nthe partner scorecard, the deal pipeline, what is overdue and "
            "the\ninsights, for a browser, a phone or the printer.\n",
        .examples = "report partners\nreport partners region=APAC\n"
            "report partners sort=health limit=10 --explain\n"
            "report trend by=quarter metric=project_success_rate\n"
            "report html report.html region=EMEA\n",
        .run = cli_cmd_report,
    },
    {
        .name = "insights",
        .group = "Numbers",
        .usage = "insights [FILTER=VALUE...]",
        .summary = "where to act next: stalled, dormant, idle, expand, gaps",
        .details = "Findings, most urgent first, each with the rule that fired and the "
            "numbers\nbehind it:\n"
            "  deal_conflict    a submitted deal in conflict: decide\n"
            "  stalled_project  active, past due or not updated for stalled_days "
            "(30)\n"
            "  deal_expiring    approved, protection ends within expiring_days (14)\n"
            "  deal_past_close  approved, its expected close has passed\n"
            "  dormant_partner  has projects, no contact for dormant_days (90)\n"
            "  idle_resources   resources on a project with no outcome yet\n"
            "  expand_partner   closed success >= expand_rate (0.6) or efficiency "
            ">=\n                   expand_efficiency (1.0), at most "
            "expand_max_projects (2)\n"
            "  coverage_gap     a region or type with activity but at most\n"
            "                   gap_max_partners (1) active partners\n"
            "Filters: partner=, type=, region=, status= (inactive partners are "
            "left out\nunless asked for), until=DATE (the analysis date; default "
            "now), limit=N\nfindings per rule (default 10, 0 for all).\n",
        .examples = "insights\ninsights region=APAC dormant_days=60\n"
            "insights expand_rate=0.8 limit=0\n",
        .run = cli_cmd_insights,
    },
    {
        .name = "export",
        .group = "Data",
        .usage = "export json|jsonl [FILE], or csv KIND [FILE]; encrypt=yes",
        .summary = "write the records, to FILE (mode 0600) or stdout",
        .details = "json writes one document, prm's export object:\n"
            "  {\"ok\":true,\"format\":\"prm-export\",\"version\":2,"
            "\"partners\":[...],\"projects\":[...],\n"
            "   \"communications\":[...],\"resources\":[...],\"outcomes\":[...],\n"
            "   \"deals\":[...],\"tasks\":[...],\"funds\":[...],\"requests\":[...],"
            "\"claims\":[...],\"tiers\":[...]}\n"
            "(a fund's sums, worked out when read, are left out).\n"
            "jsonl writes {\"format\":\"prm-jsonl\",\"version\":2} and then one "
            "record a line,\nkeyed by its kind: {\"partner\":{...}}.  Memory stays "
            "flat however large\nthe database.  Importing an export into a new "
            "database gives every record\nits id and fields back.\n"
            "csv KIND writes one kind as CSV (RFC 4180) for spreadsheets: a header "
            "row\nof field names, then a row per record.\n"
            "encrypt=yes (with a FILE) seals the file with a passphrase: "
            "PRM_PASSPHRASE_FILE's\nfirst line, PRM_PASSPHRASE, or asked twice "
            "on the terminal; import opens it.\n",
        .examples = "export json partners.json\nexport jsonl backup.jsonl\nexport json\n"
            "export csv partner partners.csv\n",
        .run = cli_cmd_export,
    },
    {
        .name = "import",
        .group = "Data",
        .usage = "import json|jsonl FILE, or csv KIND FILE",
        .summary = "add every record of an export; all or nothing",
        .details = "A bad file (not JSON, not a prm export, a wrong type, an unknown "
            "field,\na reference to a record the file does not hold, a name that "
            "is taken)\nis refused whole with a message saying where, and the "
            "database is left\nas it was.  Into an empty database the records keep "
            "their ids; into one\nwith records they get new ids and references "
            "are mapped to match.\n"
            "json is read a record at a time, in the order export writes: format "
            "and\nversion first, then partners, projects, communications, "
            "resources, outcomes.\nFILE - is stdin (prm import jsonl - < "
            "all.jsonl), unless the commands\ncome from it.\n"
            "csv KIND adds a row per record as KIND add would: the header names "
            "the\nfields, references may be ids or names, an empty cell is no "
            "value, and\nthe id, created_at and updated_at columns are ignored.\n",
        .examples = "import json partners.json\nimport jsonl backup.jsonl\n"
            "import csv partner partners.csv\n",
        .run = cli_cmd_import,
    },
    {
        .name = "audit",
        .group = "Safety",
        .usage = "audit [FILTER=VALUE...]",
        .summary = "every change: when, who, the command, the record before and after",
        .details = "Lists the newest 50 entries of the audit log (limit=N for another "
            "number,\nlimit=0 for all), oldest first.  Filters: kind= (partner, "
            "project,\ncommunication, resource, outcome, deal, task, "
            "project_partner),\nid= (the record's id; with "
            "kind=partner or kind=project, a name too),\n"
            "user=, since=DATE, until=DATE.\nEvery add, update and delete, by a "
            "command, an import or an undo, is\nrecorded in the same transaction "
            "as the change; the entries of one command\nshare a change number.  "
            "No command alters or removes an entry.\n",
        .examples = "audit\naudit kind=partner id=3\naudit kind=partner id=\"Acme Corp\"\n"
            "audit since=2026-03-01 limit=0\n",
        .run = cli_cmd_audit,
    },
    {
        .name = "undo",
        .group = "Safety",
        .usage = "undo [N]",
        .summary = "revert the last N changes (default 1)",
        .details = "Reverts the newest N changes (one change per command) that have not "
            "been\nundone, using the images the audit log keeps: what was added is "
            "deleted,\nwhat was changed or deleted is put back, with its id (a "
            "cascade's records\ntoo).  The undo is itself recorded.  All or "
            "nothing: when a change can no\nlonger be reverted (a record added "
            "since refers to it, say), nothing is.\n",
        .examples = "undo\nundo 3\n",
        .run = cli_cmd_undo,
    },
    {
        .name = "backup",
        .group = "Safety",
        .usage = "backup FILE [encrypt=yes]",
        .summary = "a consistent copy of the database, mode 0600",
        .details = "Copies the database with SQLite's online backup, while others may be "
            "using\nit.  To restore, open the copy: prm --db FILE, or restore FILE.  "
            "A team\ndatabase is copied into a prm file: its records as of one "
            "moment, with\ntheir ids (the audit log stays on the server).  "
            "encrypt=yes seals the copy\nwith a passphrase (PRM_PASSPHRASE_FILE, "
            "PRM_PASSPHRASE, or asked twice).\n",
        .examples = "backup /var/backups/prm-2026-03-01.db\n",
        .run = cli_cmd_backup,
        .needs_commit = true,
    },
    {
        .name = "restore",
        .group = "Safety",
        .usage = "restore FILE [force=yes]",
        .summary = "the records of a backup (encrypted or not) into this database",
        .details = "Puts the records of a backup made by backup, with their ids, into an "
            "empty\ndatabase; into one that has records only with force=yes, which "
            "replaces\nthem (all in one transaction, undone whole if anything "
            "fails).  An encrypted\nbackup is opened with its passphrase.\n",
        .examples = "restore /var/backups/prm-2026-03-01.db\n",
        .run = cli_cmd_restore,
        .needs_commit = true,
    },
    {
        .name = "encrypt",
        .group = "Safety",
        .usage = "encrypt on|off|passphrase",
        .summary = "seal the sensitive fields at rest under a passphrase",
        .details = "encrypt on seals, in the database, every partner's email, "
            "phone and notes,\nevery communication's subject and content, "
            "every deal's contact and notes,\nthe notes of tasks and funds, "
            "with the audit log's images and commands,\nunder a key kept "
            "wrapped by the passphrase (PRM_PASSPHRASE_FILE,\nPRM_PASSPHRASE, "
            "or asked twice).  From then on the database opens only\nwith the "
            "passphrase; every command gives the same results.  encrypt\n"
            "passphrase wraps the key under a new one (PRM_NEW_PASSPHRASE_FILE,"
            "\nPRM_NEW_PASSPHRASE, or asked twice); encrypt off opens "
            "everything again.\nNames, amounts and dates stay readable, so "
            "that metrics run in SQL.\n",
        .examples = "encrypt on\nencrypt passphrase\nencrypt off\n",
        .run = cli_cmd_encrypt,
        .needs_commit = true,
    },
    {
        .name = "check",
        .group = "Safety",
        .usage = "check [repair=yes]",
        .summary = "integrity, foreign keys, schema version, file permissions",
        .details = "On a file: checks every page (SQLite's integrity_check) and every "
            "reference\n(foreign_key_check), reads the schema version, and warns "
            "when the database\nfile or its folder is open to other users.  On a "
            "team database: checks the\nschema version, that every table keeps "
            "its row-level security and audit\ntrigger, and that every project "
            "has a partner (the server keeps its pages).\nOn both, the counts of "
            "records kept for metrics are counted again and\ncompared; "
            "repair=yes (an admin's on a team database) first counts them\n"
            "again from the records.  The command fails (exit status 1) when "
            "anything\nis wrong.\n",
        .examples = "check\ncheck repair=yes\n",
        .run = cli_cmd_check,
        .needs_commit = true,
    },
    {
        .name = "user",
        .group = "Team",
        .usage = "user add|role|list [NAME role=ROLE]",
        .summary = "the users of a team database and their roles",
        .details = "On a team database (--db postgresql://...), admins add users and "
            "change\ntheir roles; everyone may list them.  Roles: admin "
            "(everything, and users),\nmanager (adds records; changes only the "
            "partners they own, and those\npartners' projects, communications, "
            "resources and outcomes), viewer\n(reads and reports).  The database "
            "enforces them, for psql too.  A partner's\nowner (who manages it) is "
            "whoever added it; an admin hands it over with\npartner update REF "
            "owner=USER.  password= sets a login password; without\none, the "
            "server's authentication (pg_hba.conf) decides.\n",
        .examples = "user add alice role=manager password='s3cret'\nuser role bob "
            "role=viewer\nuser list\npartner update \"acme corp\" owner=alice\n",
        .run = cli_cmd_user,
    },
    {
        .name = "set",
        .group = "Session",
        .usage = "set [json|csv|color|pager on|off]",
        .summary = "settings of the prompt; set alone lists them",
        .details = "json on prints JSON Lines, as --json does; csv on prints tables as "
            "CSV,\nas --csv does; color on uses colour on a terminal\n(never with NO_COLOR); pager on sends output longer than "
            "the terminal\nthrough $PAGER (default: less -FRX).  The prompt runs "
            "the set commands of\n$XDG_CONFIG_HOME/prm/config (else "
            "~/.config/prm/config) when it starts.\n",
        .examples = "set\nset pager off\nset json on\n",
        .run = cli_cmd_set,
    },
    {
        .name = "history",
        .group = "Session",
        .usage = "history [N]",
        .summary = "the last N entries of the prompt's history (default 20)",
        .details = "The prompt keeps its history in $XDG_STATE_HOME/prm/history (else\n"
            "~/.local/state/prm/history), PRM_HISTSIZE entries (default 1000); an "
            "entry\nthat starts with a space is not kept.\n",
        .examples = "history\nhistory 5\n",
        .run = cli_cmd_history,
    },
    {
        .name = "help",
        .group = "Session",
        .usage = "help [COMMAND]",
        .summary = "list the commands, or explain one",
        .details = "help --words TOPIC prints the KEY= words TOPIC takes, on "
            "one line: a kind's\nfields that can be set, or the keys of "
            "metrics, partners (report partners),\ntrend, insights and audit "
            "(the bash completion asks for them).\n",
        .examples = "help\nhelp partner\nhelp --words partner\n",
        .run = cli_cmd_help,
    },
    {
        .name = "quit",
        .alias = "exit",
        .group = "Session",
        .usage = "quit | exit",
        .summary = "leave prm",
        .examples = "quit\n",
        .run = cli_cmd_quit,
    },
};
const size_t cli_ncommands = sizeof cli_commands / sizeof cli_commands[0];

const cli_verb cli_verbs[] = {
    {
        .name = "add",
        .args = "FIELD=VALUE...",
        .summary = "add a record",
        .takes_fields = true,
        .run = cli_verb_add,
    },
    {
        .name = "list",
        .args = "[FIELD=VALUE...]",
        .summary = "list the records that match every filter",
        .takes_fields = true,
        .run = cli_verb_list,
    },
    {
        .name = "show",
        .args = "REF",
        .summary = "show one record",
        .takes_ref = true,
        .run = cli_verb_show,
    },
    {
        .name = "update",
        .args = "REF FIELD=VALUE...",
        .summary = "change fields of a record",
        .takes_ref = true,
        .takes_fields = true,
        .run = cli_verb_update,
    },
    {
        .name = "delete",
        .args = "REF [--cascade]",
        .summary = "delete a record (--cascade: with the records that refer to it)",
        .takes_ref = true,
        .flag = "--cascade",
        .run = cli_verb_delete,
    },
    {
        .name = "approve",
        .args = "REF [days=N]",
        .summary = "submitted -> approved; expires in N days (default 90)",
        .takes_ref = true,
        .takes_fields = true,
        .run = cli_verb_deal_move,
        .kind = deal_kind,
    },
    {
        .name = "reject",
        .args = "REF reason=TEXT",
        .summary = "submitted -> rejected, saying why",
        .takes_ref = true,
        .takes_fields = true,
        .run = cli_verb_deal_move,
        .kind = deal_kind,
    },
    {
        .name = "extend",
        .args = "REF days=N",
        .summary = "approved or expired -> approved, N days more",
        .takes_ref = true,
        .takes_fields = true,
        .run = cli_verb_deal_move,
        .kind = deal_kind,
    },
    {
        .name = "won",
        .args = "REF [amount=N]",
        .summary = "approved or expired -> won",
        .takes_ref = true,
        .takes_fields = true,
        .run = cli_verb_deal_move,
        .kind = deal_kind,
    },
    {
        .name = "lost",
        .args = "REF [reason=TEXT]",
        .summary = "approved or expired -> lost",
        .takes_ref = true,
        .takes_fields = true,
        .run = cli_verb_deal_move,
        .kind = deal_kind,
    },
    {
        .name = "cancel",
        .args = "REF",
        .summary = "submitted or approved -> cancelled",
        .takes_ref = true,
        .run = cli_verb_deal_move,
        .kind = deal_kind,
    },
    {
        .name = "conflicts",
        .args = "[FIELD=VALUE...]",
        .summary = "every active deal in conflict, with those it conflicts with",
        .takes_fields = true,
        .run = cli_verb_deal_conflicts,
        .kind = deal_kind,
    },
    {
        .name = "done",
        .args = "REF",
        .summary = "open -> done; done_at is now",
        .takes_ref = true,
        .run = cli_verb_task_move,
        .kind = task_kind,
    },
    {
        .name = "cancel",
        .args = "REF",
        .summary = "open -> cancelled",
        .takes_ref = true,
        .run = cli_verb_task_move,
        .kind = task_kind,
    },
    {
        .name = "reopen",
        .args = "REF",
        .summary = "done or cancelled -> open",
        .takes_ref = true,
        .run = cli_verb_task_move,
        .kind = task_kind,
    },
    {
        .name = "approve",
        .args = "REF [amount=N]",
        .summary = "submitted -> approved, N of it (default all; no more than the fund has)",
        .takes_ref = true,
        .takes_fields = true,
        .run = cli_verb_money_move,
        .kind = request_kind,
    },
    {
        .name = "reject",
        .args = "REF reason=TEXT",
        .summary = "submitted -> rejected, saying why",
        .takes_ref = true,
        .takes_fields = true,
        .run = cli_verb_money_move,
        .kind = request_kind,
    },
    {
        .name = "cancel",
        .args = "REF",
        .summary = "submitted, or approved without claims -> cancelled",
        .takes_ref = true,
        .run = cli_verb_money_move,
        .kind = request_kind,
    },
    {
        .name = "approve",
        .args = "REF",
        .summary = "submitted -> approved",
        .takes_ref = true,
        .run = cli_verb_money_move,
        .kind = claim_kind,
    },
    {
        .name = "reject",
        .args = "REF reason=TEXT",
        .summary = "submitted or approved -> rejected, saying why",
        .takes_ref = true,
        .takes_fields = true,
        .run = cli_verb_money_move,
        .kind = claim_kind,
    },
    {
        .name = "pay",
        .args = "REF",
        .summary = "approved -> paid: adds the funding resource of the payment",
        .takes_ref = true,
        .run = cli_verb_money_move,
        .kind = claim_kind,
    },
    {
        .name = "review",
        .args = "[FILTER=VALUE...]",
        .summary = "each partner's tier, the one it qualifies for, and what the next needs",
        .takes_fields = true,
        .run = cli_verb_tier_review,
        .kind = tier_kind,
    },
    {
        .name = "apply",
        .args = "[FILTER=VALUE...]",
        .summary = "set each partner's tier to the one it qualifies for",
        .takes_fields = true,
        .run = cli_verb_tier_apply,
        .kind = tier_kind,
    },
};
const size_t cli_nverbs = sizeof cli_verbs / sizeof cli_verbs[0];

const cli_command *cli_command_find(const char *name)
{
    for (size_t i = 0; i < cli_ncommands; i++)
        if (strcmp(cli_commands[i].name, name) == 0 ||
            (cli_commands[i].alias && strcmp(cli_commands[i].alias, name) == 0))
            return &cli_commands[i];
    return NULL;
}

bool cli_verb_of(const cli_verb *v, const prm_kind_info *info)
{
    return v->kind == NULL || v->kind() == info;
}

const cli_verb *cli_verb_find(const prm_kind_info *info, const char *name)
{
    for (size_t i = 0; i < cli_nverbs; i++)
        if (strcmp(cli_verbs[i].name, name) == 0 &&
            cli_verb_of(&cli_verbs[i], info))
            return &cli_verbs[i];
    return NULL;
}

static prm_code unknown_command(const char *word, prm_error *err)
{
    const char *names[2 * sizeof cli_commands / sizeof cli_commands[0]];
    size_t n = 0;
    for (size_t i = 0; i < cli_ncommands; i++) {
        names[n++] = cli_commands[i].name;
        if (cli_commands[i].alias)
            names[n++] = cli_commands[i].alias;
    }
    const char *near = prm_suggest(word, names, n);
    if (near != NULL)
        return prm_error_set(err, PRM_EUNKNOWN_COMMAND,
                             "unknown command '%s'; did you mean '%s'? "
                             "(help lists the commands)",
                             word, near);
    return prm_error_set(err, PRM_EUNKNOWN_COMMAND,
                         "unknown command '%s'; help lists the commands", word);
}

static bool reserve_args(cli_ctx *ctx, size_t n)
{
    if (n <= ctx->cap)
        return true;
    prm_arg *kv = realloc(ctx->kv, n * sizeof *kv);
    if (kv != NULL)
        ctx->kv = kv;
    const char **pos = realloc(ctx->pos, n * sizeof *pos);
    if (pos != NULL)
        ctx->pos = pos;
    const char **flags = realloc(ctx->flags, n * sizeof *flags);
    if (flags != NULL)
        ctx->flags = flags;
    if (kv == NULL || pos == NULL || flags == NULL)
        return false;
    ctx->cap = n;
    return true;
}

void cli_ctx_free(cli_ctx *ctx)
{
    free(ctx->kv);
    free(ctx->pos);
    free(ctx->flags);
    ctx->kv = NULL;
    ctx->pos = ctx->flags = NULL;
    ctx->cap = 0;
}

/* Sort words from `from` on into references, fields and --flags.  The
 * words' text is split in place at the '=' of FIELD=VALUE. */
static prm_code split_args(cli_ctx *ctx, const cli_words *w, size_t from,
                           cli_args *a, prm_error *err)
{
    *a = (cli_args){.pos = NULL};
    if (!reserve_args(ctx, w->n))
        return prm_error_nomem(err);
    a->pos = ctx->pos;
    a->kv = ctx->kv;
    a->flags = ctx->flags;
    for (size_t i = from; i < w->n; i++) {
        cli_word *word = &w->items[i];
        if (word->eq == 0)
            return prm_error_set(err, PRM_ESYNTAX,
                                 "'%s' has no field name before '='",
                                 word->text);
        if (word->eq > 0) {
            word->text[word->eq] = '\0';
            a->kv[a->nkv++] = (prm_arg){word->text, word->text + word->eq + 1};
        } else if (!word->quoted && strncmp(word->text, "--", 2) == 0) {
            prm_code rc = cli_misplaced_option(w, word->text, err);
            if (rc != PRM_OK)
                return rc;
            a->flags[a->nflags++] = word->text;
        }
        else
            a->pos[a->npos++] = word->text;
    }
    return PRM_OK;
}

prm_code cli_dispatch(cli_ctx *ctx, const cli_words *w, prm_error *err)
{
    const cli_command *cmd = cli_command_find(w->items[0].text);
    if (cmd == NULL || w->items[0].quoted)
        return unknown_command(w->items[0].text, err);
    /* A record kind's verb is the word after it. */
    size_t from = 1;
    const char *verb = NULL;
    if (cmd->kind != NULL && w->n > 1 && w->items[1].eq < 0 &&
        !w->items[1].quoted) {
        verb = w->items[1].text;
        from = 2;
    }
    cli_args args;
    prm_code rc = split_args(ctx, w, from, &args, err);
    if (rc != PRM_OK)
        return rc;
    args.verb = verb;
    return cmd->run(ctx, cmd, &args, err);
}
