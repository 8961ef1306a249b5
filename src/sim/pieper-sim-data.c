/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperSim"

#include "config.h"

#include <string.h>
#include <time.h>

#include "pieper-sim-private.h"

/* The directory. Index 0 is the responder ("me"), whom pieper_sim_set_me()
 * may rename; the others are colleagues on the same rotations. */
static const struct {
  const char *id;
  const char *name;
  const char *email;
} default_users[] = {
  { "PME0001", "Mira Jansen", "mira.jansen@example.com" },
  { "PUSER01", "Aisha Okafor", "aisha.okafor@example.com" },
  { "PUSER02", "Bram de Vries", "bram.devries@example.com" },
  { "PUSER03", "Chen Wei", "chen.wei@example.com" },
  { "PUSER04", "Dana Whitfield", "dana.whitfield@example.com" },
  { "PUSER05", "Emil Lindqvist", "emil.lindqvist@example.com" },
  { "PUSER06", "Farah Haddad", "farah.haddad@example.com" },
  { "PUSER07", "Gus Moreno", "gus.moreno@example.com" },
  { "PUSER08", "Hana Sato", "hana.sato@example.com" },
};

/* Escalation policies with one to three levels; "me" (user 0) is on a few
 * of them, at different levels, so that some pages are for the responder
 * and some only reach them when escalated. */
const SimPolicy _pieper_sim_policies[] = {
  { "PEPCHK1", "Checkout On-Call", 3, { 0, 1, 2 } },
  { "PEPPAY1", "Payments Primary", 3, { 3, 0, 4 } },
  { "PEPPLT1", "Platform Infrastructure", 2, { 5, 6, 0 } },
  { "PEPSRC1", "Search & Discovery", 1, { 7, 0, 0 } },
  { "PEPMOB1", "Mobile Backend", 2, { 8, 0, 0 } },
};
const guint _pieper_sim_n_policies = G_N_ELEMENTS (_pieper_sim_policies);

enum {
  KIND_API,
  KIND_DB,
  KIND_WORKER,
  KIND_EDGE,
  KIND_JOB,
  KIND_QUEUE,
  N_KINDS,
};

const SimService _pieper_sim_services[] = {
  { "PSVC001", "checkout-api", 0, KIND_API },
  { "PSVC002", "payments-db", 1, KIND_DB },
  { "PSVC003", "search-indexer", 3, KIND_WORKER },
  { "PSVC004", "auth-gateway", 2, KIND_API },
  { "PSVC005", "notifications-worker", 4, KIND_WORKER },
  { "PSVC006", "inventory-service", 0, KIND_API },
  { "PSVC007", "cdn-edge", 2, KIND_EDGE },
  { "PSVC008", "billing-cron", 1, KIND_JOB },
  { "PSVC009", "kafka-cluster", 2, KIND_QUEUE },
  { "PSVC010", "mobile-bff", 4, KIND_API },
};
const guint _pieper_sim_n_services = G_N_ELEMENTS (_pieper_sim_services);

/* Alert titles in the words monitoring tools use. Placeholders: {s} the
 * service, {h} a host, {i} a small count, {k} a large count, {p} a
 * percentage with a decimal, {c} a whole percentage, {m} milliseconds,
 * {d} days. Expanded by expand_template(), never by printf. */
static const char * const titles_api[] = {
  "High 5xx error rate on {s}: {p}% of requests failing",
  "{s} p99 latency above {m} ms for 10 minutes",
  "{s} health check failing on {h}",
  "TLS certificate for {s} expires in {d} days",
  "{s} pods crash-looping (OOMKilled) in prod",
  "{s}: error budget burn rate 14x over the last hour",
};
static const char * const titles_db[] = {
  "{s} replication lag {i}s on replica {h}",
  "{s} disk usage at {c}% on {h}",
  "Connection pool exhausted on {s}",
  "{s} primary failover detected",
  "Slow queries on {s}: {i} queries over 5s",
};
static const char * const titles_worker[] = {
  "{s} queue backlog above {k} messages",
  "{s} consumer stalled: no progress for {i} minutes",
  "{s} job failures: {i} in the last hour",
  "Heartbeat missing from {s} on {h}",
};
static const char * const titles_edge[] = {
  "Origin errors on {s}: {p}% 502s in eu-west-1",
  "{s} cache hit ratio dropped to {c}%",
  "{s} synthetic check failing from 3 regions",
};
static const char * const titles_job[] = {
  "{s} nightly run did not finish",
  "{s} invoice export failed for {i} accounts",
  "{s} has not reported success for {i} hours",
};
static const char * const titles_queue[] = {
  "{s} under-replicated partitions: {i}",
  "{s} broker {h} offline",
  "Consumer group lag on {s} above {k}",
};

static const struct {
  const char * const *titles;
  guint               n_titles;
} kinds[N_KINDS] = {
  { titles_api, G_N_ELEMENTS (titles_api) },
  { titles_db, G_N_ELEMENTS (titles_db) },
  { titles_worker, G_N_ELEMENTS (titles_worker) },
  { titles_edge, G_N_ELEMENTS (titles_edge) },
  { titles_job, G_N_ELEMENTS (titles_job) },
  { titles_queue, G_N_ELEMENTS (titles_queue) },
};

static const char * const note_texts[] = {
  "Looking into it.",
  "Rolled back the last deploy of {s}; watching error rates.",
  "Customer impact confirmed: some requests to {s} fail in the EU region.",
  "Root cause looks like an expired credential on {h}. Rotating now.",
  "Paged the database team for a second pair of eyes.",
  "Mitigated: traffic shifted to the standby region.",
  "Postmortem doc opened; timeline to follow.",
  "Error rate back to baseline; leaving this open for 30 minutes.",
  "Restarted {h}, {s} recovering.",
};

static const char * const hosts[] = {
  "ip-10-0-3-17", "ip-10-0-7-201", "db-2", "db-3", "worker-14",
  "edge-ams-1", "edge-fra-2", "kafka-5", "node-pool-b-9x2k",
};

void
_pieper_sim_note_free (gpointer data)
{
  SimNote *note = data;

  g_free (note->content);
  g_free (note);
}

void
_pieper_sim_incident_free (gpointer data)
{
  SimIncident *incident = data;

  g_free (incident->title);
  g_free (incident->incident_key);
  g_clear_pointer (&incident->notes, g_ptr_array_unref);
  g_free (incident);
}

static void
user_free (gpointer data)
{
  SimUser *user = data;

  g_free (user->id);
  g_free (user->name);
  g_free (user->email);
  g_free (user);
}

void
_pieper_sim_data_init (PieperSim *self)
{
  self->users = g_ptr_array_new_with_free_func (user_free);
  for (guint i = 0; i < G_N_ELEMENTS (default_users); i++)
    {
      SimUser *user = g_new0 (SimUser, 1);

      user->id = g_strdup (default_users[i].id);
      user->name = g_strdup (default_users[i].name);
      user->email = g_strdup (default_users[i].email);
      g_ptr_array_add (self->users, user);
    }

  self->incidents = g_ptr_array_new_with_free_func (_pieper_sim_incident_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_key = g_hash_table_new (g_str_hash, g_str_equal);
  self->log = g_array_new (FALSE, FALSE, sizeof (SimLogEntry));
}

void
_pieper_sim_data_clear (PieperSim *self)
{
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->by_key, g_hash_table_unref);
  g_clear_pointer (&self->incidents, g_ptr_array_unref);
  g_clear_pointer (&self->log, g_array_unref);
  g_clear_pointer (&self->users, g_ptr_array_unref);
}

/* Ids look like PagerDuty's (upper-case letters and digits) and are unique:
 * an affine map with a multiplier prime to 36 is a bijection modulo 36^w. */
static void
make_id (char    *buf,
         char     prefix,
         guint64  n,
         guint    width,
         guint64  salt)
{
  static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  guint64 modulus = 1;
  guint64 value;

  for (guint i = 0; i < width; i++)
    modulus *= 36;
  value = (n * G_GUINT64_CONSTANT (2654435761) + salt) % modulus;

  buf[0] = prefix;
  for (guint i = width; i > 0; i--)
    {
      buf[i] = digits[value % 36];
      value /= 36;
    }
  buf[width + 1] = '\0';
}

void
_pieper_sim_log_entry_id (const SimLogEntry *entry,
                          char               buf[16])
{
  static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  /* An odd multiplier is a bijection on 64 bits; 13 base-36 digits hold
   * any 64-bit value. */
  guint64 value = (entry->seq + G_GUINT64_CONSTANT (1)) * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);

  buf[0] = 'R';
  for (guint i = 13; i > 0; i--)
    {
      buf[i] = digits[value % 36];
      value /= 36;
    }
  buf[14] = '\0';
}

void
_pieper_sim_format_time (gint64 unix_seconds,
                         char   buf[32])
{
  time_t t = (time_t) unix_seconds;
  struct tm tm;

  gmtime_r (&t, &tm);
  strftime (buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const char *
_pieper_sim_status_to_string (SimStatus status)
{
  switch (status)
    {
    case SIM_STATUS_TRIGGERED:
      return "triggered";
    case SIM_STATUS_ACKNOWLEDGED:
      return "acknowledged";
    case SIM_STATUS_RESOLVED:
      return "resolved";
    default:
      g_assert_not_reached ();
    }
}

gboolean
_pieper_sim_status_from_string (const char *str,
                                SimStatus  *status)
{
  if (g_strcmp0 (str, "triggered") == 0)
    *status = SIM_STATUS_TRIGGERED;
  else if (g_strcmp0 (str, "acknowledged") == 0)
    *status = SIM_STATUS_ACKNOWLEDGED;
  else if (g_strcmp0 (str, "resolved") == 0)
    *status = SIM_STATUS_RESOLVED;
  else
    return FALSE;
  return TRUE;
}

guint16
_pieper_sim_find_user_by_email (PieperSim  *self,
                                const char *email)
{
  if (email == NULL)
    return SIM_NO_USER;

  for (guint i = 0; i < self->users->len; i++)
    {
      SimUser *user = g_ptr_array_index (self->users, i);

      if (g_ascii_strcasecmp (user->email, email) == 0)
        return (guint16) i;
    }
  return SIM_NO_USER;
}

guint16
_pieper_sim_find_user_by_id (PieperSim  *self,
                             const char *id)
{
  if (id == NULL)
    return SIM_NO_USER;

  for (guint i = 0; i < self->users->len; i++)
    {
      SimUser *user = g_ptr_array_index (self->users, i);

      if (strcmp (user->id, id) == 0)
        return (guint16) i;
    }
  return SIM_NO_USER;
}

int
_pieper_sim_find_service (const char *name_or_id)
{
  if (name_or_id == NULL)
    return -1;

  for (guint i = 0; i < _pieper_sim_n_services; i++)
    {
      if (strcmp (_pieper_sim_services[i].name, name_or_id) == 0 ||
          strcmp (_pieper_sim_services[i].id, name_or_id) == 0)
        return (int) i;
    }
  return -1;
}

SimIncident *
_pieper_sim_lookup (PieperSim  *self,
                    const char *id)
{
  return g_hash_table_lookup (self->by_id, id);
}

SimIncident *
_pieper_sim_lookup_open_key (PieperSim  *self,
                             const char *incident_key)
{
  SimIncident *incident = g_hash_table_lookup (self->by_key, incident_key);

  if (incident != NULL && incident->status != SIM_STATUS_RESOLVED)
    return incident;
  return NULL;
}

static const SimPolicy *
policy_of (const SimIncident *incident)
{
  return &_pieper_sim_policies[_pieper_sim_services[incident->service].policy];
}

/* The log, the incident's updated_at and the record all use whole seconds,
 * as PagerDuty's timestamps do. The log stays sorted by time because every
 * entry made after generation is stamped "now". */
SimLogEntry *
_pieper_sim_append_log (PieperSim   *self,
                        SimIncident *incident,
                        SimLogType   type,
                        guint16      agent,
                        SimChannel   channel,
                        gint64       at)
{
  SimLogEntry entry = { 0, };

  entry.seq = self->log->len;
  entry.incident = incident->index;
  entry.at = at;
  entry.type = type;
  entry.channel = channel;
  entry.agent = agent;
  entry.level = incident->level;
  g_array_append_val (self->log, entry);

  if (at > incident->updated_at)
    incident->updated_at = at;

  return &g_array_index (self->log, SimLogEntry, self->log->len - 1);
}

static void
set_assignees (SimIncident   *incident,
               const guint16 *users,
               guint          n_users,
               gint64         now)
{
  incident->n_assignees = (guint8) MIN (n_users, SIM_MAX_ASSIGNEES);
  for (guint i = 0; i < incident->n_assignees; i++)
    incident->assignees[i] = users[i];
  incident->assigned_at = now;
}

void
_pieper_sim_set_status (PieperSim   *self,
                        SimIncident *incident,
                        SimStatus    status,
                        guint16      agent,
                        SimChannel   channel,
                        gint64       now)
{
  SimLogType type;

  switch (status)
    {
    case SIM_STATUS_ACKNOWLEDGED:
      type = SIM_LOG_ACKNOWLEDGE;
      if (incident->status == SIM_STATUS_RESOLVED)
        {
          /* PagerDuty reopens a resolved incident that is acknowledged.
           * Its assignments were cleared when it was resolved; the one who
           * acknowledged it is the one working on it now. */
          incident->resolved_at = 0;
          if (incident->n_assignees == 0)
            {
              guint16 who = agent != SIM_NO_USER ? agent : policy_of (incident)->level_user[0];

              set_assignees (incident, &who, 1, now);
            }
        }
      incident->acknowledger = agent;
      incident->acknowledged_at = now;
      incident->snoozed_until = 0;
      break;

    case SIM_STATUS_RESOLVED:
      type = SIM_LOG_RESOLVE;
      /* PagerDuty documents assignments and acknowledgements as empty once
       * an incident is resolved. */
      incident->resolved_at = now;
      incident->n_assignees = 0;
      incident->acknowledger = SIM_NO_USER;
      incident->acknowledged_at = 0;
      incident->snoozed_until = 0;
      break;

    case SIM_STATUS_TRIGGERED:
      type = SIM_LOG_UNACKNOWLEDGE;
      incident->acknowledger = SIM_NO_USER;
      incident->acknowledged_at = 0;
      incident->snoozed_until = 0;
      break;

    default:
      g_assert_not_reached ();
    }

  incident->status = status;
  incident->status_changed_at = now;
  incident->status_by = agent;
  incident->updated_at = now;
  _pieper_sim_append_log (self, incident, type, agent, channel, now);
}

void
_pieper_sim_assign (PieperSim     *self,
                    SimIncident   *incident,
                    const guint16 *users,
                    guint          n_users,
                    SimLogType     type,
                    guint16        agent,
                    SimChannel     channel,
                    gint64         now)
{
  SimLogEntry *entry;

  set_assignees (incident, users, n_users, now);

  /* A new assignee must be notified, so PagerDuty puts an acknowledged
   * incident back to triggered when it is escalated or reassigned. */
  if (incident->status == SIM_STATUS_ACKNOWLEDGED)
    {
      incident->status = SIM_STATUS_TRIGGERED;
      incident->status_changed_at = now;
      incident->status_by = agent;
      incident->acknowledger = SIM_NO_USER;
      incident->acknowledged_at = 0;
      incident->snoozed_until = 0;
    }
  incident->updated_at = now;

  entry = _pieper_sim_append_log (self, incident, type, agent, channel, now);
  entry->n_assignees = incident->n_assignees;
  memcpy (entry->assignees, incident->assignees, sizeof entry->assignees);
}

SimNote *
_pieper_sim_add_note (PieperSim   *self,
                      SimIncident *incident,
                      guint16      user,
                      const char  *content,
                      SimChannel   channel,
                      gint64       now)
{
  SimNote *note = g_new0 (SimNote, 1);
  SimLogEntry *entry;

  make_id (note->id, 'P', ++self->n_notes, 6, G_GUINT64_CONSTANT (977326743));
  note->user = user;
  note->created_at = now;
  note->content = g_strdup (content);

  if (incident->notes == NULL)
    incident->notes = g_ptr_array_new_with_free_func (_pieper_sim_note_free);
  g_ptr_array_add (incident->notes, note);

  entry = _pieper_sim_append_log (self, incident, SIM_LOG_ANNOTATE, user, channel, now);
  entry->detail = incident->notes->len - 1;

  return note;
}

void
_pieper_sim_expire_snooze (PieperSim   *self,
                           SimIncident *incident,
                           gint64       now)
{
  gint64 until = incident->snoozed_until;

  if (until == 0 || until > now || incident->status != SIM_STATUS_ACKNOWLEDGED)
    return;

  /* The snooze ran out: PagerDuty puts the incident back to triggered at
   * that moment, so it is logged at the time it ran out. */
  incident->status = SIM_STATUS_TRIGGERED;
  incident->status_changed_at = until;
  incident->status_by = SIM_NO_USER;
  incident->acknowledger = SIM_NO_USER;
  incident->acknowledged_at = 0;
  incident->snoozed_until = 0;
  _pieper_sim_append_log (self, incident, SIM_LOG_UNACKNOWLEDGE, SIM_NO_USER, SIM_CHANNEL_AUTO, now);
}

static SimIncident *
new_incident (PieperSim  *self,
              const char *title,
              guint       service,
              SimUrgency  urgency,
              const char *incident_key,
              gint64      created_at)
{
  SimIncident *incident = g_new0 (SimIncident, 1);

  incident->index = self->incidents->len;
  incident->number = incident->index + 1;
  make_id (incident->id, 'P', incident->number, 6, G_GUINT64_CONSTANT (1296000000));
  incident->status = SIM_STATUS_TRIGGERED;
  incident->urgency = urgency;
  incident->service = (guint8) service;
  incident->level = 1;
  incident->acknowledger = SIM_NO_USER;
  incident->status_by = SIM_NO_USER;
  incident->created_at = created_at;
  incident->updated_at = created_at;
  incident->status_changed_at = created_at;
  incident->title = g_strdup (title);

  if (incident_key != NULL)
    incident->incident_key = g_strdup (incident_key);
  else
    incident->incident_key = g_strdup_printf ("%08x%08x%08x%08x",
                                              g_rand_int (self->data_rand),
                                              g_rand_int (self->data_rand),
                                              g_rand_int (self->data_rand),
                                              incident->number);

  g_ptr_array_add (self->incidents, incident);
  g_hash_table_insert (self->by_id, incident->id, incident);
  g_hash_table_insert (self->by_key, incident->incident_key, incident);

  return incident;
}

static void
trigger (PieperSim   *self,
         SimIncident *incident,
         SimChannel   channel,
         gint64       at)
{
  const SimPolicy *policy = policy_of (incident);
  guint16 first = policy->level_user[0];
  SimLogEntry *entry;

  set_assignees (incident, &first, 1, at);
  entry = _pieper_sim_append_log (self, incident, SIM_LOG_TRIGGER, SIM_NO_USER, channel, at);
  incident->trigger_seq = entry->seq;
  entry->n_assignees = 1;
  entry->assignees[0] = first;
}

SimIncident *
_pieper_sim_create_incident (PieperSim  *self,
                             const char *title,
                             guint       service,
                             SimUrgency  urgency,
                             const char *incident_key,
                             gint64      now)
{
  SimIncident *incident;

  g_assert (service < _pieper_sim_n_services);

  incident = new_incident (self, title, service, urgency, incident_key, now);
  /* Incidents paged in now rank as a middling priority until a responder
   * sets one, as a typical event rule would. */
  incident->priority = urgency == SIM_URGENCY_HIGH ? 2 : 4;
  trigger (self, incident, SIM_CHANNEL_EVENTS, now);

  return incident;
}

/* Generation. */

static char *
expand_template (GRand      *rand,
                 const char *template,
                 const char *service)
{
  GString *out = g_string_new (NULL);

  for (const char *p = template; *p != '\0'; p++)
    {
      if (p[0] != '{' || p[1] == '\0' || p[2] != '}')
        {
          g_string_append_c (out, *p);
          continue;
        }

      switch (p[1])
        {
        case 's':
          g_string_append (out, service);
          break;
        case 'h':
          g_string_append (out, hosts[g_rand_int_range (rand, 0, G_N_ELEMENTS (hosts))]);
          break;
        case 'i':
          g_string_append_printf (out, "%d", g_rand_int_range (rand, 2, 60));
          break;
        case 'k':
          g_string_append_printf (out, "%d", g_rand_int_range (rand, 2, 90) * 1000);
          break;
        case 'p':
          g_string_append_printf (out, "%d.%d", g_rand_int_range (rand, 5, 40), g_rand_int_range (rand, 0, 10));
          break;
        case 'c':
          g_string_append_printf (out, "%d", g_rand_int_range (rand, 85, 100));
          break;
        case 'm':
          g_string_append_printf (out, "%d", g_rand_int_range (rand, 8, 60) * 100);
          break;
        case 'd':
          g_string_append_printf (out, "%d", g_rand_int_range (rand, 2, 14));
          break;
        default:
          g_string_append_len (out, p, 3);
          break;
        }
      p += 2;
    }

  return g_string_free (out, FALSE);
}

static guint8
pick_priority (GRand *rand)
{
  int r = g_rand_int_range (rand, 0, 100);

  if (r < 10)
    return 0;
  if (r < 19)
    return 1;
  if (r < 37)
    return 2;
  if (r < 64)
    return 3;
  if (r < 86)
    return 4;
  return 5;
}

static gint64
between (GRand  *rand,
         gint64  from,
         gint64  to)
{
  if (to <= from)
    return from;
  return from + (gint64) (g_rand_double (rand) * (double) (to - from));
}

/* A moment after @t, by @from to @to seconds, but never after @now.
 *
 * This was MIN (now, t + between (…)), which draws twice when the first
 * draw stays before @now and then takes the second, unclamped: entries
 * could land in the future. The draws are kept as they were, so a seed
 * still gives the same incidents; only the clamp is new. */
static gint64
later (GRand  *rand,
       gint64  t,
       gint64  now,
       gint64  from,
       gint64  to)
{
  if (now < t + between (rand, from, to))
    return now;

  return MIN (now, t + between (rand, from, to));
}

static int
compare_log (gconstpointer a,
             gconstpointer b)
{
  const SimLogEntry *la = a;
  const SimLogEntry *lb = b;

  if (la->at != lb->at)
    return la->at < lb->at ? -1 : 1;
  if (la->seq != lb->seq)
    return la->seq < lb->seq ? -1 : 1;
  return 0;
}

static void
generate_one (PieperSim *self,
              gint64     created,
              gint64     now)
{
  GRand *rand = self->data_rand;
  guint service = (guint) g_rand_int_range (rand, 0, (gint32) _pieper_sim_n_services);
  const SimService *svc = &_pieper_sim_services[service];
  const SimPolicy *policy = &_pieper_sim_policies[svc->policy];
  const char *template = kinds[svc->kind].titles[g_rand_int_range (rand, 0, (gint32) kinds[svc->kind].n_titles)];
  g_autofree char *title = expand_template (rand, template, svc->name);
  SimUrgency urgency = g_rand_int_range (rand, 0, 100) < 60 ? SIM_URGENCY_HIGH : SIM_URGENCY_LOW;
  SimIncident *incident = new_incident (self, title, service, urgency, NULL, created);
  gint64 age = now - created;
  gint64 t = created;
  SimStatus status;
  guint level = 1;
  int r;

  incident->priority = pick_priority (rand);
  incident->has_bridge = incident->priority == 1 || incident->priority == 2;

  /* Recent incidents are often still open; old ones are almost all
   * resolved. */
  r = g_rand_int_range (rand, 0, 100);
  if (age < 6 * 3600)
    status = r < 45 ? SIM_STATUS_TRIGGERED : r < 80 ? SIM_STATUS_ACKNOWLEDGED : SIM_STATUS_RESOLVED;
  else if (age < 48 * 3600)
    status = r < 5 ? SIM_STATUS_TRIGGERED : r < 15 ? SIM_STATUS_ACKNOWLEDGED : SIM_STATUS_RESOLVED;
  else
    status = r < 1 ? SIM_STATUS_ACKNOWLEDGED : SIM_STATUS_RESOLVED;

  trigger (self, incident, SIM_CHANNEL_EVENTS, t);

  /* Some pages went unanswered and escalated on the policy's timeout. */
  r = g_rand_int_range (rand, 0, 100);
  if (policy->n_levels >= 2 && r < 25)
    level = 2;
  if (policy->n_levels >= 3 && r < 8)
    level = 3;
  for (guint l = 2; l <= level; l++)
    {
      guint16 who = policy->level_user[l - 1];

      t = MIN (now, t + 15 * 60);
      incident->level = (guint8) l;
      _pieper_sim_assign (self, incident, &who, 1, SIM_LOG_ESCALATE, SIM_NO_USER, SIM_CHANNEL_AUTO, t);
    }

  if (status != SIM_STATUS_TRIGGERED &&
      (status == SIM_STATUS_ACKNOWLEDGED || g_rand_int_range (rand, 0, 100) < 70))
    {
      t = later (rand, t, now, 60, 15 * 60);
      _pieper_sim_set_status (self, incident, SIM_STATUS_ACKNOWLEDGED,
                              incident->assignees[0], SIM_CHANNEL_WEB, t);
    }

  /* A few notes on some of them, from whoever holds the incident. */
  if (g_rand_int_range (rand, 0, 100) < 15)
    {
      guint n_notes = (guint) g_rand_int_range (rand, 1, 4);

      for (guint i = 0; i < n_notes; i++)
        {
          const char *text = note_texts[g_rand_int_range (rand, 0, G_N_ELEMENTS (note_texts))];
          g_autofree char *content = expand_template (rand, text, svc->name);
          guint16 who = incident->n_assignees > 0 ? incident->assignees[0] : policy->level_user[0];

          t = later (rand, t, now, 60, 20 * 60);
          _pieper_sim_add_note (self, incident, who, content, SIM_CHANNEL_WEB, t);
        }
    }

  if (status == SIM_STATUS_RESOLVED)
    {
      /* About a third resolve themselves when the monitor recovers. */
      gboolean automatic = g_rand_int_range (rand, 0, 100) < 30;
      guint16 who = automatic ? SIM_NO_USER : incident->assignees[0];

      t = later (rand, t, now, 5 * 60, 4 * 3600);
      _pieper_sim_set_status (self, incident, SIM_STATUS_RESOLVED, who,
                              automatic ? SIM_CHANNEL_EVENTS : SIM_CHANNEL_WEB, t);
    }
}

void
_pieper_sim_generate (PieperSim *self,
                      guint      n,
                      gint64     now)
{
  gint64 window;
  gint64 start;
  gint64 spacing;

  if (n == 0)
    return;

  /* Spread the batch over a window that grows with its size (four weeks at
   * most, so that all of it is in PagerDuty's default listing window of one
   * month), after any incident that already exists, so that incident
   * numbers and creation times rise together. */
  window = MIN ((gint64) n * 20 * 60, (gint64) 28 * 24 * 3600);
  start = now - window;
  if (self->incidents->len > 0)
    {
      SimIncident *last = g_ptr_array_index (self->incidents, self->incidents->len - 1);

      start = MAX (start, last->created_at + 1);
    }
  start = MIN (start, now);
  spacing = MAX ((now - start) / (gint64) n, 0);

  for (guint i = 0; i < n; i++)
    {
      gint64 created = start + (gint64) i * spacing + between (self->data_rand, 0, spacing / 2);

      generate_one (self, MIN (created, now), now);
    }

  g_array_sort (self->log, compare_log);
}
