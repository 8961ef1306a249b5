/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperSim"

#include "config.h"

#include "pieper-sim-private.h"

/*
 * The JSON of PagerDuty's REST API v2, written from PagerDuty's documented
 * examples (developer.pagerduty.com, "Get an incident", "List notes",
 * "List log entries") and nothing else in this tree: Pieper's provider must
 * not be the reference for what the server says.
 *
 * Timestamps are ISO 8601 in UTC with a "Z", in whole seconds.
 */

char *
_pieper_sim_builder_to_string (JsonBuilder *builder,
                               gsize       *len)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, len);
}

char *
_pieper_sim_error_json (guint        code,
                        const char  *message,
                        const char **errors,
                        gsize       *len)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  if (errors != NULL)
    {
      json_builder_set_member_name (builder, "errors");
      json_builder_begin_array (builder);
      for (guint i = 0; errors[i] != NULL; i++)
        json_builder_add_string_value (builder, errors[i]);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return _pieper_sim_builder_to_string (builder, len);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_time (JsonBuilder *builder,
          const char  *name,
          gint64       unix_seconds)
{
  char buf[32];

  json_builder_set_member_name (builder, name);
  if (unix_seconds == 0)
    {
      json_builder_add_null_value (builder);
      return;
    }
  _pieper_sim_format_time (unix_seconds, buf);
  json_builder_add_string_value (builder, buf);
}

static void
add_urls (PieperSim   *self,
          JsonBuilder *builder,
          const char  *collection,
          const char  *id)
{
  g_autofree char *api = g_strdup_printf ("%s/%s/%s", self->base_url, collection, id);
  g_autofree char *html = g_strdup_printf ("%s/html/%s/%s", self->base_url, collection, id);

  add_string (builder, "self", api);
  add_string (builder, "html_url", html);
}

/* A reference: {id, type, summary, self, html_url}. */
static void
add_reference (PieperSim   *self,
               JsonBuilder *builder,
               const char  *name,
               const char  *type,
               const char  *collection,
               const char  *id,
               const char  *summary)
{
  if (name != NULL)
    json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  add_string (builder, "id", id);
  add_string (builder, "type", type);
  add_string (builder, "summary", summary);
  add_urls (self, builder, collection, id);
  json_builder_end_object (builder);
}

void
_pieper_sim_build_user_reference (PieperSim   *self,
                                  JsonBuilder *builder,
                                  guint16      user)
{
  SimUser *u = g_ptr_array_index (self->users, user);

  add_reference (self, builder, NULL, "user_reference", "users", u->id, u->name);
}

static void
add_service_reference (PieperSim   *self,
                       JsonBuilder *builder,
                       const char  *name,
                       guint        service)
{
  const SimService *svc = &_pieper_sim_services[service];

  add_reference (self, builder, name, "service_reference", "services", svc->id, svc->name);
}

/* The one who did something: a user, or the service for what an
 * integration or a timeout did. */
static void
add_agent (PieperSim   *self,
           JsonBuilder *builder,
           const char  *name,
           guint16      agent,
           guint        service)
{
  if (agent == SIM_NO_USER)
    {
      add_service_reference (self, builder, name, service);
      return;
    }
  json_builder_set_member_name (builder, name);
  _pieper_sim_build_user_reference (self, builder, agent);
}

void
_pieper_sim_build_user (PieperSim   *self,
                        JsonBuilder *builder,
                        guint16      user)
{
  SimUser *u = g_ptr_array_index (self->users, user);
  g_autofree char *avatar = g_strdup_printf ("%s/html/avatars/%s.png", self->base_url, u->id);

  json_builder_begin_object (builder);
  add_string (builder, "id", u->id);
  add_string (builder, "type", "user");
  add_string (builder, "summary", u->name);
  add_urls (self, builder, "users", u->id);
  add_string (builder, "name", u->name);
  add_string (builder, "email", u->email);
  add_string (builder, "time_zone", "Europe/Amsterdam");
  add_string (builder, "color", "purple");
  add_string (builder, "role", user == 0 ? "user" : "limited_user");
  add_string (builder, "avatar_url", avatar);
  add_string (builder, "description", NULL);
  json_builder_set_member_name (builder, "invitation_sent");
  json_builder_add_boolean_value (builder, FALSE);
  add_string (builder, "job_title", "Site Reliability Engineer");
  json_builder_set_member_name (builder, "teams");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "contact_methods");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "notification_rules");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

void
_pieper_sim_build_incident (PieperSim   *self,
                            JsonBuilder *builder,
                            SimIncident *incident,
                            gboolean     with_bridge)
{
  const SimService *svc = &_pieper_sim_services[incident->service];
  const SimPolicy *policy = &_pieper_sim_policies[svc->policy];
  g_autofree char *summary = g_strdup_printf ("[#%u] %s", incident->number, incident->title);
  gboolean resolved = incident->status == SIM_STATUS_RESOLVED;
  char log_id[16];
  SimLogEntry trigger = { .seq = incident->trigger_seq };

  json_builder_begin_object (builder);
  add_string (builder, "id", incident->id);
  add_string (builder, "type", "incident");
  add_string (builder, "summary", summary);
  add_urls (self, builder, "incidents", incident->id);
  json_builder_set_member_name (builder, "incident_number");
  json_builder_add_int_value (builder, incident->number);
  add_string (builder, "title", incident->title);
  add_string (builder, "description", incident->title);
  add_time (builder, "created_at", incident->created_at);
  add_time (builder, "updated_at", incident->updated_at);
  add_string (builder, "status", _pieper_sim_status_to_string (incident->status));
  add_string (builder, "incident_key", incident->incident_key);
  add_service_reference (self, builder, "service", incident->service);

  json_builder_set_member_name (builder, "assignments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < incident->n_assignees; i++)
    {
      json_builder_begin_object (builder);
      add_time (builder, "at", incident->assigned_at);
      json_builder_set_member_name (builder, "assignee");
      _pieper_sim_build_user_reference (self, builder, incident->assignees[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_string (builder, "assigned_via", "escalation_policy");

  json_builder_set_member_name (builder, "acknowledgements");
  json_builder_begin_array (builder);
  if (incident->status == SIM_STATUS_ACKNOWLEDGED)
    {
      json_builder_begin_object (builder);
      add_time (builder, "at", incident->acknowledged_at);
      add_agent (self, builder, "acknowledger", incident->acknowledger, incident->service);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  add_time (builder, "last_status_change_at", incident->status_changed_at);
  add_agent (self, builder, "last_status_change_by", incident->status_by, incident->service);
  add_time (builder, "resolved_at", incident->resolved_at);

  _pieper_sim_log_entry_id (&trigger, log_id);
  json_builder_set_member_name (builder, "first_trigger_log_entry");
  json_builder_begin_object (builder);
  add_string (builder, "id", log_id);
  add_string (builder, "type", "trigger_log_entry_reference");
  add_string (builder, "summary", "Triggered through the API");
  add_urls (self, builder, "log_entries", log_id);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "alert_counts");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "all");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "triggered");
  json_builder_add_int_value (builder, resolved ? 0 : 1);
  json_builder_set_member_name (builder, "resolved");
  json_builder_add_int_value (builder, resolved ? 1 : 0);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "is_mergeable");
  json_builder_add_boolean_value (builder, TRUE);
  add_reference (self, builder, "escalation_policy", "escalation_policy_reference",
                 "escalation_policies", policy->id, policy->name);
  json_builder_set_member_name (builder, "teams");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "pending_actions");
  json_builder_begin_array (builder);
  if (incident->snoozed_until != 0 && incident->status == SIM_STATUS_ACKNOWLEDGED)
    {
      json_builder_begin_object (builder);
      add_string (builder, "type", "unacknowledge");
      add_time (builder, "at", incident->snoozed_until);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  add_string (builder, "urgency", incident->urgency == SIM_URGENCY_HIGH ? "high" : "low");

  json_builder_set_member_name (builder, "priority");
  if (incident->priority == 0)
    json_builder_add_null_value (builder);
  else
    {
      char id[8];
      char name[4];

      g_snprintf (id, sizeof id, "PPRIO0%u", incident->priority);
      g_snprintf (name, sizeof name, "P%u", incident->priority);
      json_builder_begin_object (builder);
      add_string (builder, "id", id);
      add_string (builder, "type", "priority_reference");
      add_string (builder, "summary", name);
      add_urls (self, builder, "priorities", id);
      json_builder_end_object (builder);
    }

  /* PagerDuty returns the bridge only when asked with
   * include[]=conference_bridge. */
  if (with_bridge)
    {
      json_builder_set_member_name (builder, "conference_bridge");
      if (!incident->has_bridge)
        json_builder_add_null_value (builder);
      else
        {
          g_autofree char *url = g_strdup_printf ("https://meet.example.com/inc-%u", incident->number);
          g_autofree char *number = g_strdup_printf ("+1 555-0100,,,%u#", incident->number);

          json_builder_begin_object (builder);
          add_string (builder, "conference_url", url);
          add_string (builder, "conference_number", number);
          json_builder_end_object (builder);
        }
    }

  json_builder_end_object (builder);
}

void
_pieper_sim_build_note (PieperSim   *self,
                        JsonBuilder *builder,
                        SimNote     *note)
{
  json_builder_begin_object (builder);
  add_string (builder, "id", note->id);
  json_builder_set_member_name (builder, "user");
  _pieper_sim_build_user_reference (self, builder, note->user);
  json_builder_set_member_name (builder, "channel");
  json_builder_begin_object (builder);
  add_string (builder, "summary", "The PagerDuty website or APIs");
  json_builder_end_object (builder);
  add_string (builder, "content", note->content);
  add_time (builder, "created_at", note->created_at);
  json_builder_end_object (builder);
}

static const char *
log_type_name (SimLogType type)
{
  switch (type)
    {
    case SIM_LOG_TRIGGER:
      return "trigger_log_entry";
    case SIM_LOG_ACKNOWLEDGE:
      return "acknowledge_log_entry";
    case SIM_LOG_RESOLVE:
      return "resolve_log_entry";
    case SIM_LOG_ESCALATE:
      return "escalate_log_entry";
    case SIM_LOG_ASSIGN:
      return "assign_log_entry";
    case SIM_LOG_ANNOTATE:
      return "annotate_log_entry";
    case SIM_LOG_SNOOZE:
      return "snooze_log_entry";
    case SIM_LOG_UNACKNOWLEDGE:
      return "unacknowledge_log_entry";
    default:
      g_assert_not_reached ();
    }
}

static const char *
agent_name (PieperSim *self,
            guint16    agent,
            guint      service)
{
  if (agent == SIM_NO_USER)
    return _pieper_sim_services[service].name;
  return ((SimUser *) g_ptr_array_index (self->users, agent))->name;
}

static char *
assignee_names (PieperSim         *self,
                const SimLogEntry *entry)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < entry->n_assignees; i++)
    {
      SimUser *user = g_ptr_array_index (self->users, entry->assignees[i]);

      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, user->name);
    }
  return g_string_free (names, FALSE);
}

static char *
log_summary (PieperSim         *self,
             const SimLogEntry *entry,
             SimIncident       *incident)
{
  const char *agent = agent_name (self, entry->agent, incident->service);
  g_autofree char *names = assignee_names (self, entry);

  switch ((SimLogType) entry->type)
    {
    case SIM_LOG_TRIGGER:
      return g_strdup ("Triggered through the API");
    case SIM_LOG_ACKNOWLEDGE:
      return g_strdup_printf ("Acknowledged by %s", agent);
    case SIM_LOG_RESOLVE:
      return g_strdup_printf ("Resolved by %s", agent);
    case SIM_LOG_ESCALATE:
      if (entry->agent == SIM_NO_USER)
        return g_strdup_printf ("Escalated to level %u (%s) on timeout", entry->level, names);
      return g_strdup_printf ("Escalated to level %u (%s) by %s", entry->level, names, agent);
    case SIM_LOG_ASSIGN:
      return g_strdup_printf ("Reassigned to %s by %s", names, agent);
    case SIM_LOG_ANNOTATE:
      return g_strdup_printf ("Note added by %s", agent);
    case SIM_LOG_SNOOZE:
      return g_strdup_printf ("Snoozed for %u minutes by %s", entry->detail / 60, agent);
    case SIM_LOG_UNACKNOWLEDGE:
      return g_strdup ("Unacknowledged: the acknowledgement or snooze timed out");
    default:
      g_assert_not_reached ();
    }
}

void
_pieper_sim_build_log_entry (PieperSim         *self,
                             JsonBuilder       *builder,
                             const SimLogEntry *entry)
{
  SimIncident *incident = g_ptr_array_index (self->incidents, entry->incident);
  g_autofree char *summary = log_summary (self, entry, incident);
  g_autofree char *incident_summary = g_strdup_printf ("[#%u] %s", incident->number, incident->title);
  const char *channel;
  char id[16];

  _pieper_sim_log_entry_id (entry, id);

  json_builder_begin_object (builder);
  add_string (builder, "id", id);
  add_string (builder, "type", log_type_name (entry->type));
  add_string (builder, "summary", summary);
  add_urls (self, builder, "log_entries", id);
  add_time (builder, "created_at", entry->at);
  add_agent (self, builder, "agent", entry->agent, incident->service);

  switch ((SimChannel) entry->channel)
    {
    case SIM_CHANNEL_WEB:
      channel = "website";
      break;
    case SIM_CHANNEL_AUTO:
      channel = "auto";
      break;
    case SIM_CHANNEL_API:
    case SIM_CHANNEL_EVENTS:
      channel = "api";
      break;
    default:
      g_assert_not_reached ();
    }
  json_builder_set_member_name (builder, "channel");
  json_builder_begin_object (builder);
  if (entry->type == SIM_LOG_ANNOTATE)
    {
      SimNote *note = g_ptr_array_index (incident->notes, entry->detail);

      add_string (builder, "type", "note");
      add_string (builder, "summary", note->content);
    }
  else
    add_string (builder, "type", channel);
  json_builder_end_object (builder);

  add_service_reference (self, builder, "service", incident->service);
  add_reference (self, builder, "incident", "incident_reference", "incidents",
                 incident->id, incident_summary);
  json_builder_set_member_name (builder, "teams");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "contexts");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);

  if (entry->type == SIM_LOG_TRIGGER)
    {
      json_builder_set_member_name (builder, "event_details");
      json_builder_begin_object (builder);
      add_string (builder, "description", incident->title);
      json_builder_end_object (builder);
    }

  if (entry->type == SIM_LOG_TRIGGER ||
      entry->type == SIM_LOG_ESCALATE ||
      entry->type == SIM_LOG_ASSIGN)
    {
      json_builder_set_member_name (builder, "assignees");
      json_builder_begin_array (builder);
      for (guint i = 0; i < entry->n_assignees; i++)
        _pieper_sim_build_user_reference (self, builder, entry->assignees[i]);
      json_builder_end_array (builder);
    }

  if (entry->type == SIM_LOG_ACKNOWLEDGE)
    {
      json_builder_set_member_name (builder, "acknowledgement_timeout");
      json_builder_add_int_value (builder, 1800);
    }

  json_builder_end_object (builder);
}
