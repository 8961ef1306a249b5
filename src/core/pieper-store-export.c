/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pieper-json.h"
#include "pieper-outbox.h"
#include "pieper-store-private.h"

#define EXPORT_FORMAT "pieper-export"
#define EXPORT_VERSION 1
#define IMPORT_MAX_INCIDENTS 100000

static void
add_array (JsonBuilder *builder,
           const char  *name,
           GPtrArray   *objects,
           JsonNode  *(*to_json) (gpointer))
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < objects->len; i++)
    json_builder_add_value (builder, to_json (g_ptr_array_index (objects, i)));
  json_builder_end_array (builder);
}

JsonNode *
pieper_store_export (PieperStore  *self,
                     GError      **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GPtrArray) actions = NULL;
  g_autoptr(PieperOutbox) outbox = NULL;
  g_autofree char *now = NULL;

  g_return_val_if_fail (PIEPER_IS_STORE (self), NULL);

  outbox = pieper_outbox_new (self);
  if (!(accounts = pieper_store_list_accounts (self, error)) ||
      !(incidents = pieper_store_list_incidents (self, PIEPER_FILTER_ALL, error)) ||
      !(actions = pieper_outbox_list (outbox, -1, error)))
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, EXPORT_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, EXPORT_VERSION);
  json_builder_set_member_name (builder, "schema_version");
  json_builder_add_int_value (builder, PIEPER_STORE_SCHEMA_VERSION);
  now = pieper_time_to_iso8601 (_pieper_now ());
  json_builder_set_member_name (builder, "exported_at");
  json_builder_add_string_value (builder, now);

  add_array (builder, "accounts", accounts, (gpointer) pieper_account_to_json);

  json_builder_set_member_name (builder, "incidents");
  json_builder_begin_array (builder);
  for (guint i = 0; i < incidents->len; i++)
    {
      PieperIncident *incident = g_ptr_array_index (incidents, i);
      g_autoptr(PieperIncident) snapshot = NULL;
      g_autoptr(GPtrArray) timeline = NULL;
      JsonNode *node;
      JsonObject *object;

      if (!(timeline = pieper_store_list_timeline (self, pieper_incident_get_id (incident), error)) ||
          !(snapshot = pieper_store_get_snapshot (self, pieper_incident_get_id (incident), error)))
        return NULL;

      node = pieper_incident_to_json (incident);
      object = json_node_get_object (node);
      /* What the server last said, beside what the responder sees. */
      json_object_set_string_member (object, "server_status",
                                     pieper_status_to_string (pieper_incident_get_status (snapshot)));
      {
        JsonArray *entries = json_array_new ();

        for (guint j = 0; j < timeline->len; j++)
          json_array_add_element (entries, pieper_timeline_entry_to_json (g_ptr_array_index (timeline, j)));
        json_object_set_array_member (object, "timeline", entries);
      }
      json_builder_add_value (builder, node);
    }
  json_builder_end_array (builder);

  add_array (builder, "outbox", actions, (gpointer) pieper_action_to_json);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* A member that is missing or null takes @fallback; one of another type
 * gives NULL, instead of a critical warning from json-glib. */
static const char *
get_account_member (JsonObject *object,
                    const char *member,
                    const char *fallback)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return fallback;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static PieperAccount *
import_account (PieperStore  *self,
                JsonObject   *document,
                GError      **error)
{
  JsonNode *node = document != NULL ? json_object_get_member (document, "account") : NULL;
  const char *provider = "local";
  const char *url = "local:";
  const char *email = "";

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                               _("“account” must be an object with provider, url and email"));
          return NULL;
        }

      object = json_node_get_object (node);
      provider = get_account_member (object, "provider", provider);
      url = get_account_member (object, "url", url);
      email = get_account_member (object, "email", email);

      if (provider == NULL || url == NULL || email == NULL ||
          !g_utf8_validate (provider, -1, NULL) || !g_utf8_validate (url, -1, NULL) ||
          !g_utf8_validate (email, -1, NULL) || *provider == '\0' || *url == '\0')
        {
          g_set_error_literal (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                               _("“account” must have a provider and url as strings"));
          return NULL;
        }
    }

  return pieper_store_ensure_account (self, provider, url, email, error);
}

gboolean
pieper_store_import (PieperStore  *self,
                     JsonNode     *root,
                     guint        *n_imported,
                     GError      **error)
{
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GPtrArray) timelines = NULL;
  JsonObject *document = NULL;
  JsonArray *array;
  JsonNode *list;

  g_return_val_if_fail (PIEPER_IS_STORE (self), FALSE);
  g_return_val_if_fail (root != NULL, FALSE);

  if (JSON_NODE_HOLDS_ARRAY (root))
    list = root;
  else if (JSON_NODE_HOLDS_OBJECT (root) &&
           (document = json_node_get_object (root)) != NULL &&
           (list = json_object_get_member (document, "incidents")) != NULL &&
           JSON_NODE_HOLDS_ARRAY (list))
    ;
  else
    {
      g_set_error_literal (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                           _("Expected an array of incidents, or an object with an “incidents” array"));
      return FALSE;
    }

  array = json_node_get_array (list);
  if (json_array_get_length (array) > IMPORT_MAX_INCIDENTS)
    {
      g_set_error (error, PIEPER_STORE_ERROR, PIEPER_STORE_ERROR_INVALID,
                   _("Too many incidents in one import (at most %d)"), IMPORT_MAX_INCIDENTS);
      return FALSE;
    }

  /* Everything is checked before anything is written. */
  incidents = g_ptr_array_new_with_free_func (g_object_unref);
  timelines = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(GError) local_error = NULL;
      GPtrArray *timeline = NULL;
      PieperIncident *incident;

      incident = pieper_incident_from_json (json_array_get_element (array, i), &timeline, &local_error);
      if (incident == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      _("Incident %u of %u: "), i + 1, json_array_get_length (array));
          return FALSE;
        }

      g_ptr_array_add (incidents, incident);
      g_ptr_array_add (timelines, timeline);
    }

  if (!_pieper_store_begin (self, error))
    return FALSE;

  if (!(account = import_account (self, document, error)) ||
      !pieper_store_apply_snapshot (self, pieper_account_get_id (account), incidents, error))
    goto failed;

  for (guint i = 0; i < incidents->len; i++)
    {
      g_autoptr(PieperIncident) stored = NULL;
      GPtrArray *timeline = g_ptr_array_index (timelines, i);

      if (timeline->len == 0)
        continue;

      if (!(stored = pieper_store_lookup_incident (self, pieper_account_get_id (account),
                                                   pieper_incident_get_remote_id (g_ptr_array_index (incidents, i)),
                                                   error)) ||
          !pieper_store_apply_timeline (self, pieper_incident_get_id (stored), timeline, error))
        goto failed;
    }

  if (!_pieper_store_commit (self, error))
    return FALSE;

  if (n_imported != NULL)
    *n_imported = incidents->len;

  return TRUE;

failed:
  _pieper_store_rollback (self);
  return FALSE;
}
