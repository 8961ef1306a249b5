/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperSim"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pieper-sim-private.h"

/*
 * PagerDuty REST API v2 and Events API v2, the part Pieper uses.
 *
 * Choices where PagerDuty's documentation is silent, each also noted where
 * it is made:
 *  - acknowledging an acknowledged incident answers 200 and acknowledges it
 *    again (a fresh acknowledge_log_entry), it is not an error 1002;
 *  - escalating, reassigning or snoozing a resolved incident is error 1001
 *    (Incident Already Resolved), as is resolving it again;
 *  - a missing From header is error 2001, an unknown one error 1008;
 *  - limit above 100 is lowered to 100 (and echoed as 100);
 *  - log entries are listed newest first, incidents by incident number.
 *
 * Documented and simulated on purpose: GET /incidents without since lists
 * the last month only (date_range=all lifts that), a range above six months
 * is refused, offset + limit may not pass 10,000, and conference_bridge is
 * only returned with include[]=conference_bridge.
 */

const char *
_pieper_sim_query_get (SimRequest *req,
                       const char *key)
{
  for (guint i = 0; i < req->query->len; i++)
    {
      SimQueryParam *param = g_ptr_array_index (req->query, i);

      if (strcmp (param->key, key) == 0)
        return param->value;
    }
  return NULL;
}

/* Values of "key[]" (PagerDuty's form for arrays) and of plain "key". */
static GPtrArray *
query_get_all (SimRequest *req,
               const char *key)
{
  GPtrArray *values = g_ptr_array_new ();
  g_autofree char *array_key = g_strconcat (key, "[]", NULL);

  for (guint i = 0; i < req->query->len; i++)
    {
      SimQueryParam *param = g_ptr_array_index (req->query, i);

      if (strcmp (param->key, key) == 0 || strcmp (param->key, array_key) == 0)
        g_ptr_array_add (values, param->value);
    }
  return values;
}

static gboolean
query_has_value (SimRequest *req,
                 const char *key,
                 const char *value)
{
  g_autoptr(GPtrArray) values = query_get_all (req, key);

  for (guint i = 0; i < values->len; i++)
    {
      if (strcmp (g_ptr_array_index (values, i), value) == 0)
        return TRUE;
    }
  return FALSE;
}

void
_pieper_sim_respond_error (SimRequest *req,
                           guint       status,
                           guint       code,
                           const char *message,
                           const char *detail)
{
  const char *errors[] = { detail, NULL };

  g_clear_pointer (&req->response, g_free);
  req->status = status;
  req->response = _pieper_sim_error_json (code, message, detail != NULL ? errors : NULL,
                                          &req->response_len);
}

void
_pieper_sim_respond_builder (SimRequest  *req,
                             guint        status,
                             JsonBuilder *builder)
{
  g_clear_pointer (&req->response, g_free);
  req->status = status;
  req->response = _pieper_sim_builder_to_string (builder, &req->response_len);
}

static void
respond_invalid (SimRequest *req,
                 const char *detail)
{
  _pieper_sim_respond_error (req, SOUP_STATUS_BAD_REQUEST, 2001, "Invalid Input Provided", detail);
}

static void
respond_not_found (SimRequest *req)
{
  _pieper_sim_respond_error (req, SOUP_STATUS_NOT_FOUND, 2100, "Not Found", NULL);
}

static gboolean
parse_uint (const char *str,
            guint64     max,
            guint64    *out)
{
  char *end = NULL;
  guint64 value;

  if (str == NULL || *str == '\0' || !g_ascii_isdigit (*str))
    return FALSE;
  value = g_ascii_strtoull (str, &end, 10);
  if (*end != '\0' || value > max)
    return FALSE;
  *out = value;
  return TRUE;
}

typedef struct {
  guint    limit;
  guint    offset;
  gboolean want_total;
} Page;

/* Classic pagination: limit (default 25, at most 100), offset, and
 * offset + limit never above 10,000. */
static gboolean
parse_page (SimRequest *req,
            Page       *page)
{
  const char *limit = _pieper_sim_query_get (req, "limit");
  const char *offset = _pieper_sim_query_get (req, "offset");
  guint64 value;

  page->limit = SIM_DEFAULT_LIMIT;
  page->offset = 0;
  page->want_total = g_strcmp0 (_pieper_sim_query_get (req, "total"), "true") == 0;

  if (limit != NULL)
    {
      if (!parse_uint (limit, G_MAXUINT32, &value) || value == 0)
        {
          respond_invalid (req, "limit must be a positive integer");
          return FALSE;
        }
      page->limit = (guint) MIN (value, SIM_MAX_LIMIT);
    }

  if (offset != NULL)
    {
      if (!parse_uint (offset, G_MAXUINT32, &value))
        {
          respond_invalid (req, "offset must be a non-negative integer");
          return FALSE;
        }
      page->offset = (guint) value;
    }

  if ((guint64) page->offset + page->limit > SIM_MAX_WINDOW)
    {
      respond_invalid (req, "Offset plus limit must not exceed 10000; use a filter to narrow the results");
      return FALSE;
    }

  return TRUE;
}

static void
add_page_members (JsonBuilder *builder,
                  const Page  *page,
                  gboolean     more,
                  guint        total)
{
  json_builder_set_member_name (builder, "limit");
  json_builder_add_int_value (builder, page->limit);
  json_builder_set_member_name (builder, "offset");
  json_builder_add_int_value (builder, page->offset);
  json_builder_set_member_name (builder, "more");
  json_builder_add_boolean_value (builder, more);
  json_builder_set_member_name (builder, "total");
  if (page->want_total)
    json_builder_add_int_value (builder, total);
  else
    json_builder_add_null_value (builder);
}

static gboolean
parse_time (const char *str,
            gint64     *out)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;

  if (str == NULL)
    return FALSE;

  dt = g_date_time_new_from_iso8601 (str, utc);
  if (dt == NULL && strlen (str) == 10)
    {
      g_autofree char *midnight = g_strconcat (str, "T00:00:00", NULL);

      dt = g_date_time_new_from_iso8601 (midnight, utc);
    }
  if (dt == NULL)
    return FALSE;

  *out = g_date_time_to_unix (dt);
  return TRUE;
}

/* since/until, both optional; date_range=all ignores them. With
 * @default_window, a missing since is @default_window seconds before until
 * (or now), and a longer range than @max_window is refused: PagerDuty lists
 * incidents of the last month unless told otherwise, at most six months. */
static gboolean
parse_range (SimRequest *req,
             gint64      default_window,
             gint64      max_window,
             gint64     *since,
             gint64     *until)
{
  const char *since_str = _pieper_sim_query_get (req, "since");
  const char *until_str = _pieper_sim_query_get (req, "until");
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  *since = G_MININT64;
  *until = G_MAXINT64;

  if (g_strcmp0 (_pieper_sim_query_get (req, "date_range"), "all") == 0)
    return TRUE;

  if ((since_str != NULL && !parse_time (since_str, since)) ||
      (until_str != NULL && !parse_time (until_str, until)))
    {
      _pieper_sim_respond_error (req, SOUP_STATUS_BAD_REQUEST, 2004,
                                 "Invalid time values in 'since' and/or 'until' parameters",
                                 NULL);
      return FALSE;
    }
  if (default_window > 0 && since_str == NULL)
    *since = (until_str != NULL ? *until : now) - default_window;
  if (*since > *until ||
      (max_window > 0 && (until_str != NULL ? *until : now) - *since > max_window))
    {
      _pieper_sim_respond_error (req, SOUP_STATUS_BAD_REQUEST, 2005, "Invalid Query Date Range", NULL);
      return FALSE;
    }
  return TRUE;
}

/* The requester of a write, from the From header. */
static gboolean
require_from (SimRequest *req,
              guint16    *user)
{
  if (req->from == NULL || *req->from == '\0')
    {
      respond_invalid (req, "A From header with the email address of a valid user is required");
      return FALSE;
    }

  *user = _pieper_sim_find_user_by_email (req->sim, req->from);
  if (*user == SIM_NO_USER)
    {
      _pieper_sim_respond_error (req, SOUP_STATUS_BAD_REQUEST, 1008, "Requester User Not Found",
                                 "The From header does not name a user of this account");
      return FALSE;
    }
  return TRUE;
}

static JsonObject *
body_member (SimRequest *req,
             const char *name)
{
  JsonObject *root;
  JsonNode *member;

  if (req->body == NULL || !JSON_NODE_HOLDS_OBJECT (req->body))
    return NULL;
  root = json_node_get_object (req->body);
  member = json_object_get_member (root, name);
  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return NULL;
  return json_node_get_object (member);
}

static gboolean
member_int (JsonObject *object,
            const char *name,
            gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
respond_incident (SimRequest  *req,
                  guint        status,
                  SimIncident *incident)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gboolean with_bridge = query_has_value (req, "include", "conference_bridge");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "incident");
  _pieper_sim_build_incident (req->sim, builder, incident, with_bridge);
  json_builder_end_object (builder);
  _pieper_sim_respond_builder (req, status, builder);
}

/* GET /users/me, GET /users/{id}, GET /users */

static void
handle_user (SimRequest *req,
             const char *id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint16 user = strcmp (id, "me") == 0 ? 0 : _pieper_sim_find_user_by_id (req->sim, id);

  if (user == SIM_NO_USER)
    {
      respond_not_found (req);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user");
  _pieper_sim_build_user (req->sim, builder, user);
  json_builder_end_object (builder);
  _pieper_sim_respond_builder (req, SOUP_STATUS_OK, builder);
}

static void
handle_users (SimRequest *req)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint n = req->sim->users->len;
  Page page;

  if (!parse_page (req, &page))
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "users");
  json_builder_begin_array (builder);
  for (guint i = page.offset; i < n && i < page.offset + page.limit; i++)
    _pieper_sim_build_user (req->sim, builder, (guint16) i);
  json_builder_end_array (builder);
  add_page_members (builder, &page, page.offset + page.limit < n, n);
  json_builder_end_object (builder);
  _pieper_sim_respond_builder (req, SOUP_STATUS_OK, builder);
}

/* GET /incidents */

typedef struct {
  guint     statuses;     /* bit per SimStatus; 0: all */
  guint     urgencies;    /* bit per SimUrgency; 0: all */
  GPtrArray *service_ids;
  GPtrArray *user_ids;
  const char *incident_key;
  gint64    since;
  gint64    until;
} Filter;

static gboolean
matches (PieperSim   *self,
         SimIncident *incident,
         Filter      *filter)
{
  if (filter->statuses != 0 && !(filter->statuses & (1u << incident->status)))
    return FALSE;
  if (filter->urgencies != 0 && !(filter->urgencies & (1u << incident->urgency)))
    return FALSE;
  if (incident->created_at < filter->since || incident->created_at >= filter->until)
    return FALSE;
  if (filter->incident_key != NULL && strcmp (filter->incident_key, incident->incident_key) != 0)
    return FALSE;

  if (filter->service_ids->len > 0)
    {
      const char *service_id = _pieper_sim_services[incident->service].id;
      gboolean found = FALSE;

      for (guint i = 0; i < filter->service_ids->len && !found; i++)
        found = strcmp (g_ptr_array_index (filter->service_ids, i), service_id) == 0;
      if (!found)
        return FALSE;
    }

  if (filter->user_ids->len > 0)
    {
      gboolean found = FALSE;

      for (guint a = 0; a < incident->n_assignees && !found; a++)
        {
          SimUser *user = g_ptr_array_index (self->users, incident->assignees[a]);

          for (guint i = 0; i < filter->user_ids->len && !found; i++)
            found = strcmp (g_ptr_array_index (filter->user_ids, i), user->id) == 0;
        }
      if (!found)
        return FALSE;
    }

  return TRUE;
}

static void
handle_list_incidents (SimRequest *req)
{
  PieperSim *self = req->sim;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) statuses = query_get_all (req, "statuses");
  g_autoptr(GPtrArray) urgencies = query_get_all (req, "urgencies");
  g_autoptr(GPtrArray) service_ids = query_get_all (req, "service_ids");
  g_autoptr(GPtrArray) user_ids = query_get_all (req, "user_ids");
  const char *sort_by = _pieper_sim_query_get (req, "sort_by");
  gboolean with_bridge = query_has_value (req, "include", "conference_bridge");
  gboolean descending = FALSE;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  Filter filter = { 0, };
  guint n = self->incidents->len;
  guint matched = 0;
  guint emitted = 0;
  gboolean more = FALSE;
  Page page;

  if (!parse_page (req, &page) ||
      !parse_range (req, SIM_DEFAULT_WINDOW, SIM_MAX_RANGE, &filter.since, &filter.until))
    return;

  for (guint i = 0; i < statuses->len; i++)
    {
      SimStatus status;

      if (!_pieper_sim_status_from_string (g_ptr_array_index (statuses, i), &status))
        {
          respond_invalid (req, "statuses must be triggered, acknowledged or resolved");
          return;
        }
      filter.statuses |= 1u << status;
    }
  for (guint i = 0; i < urgencies->len; i++)
    {
      const char *urgency = g_ptr_array_index (urgencies, i);

      if (strcmp (urgency, "high") == 0)
        filter.urgencies |= 1u << SIM_URGENCY_HIGH;
      else if (strcmp (urgency, "low") == 0)
        filter.urgencies |= 1u << SIM_URGENCY_LOW;
      else
        {
          respond_invalid (req, "urgencies must be high or low");
          return;
        }
    }
  if (sort_by != NULL)
    {
      if (g_str_equal (sort_by, "incident_number:desc") || g_str_equal (sort_by, "created_at:desc"))
        descending = TRUE;
      else if (!g_str_equal (sort_by, "incident_number") && !g_str_equal (sort_by, "incident_number:asc") &&
               !g_str_equal (sort_by, "created_at") && !g_str_equal (sort_by, "created_at:asc"))
        {
          respond_invalid (req, "sort_by must be incident_number or created_at, with :asc or :desc");
          return;
        }
    }
  filter.service_ids = service_ids;
  filter.user_ids = user_ids;
  filter.incident_key = _pieper_sim_query_get (req, "incident_key");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "incidents");
  json_builder_begin_array (builder);
  for (guint k = 0; k < n; k++)
    {
      SimIncident *incident = g_ptr_array_index (self->incidents, descending ? n - 1 - k : k);

      _pieper_sim_expire_snooze (self, incident, now);
      if (!matches (self, incident, &filter))
        continue;

      matched++;
      if (matched <= page.offset)
        continue;
      if (emitted < page.limit)
        {
          _pieper_sim_build_incident (self, builder, incident, with_bridge);
          emitted++;
          continue;
        }
      more = TRUE;
      if (!page.want_total)
        break;
    }
  json_builder_end_array (builder);
  add_page_members (builder, &page, more, matched);
  json_builder_end_object (builder);
  _pieper_sim_respond_builder (req, SOUP_STATUS_OK, builder);
}

/* PUT /incidents/{id} */

static gboolean
parse_assignments (SimRequest *req,
                   JsonNode   *node,
                   guint16    *users,
                   guint      *n_users)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (array = json_node_get_array (node)) == 0 ||
      json_array_get_length (array) > SIM_MAX_ASSIGNEES)
    {
      respond_invalid (req, "assignments must be an array of one to four assignments");
      return FALSE;
    }

  *n_users = 0;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonNode *assignee;
      JsonObject *object;
      const char *id;
      guint16 user;

      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          (assignee = json_object_get_member (json_node_get_object (element), "assignee")) == NULL ||
          !JSON_NODE_HOLDS_OBJECT (assignee))
        {
          respond_invalid (req, "each assignment needs an assignee object");
          return FALSE;
        }
      object = json_node_get_object (assignee);
      if (g_strcmp0 (member_string (object, "type"), "user_reference") != 0)
        {
          respond_invalid (req, "assignee type must be user_reference");
          return FALSE;
        }
      id = member_string (object, "id");
      user = _pieper_sim_find_user_by_id (req->sim, id);
      if (user == SIM_NO_USER)
        {
          _pieper_sim_respond_error (req, SOUP_STATUS_BAD_REQUEST, 1007, "Assigned To User Not Found", id);
          return FALSE;
        }
      users[(*n_users)++] = user;
    }
  return TRUE;
}

static void
handle_update_incident (SimRequest  *req,
                        SimIncident *incident,
                        guint16      from)
{
  PieperSim *self = req->sim;
  const SimPolicy *policy = &_pieper_sim_policies[_pieper_sim_services[incident->service].policy];
  JsonObject *body = body_member (req, "incident");
  const char *type;
  const char *status_str = NULL;
  JsonNode *assignments;
  gint64 level = 0;
  gboolean escalate;
  guint16 users[SIM_MAX_ASSIGNEES];
  guint n_users = 0;
  SimStatus status = SIM_STATUS_TRIGGERED;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (body == NULL)
    {
      respond_invalid (req, "The body must be an object with an incident object");
      return;
    }

  type = member_string (body, "type");
  if (g_strcmp0 (type, "incident_reference") != 0 && g_strcmp0 (type, "incident") != 0)
    {
      respond_invalid (req, "incident type must be incident or incident_reference");
      return;
    }

  if (json_object_has_member (body, "status"))
    {
      status_str = member_string (body, "status");
      if (!_pieper_sim_status_from_string (status_str, &status) || status == SIM_STATUS_TRIGGERED)
        {
          _pieper_sim_respond_error (req, SOUP_STATUS_BAD_REQUEST, 1003, "Invalid Status Provided",
                                     "status must be acknowledged or resolved");
          return;
        }
    }

  escalate = json_object_has_member (body, "escalation_level");
  if (escalate && !member_int (body, "escalation_level", &level))
    {
      respond_invalid (req, "escalation_level must be an integer");
      return;
    }

  assignments = json_object_get_member (body, "assignments");
  if (escalate && assignments != NULL)
    {
      respond_invalid (req, "escalation_level and assignments cannot both be given");
      return;
    }
  if (assignments != NULL && !parse_assignments (req, assignments, users, &n_users))
    return;

  if (status_str == NULL && !escalate && assignments == NULL)
    {
      respond_invalid (req, "Nothing to update: give status, escalation_level or assignments");
      return;
    }

  _pieper_sim_expire_snooze (self, incident, now);

  if (incident->status == SIM_STATUS_RESOLVED &&
      (escalate || assignments != NULL || (status_str != NULL && status == SIM_STATUS_RESOLVED)))
    {
      _pieper_sim_respond_error (req, SOUP_STATUS_BAD_REQUEST, 1001, "Incident Already Resolved", NULL);
      return;
    }

  if (escalate && (level < 1 || level > policy->n_levels))
    {
      g_autofree char *detail = g_strdup_printf ("The escalation policy %s has %u level%s",
                                                 policy->name, policy->n_levels,
                                                 policy->n_levels == 1 ? "" : "s");

      _pieper_sim_respond_error (req, SOUP_STATUS_BAD_REQUEST, 1006, "Cannot Escalate", detail);
      return;
    }

  if (escalate)
    {
      guint16 who = policy->level_user[level - 1];

      incident->level = (guint8) level;
      _pieper_sim_assign (self, incident, &who, 1, SIM_LOG_ESCALATE, from, SIM_CHANNEL_API, now);
    }
  else if (assignments != NULL)
    _pieper_sim_assign (self, incident, users, n_users, SIM_LOG_ASSIGN, from, SIM_CHANNEL_API, now);

  /* Acknowledging a resolved incident reopens it, as PagerDuty does; an
   * acknowledgement of an acknowledged incident is taken again (it renews
   * the acknowledgement timeout) rather than refused with 1002. */
  if (status_str != NULL)
    _pieper_sim_set_status (self, incident, status, from, SIM_CHANNEL_API, now);

  req->applied = TRUE;
  respond_incident (req, SOUP_STATUS_OK, incident);
}

/* POST /incidents/{id}/snooze */

static void
handle_snooze (SimRequest  *req,
               SimIncident *incident,
               guint16      from)
{
  PieperSim *self = req->sim;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 duration = 0;
  SimLogEntry *entry;

  if (req->body == NULL || !JSON_NODE_HOLDS_OBJECT (req->body))
    {
      respond_invalid (req, "The body must be an object with a duration");
      return;
    }
  if (!member_int (json_node_get_object (req->body), "duration", &duration) ||
      duration < 1 || duration > 7 * 24 * 3600)
    {
      _pieper_sim_respond_error (req, SOUP_STATUS_BAD_REQUEST, 1013, "Snooze Duration is Invalid",
                                 "duration must be a number of seconds, at most one week");
      return;
    }

  _pieper_sim_expire_snooze (self, incident, now);
  if (incident->status == SIM_STATUS_RESOLVED)
    {
      _pieper_sim_respond_error (req, SOUP_STATUS_BAD_REQUEST, 1001, "Incident Already Resolved", NULL);
      return;
    }
  if (incident->status != SIM_STATUS_ACKNOWLEDGED)
    {
      _pieper_sim_respond_error (req, SOUP_STATUS_BAD_REQUEST, 1012, "Incident is not Acknowledged", NULL);
      return;
    }

  incident->snoozed_until = now + duration;
  incident->updated_at = now;
  entry = _pieper_sim_append_log (self, incident, SIM_LOG_SNOOZE, from, SIM_CHANNEL_API, now);
  entry->detail = (guint32) duration;

  req->applied = TRUE;
  respond_incident (req, SOUP_STATUS_CREATED, incident);
}

/* GET and POST /incidents/{id}/notes */

static void
handle_list_notes (SimRequest  *req,
                   SimIncident *incident)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "notes");
  json_builder_begin_array (builder);
  for (guint i = 0; incident->notes != NULL && i < incident->notes->len; i++)
    _pieper_sim_build_note (req->sim, builder, g_ptr_array_index (incident->notes, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  _pieper_sim_respond_builder (req, SOUP_STATUS_OK, builder);
}

static void
handle_create_note (SimRequest  *req,
                    SimIncident *incident,
                    guint16      from)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  JsonObject *body = body_member (req, "note");
  const char *content = body != NULL ? member_string (body, "content") : NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  SimNote *note;

  if (content == NULL || *content == '\0')
    {
      respond_invalid (req, "note content is required");
      return;
    }
  if (strlen (content) > 25000)
    {
      respond_invalid (req, "note content is limited to 25000 characters");
      return;
    }

  /* Notes are accepted on resolved incidents too. */
  note = _pieper_sim_add_note (req->sim, incident, from, content, SIM_CHANNEL_API, now);

  req->applied = TRUE;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "note");
  _pieper_sim_build_note (req->sim, builder, note);
  json_builder_end_object (builder);
  _pieper_sim_respond_builder (req, SOUP_STATUS_CREATED, builder);
}

/* GET /incidents/{id}/log_entries and GET /log_entries, newest first. */

static void
handle_log_entries (SimRequest  *req,
                    SimIncident *incident)
{
  PieperSim *self = req->sim;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint64 since, until;
  guint matched = 0;
  guint emitted = 0;
  gboolean more = FALSE;
  Page page;

  if (!parse_page (req, &page) || !parse_range (req, 0, 0, &since, &until))
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "log_entries");
  json_builder_begin_array (builder);
  for (guint k = self->log->len; k > 0; k--)
    {
      const SimLogEntry *entry = &g_array_index (self->log, SimLogEntry, k - 1);

      if (incident != NULL && entry->incident != incident->index)
        continue;
      if (entry->at < since || entry->at >= until)
        continue;

      matched++;
      if (matched <= page.offset)
        continue;
      if (emitted < page.limit)
        {
          _pieper_sim_build_log_entry (self, builder, entry);
          emitted++;
          continue;
        }
      more = TRUE;
      if (!page.want_total)
        break;
    }
  json_builder_end_array (builder);
  add_page_members (builder, &page, more, matched);
  json_builder_end_object (builder);
  _pieper_sim_respond_builder (req, SOUP_STATUS_OK, builder);
}

static gboolean
authorized (SimRequest *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  const char *prefix = "Token token=";

  return auth != NULL &&
         g_str_has_prefix (auth, prefix) &&
         g_strcmp0 (auth + strlen (prefix), req->sim->token) == 0;
}

void
_pieper_sim_handle_rest (SimRequest *req)
{
  PieperSim *self = req->sim;
  g_auto(GStrv) parts = g_strsplit (req->path + 1, "/", 0);
  guint n_parts = g_strv_length (parts);
  gboolean get = g_str_equal (req->method, "GET") || g_str_equal (req->method, "HEAD");
  SimIncident *incident = NULL;
  guint16 from = SIM_NO_USER;

  /* A trailing slash names the same resource. */
  if (n_parts > 1 && *parts[n_parts - 1] == '\0')
    n_parts--;

  if (!authorized (req))
    {
      _pieper_sim_respond_error (req, SOUP_STATUS_UNAUTHORIZED, 2006, "Authentication failed", NULL);
      return;
    }

  if (g_str_equal (parts[0], "users"))
    {
      if (get && n_parts == 1)
        handle_users (req);
      else if (get && n_parts == 2)
        handle_user (req, parts[1]);
      else
        respond_not_found (req);
      return;
    }

  if (g_str_equal (parts[0], "log_entries") && n_parts == 1 && get)
    {
      handle_log_entries (req, NULL);
      return;
    }

  if (!g_str_equal (parts[0], "incidents") || n_parts > 3)
    {
      respond_not_found (req);
      return;
    }

  if (n_parts == 1)
    {
      if (get)
        handle_list_incidents (req);
      else
        respond_not_found (req);
      return;
    }

  /* Writes name their requester before anything else is looked at. */
  if (!get && !require_from (req, &from))
    return;

  incident = _pieper_sim_lookup (self, parts[1]);
  if (incident == NULL)
    {
      respond_not_found (req);
      return;
    }

  if (n_parts == 2)
    {
      if (get)
        {
          _pieper_sim_expire_snooze (self, incident, g_get_real_time () / G_USEC_PER_SEC);
          respond_incident (req, SOUP_STATUS_OK, incident);
        }
      else if (g_str_equal (req->method, "PUT"))
        handle_update_incident (req, incident, from);
      else
        respond_not_found (req);
    }
  else if (g_str_equal (parts[2], "notes"))
    {
      if (get)
        handle_list_notes (req, incident);
      else if (g_str_equal (req->method, "POST"))
        handle_create_note (req, incident, from);
      else
        respond_not_found (req);
    }
  else if (g_str_equal (parts[2], "snooze") && g_str_equal (req->method, "POST"))
    handle_snooze (req, incident, from);
  else if (g_str_equal (parts[2], "log_entries") && get)
    handle_log_entries (req, incident);
  else
    respond_not_found (req);
}

/* Events API v2: POST /v2/enqueue. No token: the routing key names the
 * integration (and so the service). */

static void
respond_event_invalid (SimRequest *req,
                       const char *detail)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "invalid event");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, "Event object is invalid");
  json_builder_set_member_name (builder, "errors");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, detail);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  _pieper_sim_respond_builder (req, SOUP_STATUS_BAD_REQUEST, builder);
}

static guint
service_for_routing_key (const char *routing_key)
{
  int service = _pieper_sim_find_service (routing_key);

  if (service >= 0)
    return (guint) service;
  return g_str_hash (routing_key) % _pieper_sim_n_services;
}

void
_pieper_sim_handle_events (SimRequest *req)
{
  PieperSim *self = req->sim;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *new_key = NULL;
  JsonObject *event;
  JsonObject *payload = NULL;
  JsonNode *payload_node;
  const char *routing_key;
  const char *action;
  const char *dedup_key;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  SimIncident *incident;

  if (!g_str_equal (req->method, "POST") ||
      (!g_str_equal (req->path, "/v2/enqueue") && !g_str_equal (req->path, "/v2/enqueue/")))
    {
      respond_not_found (req);
      return;
    }
  if (req->body == NULL || !JSON_NODE_HOLDS_OBJECT (req->body))
    {
      respond_event_invalid (req, "The body must be a JSON object");
      return;
    }

  event = json_node_get_object (req->body);
  routing_key = member_string (event, "routing_key");
  action = member_string (event, "event_action");
  dedup_key = member_string (event, "dedup_key");
  payload_node = json_object_get_member (event, "payload");
  if (payload_node != NULL && JSON_NODE_HOLDS_OBJECT (payload_node))
    payload = json_node_get_object (payload_node);

  if (routing_key == NULL || *routing_key == '\0')
    {
      respond_event_invalid (req, "'routing_key' is missing or blank");
      return;
    }
  if (self->routing_key != NULL && strcmp (routing_key, self->routing_key) != 0)
    {
      respond_event_invalid (req, "'routing_key' does not name an integration");
      return;
    }
  if (action == NULL ||
      (strcmp (action, "trigger") != 0 && strcmp (action, "acknowledge") != 0 &&
       strcmp (action, "resolve") != 0))
    {
      respond_event_invalid (req, "'event_action' must be trigger, acknowledge or resolve");
      return;
    }
  if (dedup_key != NULL && (*dedup_key == '\0' || strlen (dedup_key) > 255))
    {
      respond_event_invalid (req, "'dedup_key' must be 1 to 255 characters");
      return;
    }

  if (strcmp (action, "trigger") == 0)
    {
      const char *summary = payload != NULL ? member_string (payload, "summary") : NULL;
      const char *source = payload != NULL ? member_string (payload, "source") : NULL;
      const char *severity = payload != NULL ? member_string (payload, "severity") : NULL;
      SimUrgency urgency;

      if (payload == NULL)
        {
          respond_event_invalid (req, "'payload' is missing");
          return;
        }
      if (summary == NULL || *summary == '\0' || strlen (summary) > 1024)
        {
          respond_event_invalid (req, "'payload.summary' must be 1 to 1024 characters");
          return;
        }
      if (source == NULL || *source == '\0')
        {
          respond_event_invalid (req, "'payload.source' is missing or blank");
          return;
        }
      if (g_strcmp0 (severity, "critical") == 0 || g_strcmp0 (severity, "error") == 0)
        urgency = SIM_URGENCY_HIGH;
      else if (g_strcmp0 (severity, "warning") == 0 || g_strcmp0 (severity, "info") == 0)
        urgency = SIM_URGENCY_LOW;
      else
        {
          respond_event_invalid (req, "'payload.severity' must be critical, error, warning or info");
          return;
        }

      incident = dedup_key != NULL ? _pieper_sim_lookup_open_key (self, dedup_key) : NULL;
      if (incident == NULL)
        {
          if (dedup_key == NULL)
            dedup_key = new_key = g_strdup_printf ("%08x%08x%08x%08x",
                                                   g_rand_int (self->data_rand), g_rand_int (self->data_rand),
                                                   g_rand_int (self->data_rand), g_rand_int (self->data_rand));
          incident = _pieper_sim_create_incident (self, summary, service_for_routing_key (routing_key),
                                                  urgency, dedup_key, now);
        }
      /* Otherwise the event joins the open incident with that key. */
    }
  else
    {
      if (dedup_key == NULL)
        {
          respond_event_invalid (req, "'dedup_key' is required for acknowledge and resolve");
          return;
        }

      /* An event for no open incident is accepted and has no effect. */
      incident = _pieper_sim_lookup_open_key (self, dedup_key);
      if (incident != NULL && strcmp (action, "resolve") == 0)
        _pieper_sim_set_status (self, incident, SIM_STATUS_RESOLVED, SIM_NO_USER, SIM_CHANNEL_EVENTS, now);
      else if (incident != NULL && incident->status == SIM_STATUS_TRIGGERED)
        _pieper_sim_set_status (self, incident, SIM_STATUS_ACKNOWLEDGED, SIM_NO_USER, SIM_CHANNEL_EVENTS, now);
    }

  if (incident != NULL)
    {
      g_free (req->incident_id);
      req->incident_id = g_strdup (incident->id);
    }
  req->applied = TRUE;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "success");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, "Event processed");
  json_builder_set_member_name (builder, "dedup_key");
  json_builder_add_string_value (builder, dedup_key);
  json_builder_end_object (builder);
  _pieper_sim_respond_builder (req, SOUP_STATUS_ACCEPTED, builder);
}
