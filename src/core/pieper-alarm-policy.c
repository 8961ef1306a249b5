/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include "pieper-alarm-policy.h"

/*
 * The alarm rules. The policy sees the effective incidents (the server's
 * word with the responder's unsent actions on top) and the time, and keeps
 * for every incident that pages when it began paging and when it last
 * alerted. It has no clock and no timer: the caller says what time it is.
 *
 * Which incidents page:
 *
 *  - A triggered incident pages when it is the responder's: its assignee
 *    ids hold the responder's user id, or its assignee names hold the
 *    responder's name, or the responder is on call at its escalation
 *    policy and level. An incident with no assignee at all (an
 *    Alertmanager alert) is nobody's in particular and pages. When the
 *    policy does not know who the responder is on that account (a token
 *    without a user), every triggered incident pages: missing a page is
 *    worse than one too many.
 *  - Not while snoozed: an incident snoozed until T does not page before
 *    T; from T on, if it is still (or again) triggered, it pages anew.
 *  - An incident the responder escalated here, which the server has not
 *    confirmed yet (it has unsent actions and its level went up while it
 *    paged), stops paging: the stale assignees would otherwise page the
 *    responder who just passed it on, again and again while offline. Once
 *    the server has answered, its assignees decide again.
 *  - Anything else stops the page: acknowledged, resolved, snoozed,
 *    reassigned or escalated away, gone from the store; here, on the server
 *    or from another device, it is all the same to the policy. An incident
 *    that was shown and stops paging gets exactly one WITHDRAW. An
 *    incident that pages again later (re-triggered, snooze over) is a new
 *    page.
 *
 * How a page alerts:
 *
 *  - High urgency is loud: critical urgency (it stays on screen and shows
 *    through Do Not Disturb) and the alarm sound. It re-alerts every
 *    re-alert interval (default 2 minutes, counted from the last alert)
 *    until it stops paging. Low urgency is quiet: a normal notification,
 *    no sound, shown once; it is not worth waking anyone twice for.
 *  - Quiet hours hold low-urgency pages back: they page (is_paging()
 *    says so, the incident list shows them) but are not shown until quiet
 *    hours end, when the ones still paging are shown. High urgency is
 *    never held by quiet hours.
 *  - Do Not Disturb holds low-urgency pages back the same way. High
 *    urgency is shown through it when "dnd-override" is on (the default);
 *    when it is off, a new high-urgency page is held and a shown one does
 *    not re-alert, and the moment Do Not Disturb ends the held pages are
 *    shown and an overdue re-alert comes at once, so nothing is lost.
 *  - A page that was held is shown with NOTIFY, not REALERT: the
 *    responder has not seen it yet.
 *  - A low-urgency page that becomes high urgency re-alerts at once.
 *
 * Summaries instead of popups:
 *
 *  - A storm: when the new pages shown one by one in the last storm window
 *    (default 60 s), with the ones about to be shown, reach the storm
 *    threshold (default 5), the new pages are not shown one by one but
 *    joined into one STORM_SUMMARY, and so is every further new page until
 *    a whole window passes without one. So at most threshold − 1 popups
 *    per window, and a batch of fifty new pages in one update is a single
 *    summary without a popup before it. Pages already shown stay shown.
 *  - Missed pages: after resume() the new pages of the next update began
 *    while Pieper was not watching (asleep, offline, not running); they
 *    are joined into one MISSED_SUMMARY, however few. A missed page held
 *    back by quiet hours or Do Not Disturb joins it when it is shown.
 *  - A summary stands for its members: it is critical while any member is
 *    high urgency, sounds when it gains a high-urgency member unless it
 *    sounded within the re-alert interval, and re-alerts every interval
 *    while it holds one; members never re-alert on their own. Other
 *    changes replace it silently; it is withdrawn when its last member
 *    stops paging (and each member gets its own WITHDRAW too, so the
 *    caller need not know which incident was shown how).
 *
 * Memory: one entry per paging incident, dropped with its WITHDRAW; at
 * most threshold timestamps for the storm window; the summaries' members
 * are paging incidents. Nothing grows with time or with storms.
 */

#define DEFAULT_REALERT_MINUTES   2
#define DEFAULT_QUIET_START       (22 * 60)
#define DEFAULT_QUIET_END         (7 * 60)
#define DEFAULT_STORM_PAGES       5
#define DEFAULT_STORM_WINDOW      60
#define MINUTES_PER_DAY           (24 * 60)

typedef enum
{
  GROUP_NONE,
  GROUP_STORM,
  GROUP_MISSED,
  N_GROUPS
} Group;

typedef struct
{
  gint64          id;
  PieperIncident *incident;
  gint64          paged_at;    /* when it began paging, for the policy */
  gint64          began;       /* when it triggered, for the server */
  gint64          last_alert;  /* the last NOTIFY or REALERT */
  int             level;       /* the escalation level it pages at */
  gboolean        high;
  gboolean        upgraded;    /* low urgency became high */
  gboolean        shown;
  gboolean        missed;
  Group           group;
  guint           seen;        /* the update that last found it paging */
} Entry;

typedef struct
{
  gboolean shown;
  gboolean changed;
  gboolean gained_high;
  gint64   last_sound;
  gint64   since;
} GroupState;

typedef struct
{
  char *user_id;
  char *user_name;
} Me;

typedef struct
{
  int   level;
  guint seen;
} Escalated;

struct _PieperAlarmPolicy
{
  GObject     parent_instance;

  GHashTable *me;         /* account id → Me */
  GHashTable *on_call;    /* "account\x1fpolicy\x1flevel" */
  guint       realert_minutes;
  gboolean    quiet_enabled;
  guint       quiet_start;
  guint       quiet_end;
  GTimeZone  *time_zone;
  gboolean    dnd_override;
  guint       storm_pages;
  guint       storm_window;

  GHashTable *entries;    /* incident id → Entry */
  GHashTable *escalated;  /* incident id → Escalated */
  GQueue      shown_times; /* one-by-one pages in the storm window, oldest first */
  gint64      storm_until;
  GroupState  groups[N_GROUPS];
  gboolean    resumed;
  gint64      asleep_since;
  gboolean    dnd_active;
  gint64      next_snooze_end;
  guint       generation;
};

G_DEFINE_FINAL_TYPE (PieperAlarmPolicy, pieper_alarm_policy, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (PieperAlarmDecision, pieper_alarm_decision,
                     pieper_alarm_decision_copy, pieper_alarm_decision_free)

enum {
  PROP_0,
  PROP_REALERT_INTERVAL,
  PROP_DND_OVERRIDE,
  PROP_QUIET_HOURS_ENABLED,
  PROP_QUIET_HOURS_START,
  PROP_QUIET_HOURS_END,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Decisions */

const char *
pieper_alarm_kind_to_string (PieperAlarmKind kind)
{
  switch (kind)
    {
    case PIEPER_ALARM_NOTIFY:
      return "notify";
    case PIEPER_ALARM_REALERT:
      return "realert";
    case PIEPER_ALARM_WITHDRAW:
      return "withdraw";
    case PIEPER_ALARM_STORM_SUMMARY:
      return "storm-summary";
    case PIEPER_ALARM_MISSED_SUMMARY:
      return "missed-summary";
    default:
      g_return_val_if_reached (NULL);
    }
}

PieperAlarmDecision *
pieper_alarm_decision_copy (const PieperAlarmDecision *decision)
{
  PieperAlarmDecision *copy;

  g_return_val_if_fail (decision != NULL, NULL);

  copy = g_new0 (PieperAlarmDecision, 1);
  *copy = *decision;
  copy->key = g_strdup (decision->key);
  if (decision->incident != NULL)
    copy->incident = g_object_ref (decision->incident);
  if (decision->incident_ids != NULL)
    copy->incident_ids = g_array_ref (decision->incident_ids);

  return copy;
}

void
pieper_alarm_decision_free (PieperAlarmDecision *decision)
{
  if (decision == NULL)
    return;

  g_free (decision->key);
  g_clear_object (&decision->incident);
  g_clear_pointer (&decision->incident_ids, g_array_unref);
  g_free (decision);
}

static char *
incident_key (gint64 id)
{
  return g_strdup_printf ("incident-%" G_GINT64_FORMAT, id);
}

static void
add_incident_decision (GPtrArray       *decisions,
                       PieperAlarmKind  kind,
                       Entry           *entry,
                       gboolean         sound)
{
  PieperAlarmDecision *decision = g_new0 (PieperAlarmDecision, 1);

  decision->kind = kind;
  decision->key = incident_key (entry->id);
  decision->incident_id = entry->id;
  decision->incident = g_object_ref (entry->incident);
  decision->critical = kind != PIEPER_ALARM_WITHDRAW && entry->high;
  decision->sound = sound;
  g_ptr_array_add (decisions, decision);
}

/* Entries and the rest of the state */

static void
entry_free (Entry *entry)
{
  g_clear_object (&entry->incident);
  g_free (entry);
}

static void
me_free (Me *me)
{
  g_free (me->user_id);
  g_free (me->user_name);
  g_free (me);
}

static gint64 *
id_key (gint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

static char *
on_call_key (gint64      account_id,
             const char *escalation_policy,
             int         level)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "\x1f%s\x1f%d",
                          account_id, escalation_policy ? escalation_policy : "", level);
}

/* Quiet hours */

static int
minute_of_day (PieperAlarmPolicy *self,
               gint64             now)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (now);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return 0;
  local = g_date_time_to_timezone (utc, self->time_zone);
  if (local == NULL)
    return 0;

  return g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
}

static gboolean
in_quiet_hours (PieperAlarmPolicy *self,
                gint64             now)
{
  int minute;

  if (!self->quiet_enabled || self->quiet_start == self->quiet_end)
    return FALSE;

  minute = minute_of_day (self, now);
  if (self->quiet_start < self->quiet_end)
    return minute >= (int) self->quiet_start && minute < (int) self->quiet_end;
  else
    return minute >= (int) self->quiet_start || minute < (int) self->quiet_end;
}

/* The first time after @now at which the local clock reads the end of
 * quiet hours. GDateTime puts a time that a DST change skips just after
 * the gap, which is when quiet hours end on such a night. */
static gint64
quiet_hours_end_after (PieperAlarmPolicy *self,
                       gint64             now)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (now);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return 0;
  local = g_date_time_to_timezone (utc, self->time_zone);

  for (int days = 0; local != NULL && days < 3; days++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (local, days);
      g_autoptr(GDateTime) end = NULL;

      if (day == NULL)
        break;
      end = g_date_time_new (self->time_zone,
                             g_date_time_get_year (day),
                             g_date_time_get_month (day),
                             g_date_time_get_day_of_month (day),
                             self->quiet_end / 60, self->quiet_end % 60, 0);
      if (end != NULL && g_date_time_to_unix (end) > now)
        return g_date_time_to_unix (end);
    }

  return 0;
}

/* Which incidents page */

static gboolean
is_on_call (PieperAlarmPolicy *self,
            PieperIncident    *incident,
            int                level)
{
  g_autofree char *key = NULL;

  if (g_hash_table_size (self->on_call) == 0)
    return FALSE;

  key = on_call_key (pieper_incident_get_account_id (incident),
                     pieper_incident_get_escalation_policy (incident), level);
  return g_hash_table_contains (self->on_call, key);
}

static gboolean
strv_is_empty (const char * const *strv)
{
  return strv == NULL || strv[0] == NULL;
}

static gboolean
is_mine (PieperAlarmPolicy *self,
         PieperIncident    *incident)
{
  gint64 account_id = pieper_incident_get_account_id (incident);
  const char * const *ids = pieper_incident_get_assignee_ids (incident);
  const char * const *names = pieper_incident_get_assignees (incident);
  Me *me = g_hash_table_lookup (self->me, &account_id);

  if (is_on_call (self, incident, pieper_incident_get_escalation_level (incident)))
    return TRUE;
  if (me == NULL || (me->user_id == NULL && me->user_name == NULL))
    return TRUE;
  if (strv_is_empty (ids) && strv_is_empty (names))
    return TRUE;
  if (me->user_id != NULL && ids != NULL && g_strv_contains (ids, me->user_id))
    return TRUE;
  if (me->user_name != NULL && names != NULL && g_strv_contains (names, me->user_name))
    return TRUE;

  return FALSE;
}

/* An unconfirmed escalation away from a page; see the rules above. */
static gboolean
is_escalated_away (PieperAlarmPolicy *self,
                   PieperIncident    *incident,
                   Entry             *entry)
{
  gint64 id = pieper_incident_get_id (incident);
  int level = pieper_incident_get_escalation_level (incident);
  gboolean unsent = pieper_incident_get_pending (incident) > 0;
  Escalated *escalated = g_hash_table_lookup (self->escalated, &id);

  if (is_on_call (self, incident, level))
    return FALSE;

  if (escalated != NULL)
    {
      if (unsent && level >= escalated->level)
        {
          escalated->seen = self->generation;
          return TRUE;
        }
      return FALSE;
    }

  if (entry != NULL && unsent && level > entry->level)
    {
      escalated = g_new0 (Escalated, 1);
      escalated->level = level;
      escalated->seen = self->generation;
      g_hash_table_insert (self->escalated, id_key (id), escalated);
      return TRUE;
    }

  return FALSE;
}

static gboolean
pages (PieperAlarmPolicy *self,
       PieperIncident    *incident,
       Entry             *entry,
       gint64             now)
{
  if (pieper_incident_get_status (incident) != PIEPER_STATUS_TRIGGERED)
    return FALSE;

  if (pieper_incident_get_snoozed_until (incident) > now)
    {
      gint64 until = pieper_incident_get_snoozed_until (incident);

      if (self->next_snooze_end == 0 || until < self->next_snooze_end)
        self->next_snooze_end = until;
      return FALSE;
    }

  if (is_escalated_away (self, incident, entry))
    return FALSE;

  return is_mine (self, incident);
}

/* What may be shown now */

static gboolean
is_held (PieperAlarmPolicy *self,
         gboolean           high,
         gboolean           quiet)
{
  if (high)
    return self->dnd_active && !self->dnd_override;
  else
    return self->dnd_active || quiet;
}

static gint64
realert_seconds (PieperAlarmPolicy *self)
{
  return 60 * (gint64) self->realert_minutes;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const Entry *x = *(const Entry * const *) a;
  const Entry *y = *(const Entry * const *) b;

  if (x->paged_at != y->paged_at)
    return x->paged_at < y->paged_at ? -1 : 1;
  if (x->began != y->began)
    return x->began < y->began ? -1 : 1;
  if (x->id != y->id)
    return x->id < y->id ? -1 : 1;
  return 0;
}

static void
join_group (PieperAlarmPolicy *self,
            Entry             *entry,
            Group              group)
{
  GroupState *state = &self->groups[group];

  entry->group = group;
  entry->shown = TRUE;
  state->changed = TRUE;
  if (entry->high)
    state->gained_high = TRUE;
}

/* Shows the pages that were not shown yet and may be now, one by one or
 * in a summary. */
static void
show_new_pages (PieperAlarmPolicy *self,
                GPtrArray         *ready,
                gint64             now,
                GPtrArray         *decisions)
{
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();
  gboolean storm = FALSE;

  for (guint i = 0; i < ready->len; i++)
    {
      Entry *entry = g_ptr_array_index (ready, i);

      if (entry->missed)
        {
          if (self->groups[GROUP_MISSED].shown == FALSE &&
              !self->groups[GROUP_MISSED].changed)
            self->groups[GROUP_MISSED].since = self->asleep_since;
          join_group (self, entry, GROUP_MISSED);
        }
      else
        g_ptr_array_add (fresh, entry);
    }

  if (fresh->len == 0)
    return;

  while (!g_queue_is_empty (&self->shown_times) &&
         *(gint64 *) g_queue_peek_head (&self->shown_times) <= now - (gint64) self->storm_window)
    g_free (g_queue_pop_head (&self->shown_times));

  if (self->storm_pages > 0)
    storm = now < self->storm_until ||
            g_queue_get_length (&self->shown_times) + fresh->len >= self->storm_pages;

  for (guint i = 0; i < fresh->len; i++)
    {
      Entry *entry = g_ptr_array_index (fresh, i);

      if (storm)
        {
          join_group (self, entry, GROUP_STORM);
          continue;
        }

      entry->shown = TRUE;
      entry->last_alert = now;
      add_incident_decision (decisions, PIEPER_ALARM_NOTIFY, entry, entry->high);

      g_queue_push_tail (&self->shown_times, id_key (now));
      while (g_queue_get_length (&self->shown_times) > MAX (self->storm_pages, 1))
        g_free (g_queue_pop_head (&self->shown_times));
    }

  if (storm)
    self->storm_until = now + self->storm_window;
}

static void
update_group (PieperAlarmPolicy *self,
              Group              group,
              gint64             now,
              GPtrArray         *decisions)
{
  GroupState *state = &self->groups[group];
  g_autoptr(GPtrArray) members = g_ptr_array_new ();
  PieperAlarmDecision *decision;
  GHashTableIter iter;
  Entry *entry;
  gboolean any_high = FALSE;
  gboolean can_sound;
  gboolean sound = FALSE;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->group == group)
      {
        g_ptr_array_add (members, entry);
        any_high |= entry->high;
      }

  if (members->len == 0)
    {
      if (state->shown)
        {
          decision = g_new0 (PieperAlarmDecision, 1);
          decision->kind = PIEPER_ALARM_WITHDRAW;
          decision->key = g_strdup (group == GROUP_STORM ? "storm" : "missed");
          g_ptr_array_add (decisions, decision);
        }
      *state = (GroupState) { 0 };
      return;
    }

  can_sound = any_high && !is_held (self, TRUE, FALSE);
  if (can_sound && state->gained_high)
    sound = state->last_sound == 0 ||
            (self->realert_minutes > 0 && now >= state->last_sound + realert_seconds (self));
  else if (can_sound && state->last_sound != 0 && self->realert_minutes > 0)
    sound = now >= state->last_sound + realert_seconds (self);

  if (state->changed || sound)
    {
      g_ptr_array_sort (members, compare_entries);

      decision = g_new0 (PieperAlarmDecision, 1);
      decision->kind = group == GROUP_STORM ? PIEPER_ALARM_STORM_SUMMARY : PIEPER_ALARM_MISSED_SUMMARY;
      decision->key = g_strdup (group == GROUP_STORM ? "storm" : "missed");
      decision->incident_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), members->len);
      for (guint i = 0; i < members->len; i++)
        g_array_append_val (decision->incident_ids, ((Entry *) g_ptr_array_index (members, i))->id);
      decision->critical = any_high;
      decision->sound = sound;
      if (group == GROUP_MISSED)
        decision->since = state->since;
      g_ptr_array_add (decisions, decision);

      state->shown = TRUE;
      if (sound)
        state->last_sound = now;
    }

  state->changed = FALSE;
  state->gained_high = FALSE;
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint64 x = (*(const Entry * const *) a)->id;
  gint64 y = (*(const Entry * const *) b)->id;

  return x < y ? -1 : x > y;
}

GPtrArray *
pieper_alarm_policy_update (PieperAlarmPolicy *self,
                            GPtrArray         *incidents,
                            gint64             now,
                            gboolean           dnd_active)
{
  g_autoptr(GPtrArray) decisions = NULL;
  g_autoptr(GPtrArray) paging = g_ptr_array_new ();
  g_autoptr(GPtrArray) leaving = g_ptr_array_new ();
  g_autoptr(GPtrArray) ready = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;
  gboolean quiet;

  g_return_val_if_fail (PIEPER_IS_ALARM_POLICY (self), NULL);
  g_return_val_if_fail (incidents != NULL, NULL);

  decisions = g_ptr_array_new_with_free_func ((GDestroyNotify) pieper_alarm_decision_free);
  self->generation++;
  self->dnd_active = dnd_active;
  self->next_snooze_end = 0;
  quiet = in_quiet_hours (self, now);

  /* Which incidents page now, in the order given. */
  for (guint i = 0; i < incidents->len; i++)
    {
      PieperIncident *incident = g_ptr_array_index (incidents, i);
      gint64 id = pieper_incident_get_id (incident);
      Entry *entry = g_hash_table_lookup (self->entries, &id);
      gboolean was_high;

      g_return_val_if_fail (PIEPER_IS_INCIDENT (incident), NULL);

      if (id <= 0)
        {
          g_critical ("An incident without a store id cannot page: %s",
                      pieper_incident_get_remote_id (incident));
          continue;
        }

      if (entry != NULL)
        g_set_object (&entry->incident, incident);

      if (!pages (self, incident, entry, now))
        continue;

      if (entry == NULL)
        {
          entry = g_new0 (Entry, 1);
          entry->id = id;
          entry->incident = g_object_ref (incident);
          entry->paged_at = now;
          entry->began = pieper_incident_get_last_status_change_at (incident);
          if (entry->began == 0)
            entry->began = pieper_incident_get_created_at (incident);
          entry->missed = self->resumed;
          entry->high = pieper_incident_get_urgency (incident) == PIEPER_URGENCY_HIGH;
          g_hash_table_insert (self->entries, id_key (id), entry);
        }
      else if (entry->seen == self->generation)
        continue; /* the same incident twice */

      was_high = entry->high;
      entry->high = pieper_incident_get_urgency (incident) == PIEPER_URGENCY_HIGH;
      entry->level = pieper_incident_get_escalation_level (incident);
      entry->seen = self->generation;
      g_ptr_array_add (paging, entry);

      /* Low urgency became high: a fresh reason to alert, at once. */
      if (entry->shown && entry->high && !was_high)
        {
          if (entry->group == GROUP_NONE)
            entry->upgraded = TRUE;
          else
            self->groups[entry->group].gained_high = TRUE;
        }
    }

  /* The pages that ended: one WITHDRAW each, if shown. */
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Entry *entry = value;

      if (entry->seen != self->generation)
        g_ptr_array_add (leaving, entry);
    }
  g_ptr_array_sort (leaving, compare_ids);
  for (guint i = 0; i < leaving->len; i++)
    {
      Entry *entry = g_ptr_array_index (leaving, i);

      if (entry->shown)
        add_incident_decision (decisions, PIEPER_ALARM_WITHDRAW, entry, FALSE);
      if (entry->group != GROUP_NONE)
        self->groups[entry->group].changed = TRUE;
      g_hash_table_remove (self->entries, &entry->id);
    }

  g_hash_table_iter_init (&iter, self->escalated);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Escalated *) value)->seen != self->generation)
      g_hash_table_iter_remove (&iter);

  /* New pages, and held ones that may be shown now. */
  for (guint i = 0; i < paging->len; i++)
    {
      Entry *entry = g_ptr_array_index (paging, i);

      if (!entry->shown && !is_held (self, entry->high, quiet))
        g_ptr_array_add (ready, entry);
    }
  show_new_pages (self, ready, now, decisions);

  /* Re-alerts of pages shown one by one. */
  for (guint i = 0; i < paging->len; i++)
    {
      Entry *entry = g_ptr_array_index (paging, i);

      if (!entry->shown || entry->group != GROUP_NONE || !entry->high ||
          is_held (self, TRUE, quiet))
        continue;

      /* A clock that went back must not hold a re-alert back for long. */
      if (entry->last_alert > now)
        entry->last_alert = now;

      if (entry->upgraded ||
          (self->realert_minutes > 0 && now >= entry->last_alert + realert_seconds (self)))
        {
          entry->upgraded = FALSE;
          entry->last_alert = now;
          add_incident_decision (decisions, PIEPER_ALARM_REALERT, entry, TRUE);
        }
    }

  for (Group group = GROUP_STORM; group < N_GROUPS; group++)
    {
      if (self->groups[group].last_sound > now)
        self->groups[group].last_sound = now;
      update_group (self, group, now, decisions);
    }

  self->resumed = FALSE;

  return g_steal_pointer (&decisions);
}

gint64
pieper_alarm_policy_next_wakeup (PieperAlarmPolicy *self,
                                 gint64             now)
{
  GHashTableIter iter;
  gpointer value;
  gint64 wakeup = 0;
  gboolean held = FALSE;
  gboolean can_realert;

  g_return_val_if_fail (PIEPER_IS_ALARM_POLICY (self), 0);

#define CONSIDER(at) G_STMT_START {                   \
    gint64 at_ = MAX ((at), now);                     \
    if (wakeup == 0 || at_ < wakeup)                  \
      wakeup = at_;                                   \
  } G_STMT_END

  can_realert = self->realert_minutes > 0 && !is_held (self, TRUE, FALSE);

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Entry *entry = value;

      if (!entry->shown)
        held = TRUE;
      else if (can_realert && entry->group == GROUP_NONE && entry->high)
        CONSIDER (entry->last_alert + realert_seconds (self));
      else if (can_realert && entry->group != GROUP_NONE && entry->high &&
               self->groups[entry->group].last_sound != 0)
        CONSIDER (self->groups[entry->group].last_sound + realert_seconds (self));
    }

  /* Pages held by Do Not Disturb wait for it to end, which the caller
   * tells with an update; the ones held by quiet hours wait for the end
   * of quiet hours (or are due now, when the settings changed). */
  if (held && !self->dnd_active)
    {
      if (in_quiet_hours (self, now))
        {
          gint64 end = quiet_hours_end_after (self, now);

          if (end != 0)
            CONSIDER (end);
        }
      else
        CONSIDER (now);
    }

  if (self->next_snooze_end != 0)
    CONSIDER (self->next_snooze_end);

#undef CONSIDER

  return wakeup;
}

gboolean
pieper_alarm_policy_is_paging (PieperAlarmPolicy *self,
                               gint64             incident_id)
{
  g_return_val_if_fail (PIEPER_IS_ALARM_POLICY (self), FALSE);

  return g_hash_table_contains (self->entries, &incident_id);
}

void
pieper_alarm_policy_resume (PieperAlarmPolicy *self,
                            gint64             asleep_since)
{
  g_return_if_fail (PIEPER_IS_ALARM_POLICY (self));

  self->resumed = TRUE;
  self->asleep_since = asleep_since;
}

/* Configuration */

void
pieper_alarm_policy_set_me (PieperAlarmPolicy *self,
                            gint64             account_id,
                            const char        *user_id,
                            const char        *user_name)
{
  Me *me;

  g_return_if_fail (PIEPER_IS_ALARM_POLICY (self));

  if ((user_id == NULL || *user_id == '\0') && (user_name == NULL || *user_name == '\0'))
    {
      g_hash_table_remove (self->me, &account_id);
      return;
    }

  me = g_new0 (Me, 1);
  me->user_id = (user_id != NULL && *user_id != '\0') ? g_strdup (user_id) : NULL;
  me->user_name = (user_name != NULL && *user_name != '\0') ? g_strdup (user_name) : NULL;
  g_hash_table_replace (self->me, id_key (account_id), me);
}

void
pieper_alarm_policy_set_on_call (PieperAlarmPolicy *self,
                                 gint64             account_id,
                                 const char        *escalation_policy,
                                 int                level,
                                 gboolean           on_call)
{
  char *key;

  g_return_if_fail (PIEPER_IS_ALARM_POLICY (self));

  key = on_call_key (account_id, escalation_policy, level);
  if (on_call)
    g_hash_table_add (self->on_call, key);
  else
    {
      g_hash_table_remove (self->on_call, key);
      g_free (key);
    }
}

void
pieper_alarm_policy_set_realert_interval (PieperAlarmPolicy *self,
                                          guint              minutes)
{
  g_return_if_fail (PIEPER_IS_ALARM_POLICY (self));
  g_return_if_fail (minutes <= MINUTES_PER_DAY);

  if (self->realert_minutes == minutes)
    return;

  self->realert_minutes = minutes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REALERT_INTERVAL]);
}

guint
pieper_alarm_policy_get_realert_interval (PieperAlarmPolicy *self)
{
  g_return_val_if_fail (PIEPER_IS_ALARM_POLICY (self), 0);

  return self->realert_minutes;
}

void
pieper_alarm_policy_set_quiet_hours (PieperAlarmPolicy *self,
                                     guint              start_minute,
                                     guint              end_minute,
                                     gboolean           enabled)
{
  g_return_if_fail (PIEPER_IS_ALARM_POLICY (self));
  g_return_if_fail (start_minute < MINUTES_PER_DAY);
  g_return_if_fail (end_minute < MINUTES_PER_DAY);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->quiet_start != start_minute)
    {
      self->quiet_start = start_minute;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUIET_HOURS_START]);
    }
  if (self->quiet_end != end_minute)
    {
      self->quiet_end = end_minute;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUIET_HOURS_END]);
    }
  if (self->quiet_enabled != !!enabled)
    {
      self->quiet_enabled = !!enabled;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUIET_HOURS_ENABLED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
pieper_alarm_policy_set_time_zone (PieperAlarmPolicy *self,
                                   GTimeZone         *time_zone)
{
  g_return_if_fail (PIEPER_IS_ALARM_POLICY (self));

  g_clear_pointer (&self->time_zone, g_time_zone_unref);
  self->time_zone = time_zone != NULL ? g_time_zone_ref (time_zone) : g_time_zone_new_local ();
}

void
pieper_alarm_policy_set_dnd_override (PieperAlarmPolicy *self,
                                      gboolean           dnd_override)
{
  g_return_if_fail (PIEPER_IS_ALARM_POLICY (self));

  dnd_override = !!dnd_override;
  if (self->dnd_override == dnd_override)
    return;

  self->dnd_override = dnd_override;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DND_OVERRIDE]);
}

gboolean
pieper_alarm_policy_get_dnd_override (PieperAlarmPolicy *self)
{
  g_return_val_if_fail (PIEPER_IS_ALARM_POLICY (self), FALSE);

  return self->dnd_override;
}

void
pieper_alarm_policy_set_storm_threshold (PieperAlarmPolicy *self,
                                         guint              n_pages,
                                         guint              window_seconds)
{
  g_return_if_fail (PIEPER_IS_ALARM_POLICY (self));

  self->storm_pages = n_pages;
  self->storm_window = window_seconds;
  while (g_queue_get_length (&self->shown_times) > MAX (n_pages, 1))
    g_free (g_queue_pop_head (&self->shown_times));
}

/* GObject */

static void
pieper_alarm_policy_finalize (GObject *object)
{
  PieperAlarmPolicy *self = (PieperAlarmPolicy *) object;

  g_clear_pointer (&self->me, g_hash_table_unref);
  g_clear_pointer (&self->on_call, g_hash_table_unref);
  g_clear_pointer (&self->time_zone, g_time_zone_unref);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->escalated, g_hash_table_unref);
  g_queue_clear_full (&self->shown_times, g_free);

  G_OBJECT_CLASS (pieper_alarm_policy_parent_class)->finalize (object);
}

static void
pieper_alarm_policy_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PieperAlarmPolicy *self = PIEPER_ALARM_POLICY (object);

  switch (prop_id)
    {
    case PROP_REALERT_INTERVAL:
      g_value_set_uint (value, self->realert_minutes);
      break;

    case PROP_DND_OVERRIDE:
      g_value_set_boolean (value, self->dnd_override);
      break;

    case PROP_QUIET_HOURS_ENABLED:
      g_value_set_boolean (value, self->quiet_enabled);
      break;

    case PROP_QUIET_HOURS_START:
      g_value_set_uint (value, self->quiet_start);
      break;

    case PROP_QUIET_HOURS_END:
      g_value_set_uint (value, self->quiet_end);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_alarm_policy_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  PieperAlarmPolicy *self = PIEPER_ALARM_POLICY (object);

  switch (prop_id)
    {
    case PROP_REALERT_INTERVAL:
      pieper_alarm_policy_set_realert_interval (self, g_value_get_uint (value));
      break;

    case PROP_DND_OVERRIDE:
      pieper_alarm_policy_set_dnd_override (self, g_value_get_boolean (value));
      break;

    case PROP_QUIET_HOURS_ENABLED:
      pieper_alarm_policy_set_quiet_hours (self, self->quiet_start, self->quiet_end,
                                           g_value_get_boolean (value));
      break;

    case PROP_QUIET_HOURS_START:
      pieper_alarm_policy_set_quiet_hours (self, g_value_get_uint (value), self->quiet_end,
                                           self->quiet_enabled);
      break;

    case PROP_QUIET_HOURS_END:
      pieper_alarm_policy_set_quiet_hours (self, self->quiet_start, g_value_get_uint (value),
                                           self->quiet_enabled);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_alarm_policy_class_init (PieperAlarmPolicyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pieper_alarm_policy_finalize;
  object_class->get_property = pieper_alarm_policy_get_property;
  object_class->set_property = pieper_alarm_policy_set_property;

  properties[PROP_REALERT_INTERVAL] =
    g_param_spec_uint ("realert-interval", NULL, NULL,
                       0, MINUTES_PER_DAY, DEFAULT_REALERT_MINUTES,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DND_OVERRIDE] =
    g_param_spec_boolean ("dnd-override", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUIET_HOURS_ENABLED] =
    g_param_spec_boolean ("quiet-hours-enabled", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUIET_HOURS_START] =
    g_param_spec_uint ("quiet-hours-start", NULL, NULL,
                       0, MINUTES_PER_DAY - 1, DEFAULT_QUIET_START,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUIET_HOURS_END] =
    g_param_spec_uint ("quiet-hours-end", NULL, NULL,
                       0, MINUTES_PER_DAY - 1, DEFAULT_QUIET_END,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pieper_alarm_policy_init (PieperAlarmPolicy *self)
{
  self->me = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) me_free);
  self->on_call = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->realert_minutes = DEFAULT_REALERT_MINUTES;
  self->quiet_start = DEFAULT_QUIET_START;
  self->quiet_end = DEFAULT_QUIET_END;
  self->time_zone = g_time_zone_new_local ();
  self->dnd_override = TRUE;
  self->storm_pages = DEFAULT_STORM_PAGES;
  self->storm_window = DEFAULT_STORM_WINDOW;
  self->entries = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) entry_free);
  self->escalated = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_queue_init (&self->shown_times);
}

PieperAlarmPolicy *
pieper_alarm_policy_new (void)
{
  return g_object_new (PIEPER_TYPE_ALARM_POLICY, NULL);
}
