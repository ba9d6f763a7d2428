/*
 * kinds.c - the record kinds and their fields, defined once.
 *
 * These tables drive everything that depends on a kind's shape: validation
 * of FIELD=VALUE words, the SQL the storage layer builds, JSON and text
 * output, help and tab completion.  Field order is the documented order (doc/prm.1, RECORDS),
 * which is also the order of keys in JSON records.
 */
#include <string.h>
#include <strings.h>

#include "prm/prm.h"
#include "store/store.h"

static const char *const partner_statuses[] = {"prospect", "active",
                                               "inactive", NULL};
static const char *const project_statuses[] = {
    "planned", "active", "succeeded", "failed", "cancelled", NULL};
static const char *const comm_methods[] = {"email", "phone", "meeting",
                                           "chat",  "other", NULL};
/* "expired" is never stored: an approved deal past its expiry reads so. */
static const char *const deal_statuses[] = {
    "submitted", "approved", "expired", "rejected",
    "won",       "lost",     "cancelled", NULL};
static const char *const task_statuses[] = {"open", "done", "cancelled",
                                            NULL};
static const char *const request_statuses[] = {
    "submitted", "approved", "rejected", "cancelled", "completed", NULL};
static const char *const claim_statuses[] = {"submitted", "approved",
                                             "rejected", "paid", NULL};
static const char *const resource_kinds[] = {"people", "technology",
                                             "funding", "other", NULL};

#define RO PRM_FF_READONLY
#define REQ PRM_FF_REQUIRED
#define COL PRM_FF_COLUMN
#define SENS PRM_FF_SENSITIVE
#define STAMP (PRM_FF_READONLY | PRM_FF_STAMP)

static const prm_field partner_fields[] = {
    {"id", PRM_F_ID, RO | COL, NULL, NULL, "the partner's number, set by prm"},
    {"name", PRM_F_TEXT, REQ | COL, NULL, NULL,
     "unique name (case-insensitive)"},
    {"type", PRM_F_TEXT, COL, NULL, NULL,
     "free text: reseller, distributor, technology, referral, supplier..."},
    {"region", PRM_F_TEXT, COL, NULL, NULL, "free text, e.g. EMEA, APAC"},
    {"status", PRM_F_ENUM, COL, partner_statuses, "active",
     "where the relationship stands"},
    {"tier", PRM_F_TEXT, COL, NULL, NULL, "free text, e.g. gold"},
    {"email", PRM_F_TEXT, SENS, NULL, NULL, "contact e-mail address"},
    {"phone", PRM_F_TEXT, SENS, NULL, NULL, "contact phone number"},
    {"notes", PRM_F_TEXT, SENS, NULL, NULL, "anything worth remembering"},
    {"created_at", PRM_F_DATE, STAMP, NULL, NULL, "when it was added"},
    {"updated_at", PRM_F_DATE, STAMP, NULL, NULL, "when it last changed"},
};

static const prm_field project_fields[] = {
    {"id", PRM_F_ID, RO | COL, NULL, NULL, "the project's number, set by prm"},
    {"name", PRM_F_TEXT, REQ | COL, NULL, NULL,
     "unique name (case-insensitive)"},
    {"partners", PRM_F_PARTNER_LIST, REQ | COL, NULL, NULL,
     "one or more partners: partner=A partner=B or partners=A,B"},
    {"goal", PRM_F_TEXT, 0, NULL, NULL, "what the project is for"},
    {"plan", PRM_F_TEXT, 0, NULL, NULL, "how it will get there"},
    {"progress", PRM_F_PERCENT, COL, NULL, "0", "percent done, 0 to 100"},
    {"status", PRM_F_ENUM, COL, project_statuses, "planned",
     "where the project stands"},
    {"result", PRM_F_TEXT, 0, NULL, NULL, "what came of it"},
    {"start", PRM_F_DATE, COL, NULL, NULL, "when it starts or started"},
    {"due", PRM_F_DATE, COL, NULL, NULL, "when it is due"},
    {"created_at", PRM_F_DATE, STAMP, NULL, NULL, "when it was added"},
    {"updated_at", PRM_F_DATE, STAMP, NULL, NULL, "when it last changed"},
};

static const prm_field comm_fields[] = {
    {"id", PRM_F_ID, RO | COL, NULL, NULL, "the communication's number"},
    {"partner", PRM_F_PARTNER_REF, REQ | COL, NULL, NULL,
     "the partner it was with (id or name)"},
    {"project", PRM_F_PROJECT_REF, COL, NULL, NULL,
     "the project it was about (id or name)"},
    {"method", PRM_F_ENUM, REQ | COL, comm_methods, NULL, "how it happened"},
    {"at", PRM_F_DATE, COL | PRM_FF_NOW, NULL, NULL,
     "when it happened (default: now)"},
    {"subject", PRM_F_TEXT, COL | SENS, NULL, NULL, "a short title"},
    {"content", PRM_F_TEXT, REQ | SENS, NULL, NULL, "what was said"},
};

static const prm_field resource_fields[] = {
    {"id", PRM_F_ID, RO | COL, NULL, NULL, "the resource's number"},
    {"partner", PRM_F_PARTNER_REF, REQ | COL, NULL, NULL,
     "the partner it is committed to (id or name)"},
    {"project", PRM_F_PROJECT_REF, COL, NULL, NULL,
     "the project it is for (id or name)"},
    {"kind", PRM_F_ENUM, REQ | COL, resource_kinds, NULL, "what is committed"},
    {"amount", PRM_F_NUMBER, COL, NULL, "1", "how much"},
    {"unit", PRM_F_TEXT, COL, NULL, NULL, "unit of the amount, e.g. FTE, USD"},
    {"description", PRM_F_TEXT, COL, NULL, NULL, "what it is"},
    {"at", PRM_F_DATE, COL | PRM_FF_NOW, NULL, NULL,
     "when it was committed (default: now)"},
};

static const prm_field outcome_fields[] = {
    {"id", PRM_F_ID, RO | COL, NULL, NULL, "the outcome's number"},
    {"project", PRM_F_PROJECT_REF, REQ | COL, NULL, NULL,
     "the project that produced it (id or name)"},
    {"description", PRM_F_TEXT, REQ | COL, NULL, NULL, "what came out"},
    {"value", PRM_F_NUMBER, COL, NULL, NULL, "what it is worth"},
    {"at", PRM_F_DATE, COL | PRM_FF_NOW, NULL, NULL,
     "when it came (default: now)"},
};

static const prm_field deal_fields[] = {
    {"id", PRM_F_ID, RO | COL, NULL, NULL, "the deal's number"},
    {"partner", PRM_F_PARTNER_REF, REQ | COL, NULL, NULL,
     "the partner registering it (id or name)"},
    {"customer", PRM_F_TEXT, REQ | COL, NULL, NULL,
     "the end customer's organisation"},
    {"domain", PRM_F_DOMAIN, COL, NULL, NULL,
     "the customer's web or e-mail domain, e.g. globex.com"},
    {"product", PRM_F_TEXT, COL, NULL, NULL, "what is sold"},
    {"amount", PRM_F_MONEY, COL, NULL, NULL, "estimated value"},
    {"close", PRM_F_DATE, 0, NULL, NULL, "expected close date"},
    {"contact", PRM_F_TEXT, SENS, NULL, NULL, "the customer's contact"},
    {"status", PRM_F_ENUM, RO | COL, deal_statuses, "submitted",
     "where the registration stands; changed by the deal verbs"},
    {"approved_at", PRM_F_DATE, RO, NULL, NULL, "when it was approved"},
    {"expires", PRM_F_DATE, RO | COL, NULL, NULL,
     "when an approved deal's protection ends"},
    {"closed_at", PRM_F_DATE, RO, NULL, NULL, "when it was won or lost"},
    {"reason", PRM_F_TEXT, 0, NULL, NULL, "why it was rejected or lost"},
    {"notes", PRM_F_TEXT, SENS, NULL, NULL, "anything worth remembering"},
    {"created_at", PRM_F_DATE, STAMP, NULL, NULL, "when it was registered"},
    {"updated_at", PRM_F_DATE, STAMP, NULL, NULL, "when it last changed"},
    {"conflicts", PRM_F_ID_LIST, RO | COL | PRM_FF_COMPUTED, NULL, NULL,
     "active deals of other partners for the same customer and product, "
     "while this one is active (computed)"},
};

static const prm_field task_fields[] = {
    {"id", PRM_F_ID, RO | COL, NULL, NULL, "the task's number"},
    {"title", PRM_F_TEXT, REQ | COL, NULL, NULL, "what is to be done"},
    {"partner", PRM_F_PARTNER_REF, COL, NULL, NULL,
     "the partner it is for (id or name)"},
    {"project", PRM_F_PROJECT_REF, COL, NULL, NULL,
     "the project it is about (id or name)"},
    {"deal", PRM_F_REF, COL, NULL, NULL, "the deal it is about (id)"},
    {"due", PRM_F_DATE, COL, NULL, NULL, "when it is to be done"},
    {"status", PRM_F_ENUM, RO | COL, task_statuses, "open",
     "open, done or cancelled; changed by task done, cancel and reopen"},
    {"done_at", PRM_F_DATE, RO, NULL, NULL, "when it was done"},
    {"notes", PRM_F_TEXT, SENS, NULL, NULL, "anything worth remembering"},
    {"created_at", PRM_F_DATE, STAMP, NULL, NULL, "when it was added"},
    {"updated_at", PRM_F_DATE, STAMP, NULL, NULL, "when it last changed"},
};

/* Market development funds: a budget, requests against it, claims
 * against a request, and payments (a claim paid is a funding resource). */
static const prm_field fund_fields[] = {
    {"id", PRM_F_ID, RO | COL, NULL, NULL, "the fund's number"},
    {"name", PRM_F_TEXT, REQ | COL, NULL, NULL,
     "unique name (case-insensitive)"},
    {"amount", PRM_F_MONEY, REQ | COL, NULL, NULL, "the budget"},
    {"currency", PRM_F_TEXT, COL, NULL, "USD",
     "the ISO 4217 code of its amounts, e.g. USD, EUR, JPY (whole amounts)"},
    {"start", PRM_F_DATE, 0, NULL, NULL, "when it opens"},
    {"end", PRM_F_DATE, 0, NULL, NULL, "when it closes"},
    {"request_by", PRM_F_DATE, 0, NULL, NULL,
     "the last day requests are taken"},
    {"claim_by", PRM_F_DATE, 0, NULL, NULL, "the last day claims are taken"},
    {"notes", PRM_F_TEXT, SENS, NULL, NULL, "anything worth remembering"},
    {"approved", PRM_F_MONEY, RO | COL | PRM_FF_COMPUTED, NULL, NULL,
     "approved amounts of its requests not cancelled (computed)"},
    {"claimed", PRM_F_MONEY, RO | PRM_FF_COMPUTED, NULL, NULL,
     "claims against its requests not rejected (computed)"},
    {"paid", PRM_F_MONEY, RO | PRM_FF_COMPUTED, NULL, NULL,
     "claims paid (computed)"},
    {"available", PRM_F_MONEY, RO | COL | PRM_FF_COMPUTED, NULL, NULL,
     "amount less approved: what requests may still get (computed)"},
};

static const prm_field request_fields[] = {
    {"id", PRM_F_ID, RO | COL, NULL, NULL, "the request's number"},
    {"fund", PRM_F_REF, REQ | COL, NULL, NULL,
     "the fund it draws on (id or name)"},
    {"partner", PRM_F_PARTNER_REF, REQ | COL, NULL, NULL,
     "the partner asking (id or name)"},
    {"project", PRM_F_PROJECT_REF, COL, NULL, NULL,
     "the project it is for (id or name)"},
    {"activity", PRM_F_TEXT, REQ | COL, NULL, NULL,
     "what the money is for, e.g. a trade show"},
    {"amount", PRM_F_MONEY, REQ | COL, NULL, NULL, "the amount asked for"},
    {"approved_amount", PRM_F_MONEY, RO | COL, NULL, NULL,
     "the amount approved (request approve)"},
    {"status", PRM_F_ENUM, RO | COL, request_statuses, "submitted",
     "where it stands; changed by request approve, reject and cancel, and "
     "completed when its paid claims reach the approved amount"},
    {"reason", PRM_F_TEXT, 0, NULL, NULL, "why it was rejected"},
    {"created_at", PRM_F_DATE, STAMP, NULL, NULL, "when it was made"},
    {"updated_at", PRM_F_DATE, STAMP, NULL, NULL, "when it last changed"},
};

static const prm_field claim_fields[] = {
    {"id", PRM_F_ID, RO | COL, NULL, NULL, "the claim's number"},
    {"request", PRM_F_REF, REQ | COL, NULL, NULL,
     "the approved request it claims against (id)"},
    {"amount", PRM_F_MONEY, REQ | COL, NULL, NULL, "the amount claimed"},
    {"proof", PRM_F_TEXT, 0, NULL, NULL,
     "what shows the money was spent: an invoice, a link"},
    {"status", PRM_F_ENUM, RO | COL, claim_statuses, "submitted",
     "where it stands; changed by claim approve, reject and pay"},
    {"reason", PRM_F_TEXT, 0, NULL, NULL, "why it was rejected"},
    {"paid_at", PRM_F_DATE, RO, NULL, NULL, "when it was paid"},
    {"resource", PRM_F_REF, RO | COL, NULL, NULL,
     "the funding resource its payment made"},
    {"created_at", PRM_F_DATE, STAMP, NULL, NULL, "when it was made"},
    {"updated_at", PRM_F_DATE, STAMP, NULL, NULL, "when it last changed"},
};

/* The partner program's tiers, earned by results over a window. */
static const prm_field tier_fields[] = {
    {"id", PRM_F_ID, RO | COL, NULL, NULL, "the tier's number"},
    {"name", PRM_F_TEXT, REQ | COL, NULL, NULL,
     "unique name (case-insensitive), e.g. gold"},
    {"rank", PRM_F_COUNT, REQ | COL, NULL, NULL,
     "a whole number, unique; higher is better"},
    {"min_won_value", PRM_F_MONEY, COL, NULL, NULL,
     "won deals' amounts at least this"},
    {"min_deals_won", PRM_F_COUNT, COL, NULL, NULL, "at least this many won deals"},
    {"min_succeeded", PRM_F_COUNT, COL, NULL, NULL,
     "at least this many succeeded projects"},
    {"min_closed_success_rate", PRM_F_RATIO, COL, NULL, NULL,
     "succeeded / (succeeded + failed) of its projects at least this, 0 to 1"},
    {"min_communications", PRM_F_COUNT, COL, NULL, NULL,
     "at least this many communications"},
    {"window_days", PRM_F_COUNT, COL, NULL, "365",
     "the days back each minimum is counted over"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const prm_kind_info kinds[PRM_KIND_COUNT] = {
    {PRM_PARTNER, "partner", "partners", NULL,
     "organisations you work with", partner_fields, COUNT(partner_fields),
     "name"},
    {PRM_PROJECT, "project", "projects", NULL,
     "joint projects with one or more partners", project_fields,
     COUNT(project_fields), "name"},
    {PRM_COMMUNICATION, "communication", "communications", "comm",
     "every e-mail, call, meeting or chat with a partner", comm_fields,
     COUNT(comm_fields), NULL},
    {PRM_RESOURCE, "resource", "resources", NULL,
     "people, technology or funding committed to a partner", resource_fields,
     COUNT(resource_fields), "description"},
    {PRM_OUTCOME, "outcome", "outcomes", NULL,
     "what a project produced", outcome_fields, COUNT(outcome_fields), NULL},
    {PRM_DEAL, "deal", "deals", NULL,
     "opportunities partners register, approved, expiring, won or lost",
     deal_fields, COUNT(deal_fields), "customer"},
    {PRM_TASK, "task", "tasks", NULL,
     "follow-ups and next steps, with a due date", task_fields,
     COUNT(task_fields), "title"},
    {PRM_FUND, "fund", "funds", NULL,
     "market development funds: budgets partners request money from",
     fund_fields, COUNT(fund_fields), "name"},
    {PRM_REQUEST, "request", "requests", NULL,
     "a partner's request for money from a fund, for an activity",
     request_fields, COUNT(request_fields), "activity"},
    {PRM_CLAIM, "claim", "claims", NULL,
     "a claim, with proof, of money an approved request spent; paid, a "
     "funding resource",
     claim_fields, COUNT(claim_fields), NULL},
    {PRM_TIER, "tier", "tiers", NULL,
     "the partner program's tiers and the results each needs",
     tier_fields, COUNT(tier_fields), "name"},
};

/* Every kind fits the storage layer's rows. */
_Static_assert(COUNT(partner_fields) <= STORE_MAX_FIELDS, "too many fields");
_Static_assert(COUNT(project_fields) <= STORE_MAX_FIELDS, "too many fields");
_Static_assert(COUNT(comm_fields) <= STORE_MAX_FIELDS, "too many fields");
_Static_assert(COUNT(resource_fields) <= STORE_MAX_FIELDS, "too many fields");
_Static_assert(COUNT(outcome_fields) <= STORE_MAX_FIELDS, "too many fields");
_Static_assert(COUNT(deal_fields) <= STORE_MAX_FIELDS, "too many fields");
_Static_assert(COUNT(task_fields) <= STORE_MAX_FIELDS, "too many fields");
_Static_assert(COUNT(fund_fields) <= STORE_MAX_FIELDS, "too many fields");
_Static_assert(COUNT(request_fields) <= STORE_MAX_FIELDS, "too many fields");
_Static_assert(COUNT(claim_fields) <= STORE_MAX_FIELDS, "too many fields");
_Static_assert(COUNT(tier_fields) <= STORE_MAX_FIELDS, "too many fields");

const prm_kind_info *prm_kind_get(prm_kind kind)
{
    if ((unsigned)kind >= PRM_KIND_COUNT)
        return NULL;
    return &kinds[kind];
}

const prm_kind_info *prm_kind_find(const char *name)
{
    for (size_t i = 0; i < PRM_KIND_COUNT; i++) {
        const prm_kind_info *k = &kinds[i];
        if (strcmp(name, k->name) == 0 ||
            (k->alias != NULL && strcmp(name, k->alias) == 0))
            return k;
    }
    return NULL;
}

prm_kind prm_ref_kind(const prm_field *f)
{
    switch (f->type) {
    case PRM_F_PROJECT_REF:
        return PRM_PROJECT;
    case PRM_F_REF: { /* named for the kind it refers to */
        const prm_kind_info *k = prm_kind_find(f->name);
        return k != NULL ? k->kind : PRM_PARTNER;
    }
    default:
        return PRM_PARTNER;
    }
}

int prm_field_index(const prm_kind_info *kind, const char *name)
{
    /* The first letters, compared inline, spare a call to strcmp for most
     * fields: every key of every command line is looked up here. */
    for (size_t i = 0; i < kind->nfields; i++)
        if (kind->fields[i].name[0] == name[0] &&
            strcmp(kind->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

const prm_field *prm_field_find(const prm_kind_info *kind, const char *name)
{
    int i = prm_field_index(kind, name);
    return i < 0 ? NULL : &kind->fields[i];
}

const prm_kind_info *prm_kind_find_plural(const char *plural)
{
    for (size_t i = 0; i < PRM_KIND_COUNT; i++)
        if (strcmp(plural, kinds[i].plural) == 0)
            return &kinds[i];
    return NULL;
}
