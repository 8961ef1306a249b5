/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pieper-provider.h"

/**
 * PieperProvider:
 *
 * One server API behind one interface. The wrappers below check their
 * arguments and call the implementation; an op the implementation leaves
 * out fails with %PIEPER_PROVIDER_ERROR_UNSUPPORTED through the callback,
 * so a caller never has to test for a %NULL vfunc itself.
 */

G_DEFINE_QUARK (pieper-provider-error-quark, pieper_provider_error)

G_DEFINE_INTERFACE (PieperProvider, pieper_provider, G_TYPE_OBJECT)

static void
pieper_provider_default_init (PieperProviderInterface *iface)
{
}

static void
report_unsupported (PieperProvider      *self,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data,
                    gpointer             source_tag,
                    const char          *what)
{
  g_task_report_new_error (self, callback, user_data, source_tag,
                           PIEPER_PROVIDER_ERROR,
                           PIEPER_PROVIDER_ERROR_UNSUPPORTED,
                           _("This server does not support %s"), what);
}

PieperCapabilities
pieper_provider_get_capabilities (PieperProvider *self)
{
  PieperProviderInterface *iface;

  g_return_val_if_fail (PIEPER_IS_PROVIDER (self), PIEPER_CAPABILITY_NONE);

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  if (iface->get_capabilities == NULL)
    return PIEPER_CAPABILITY_NONE;

  return iface->get_capabilities (self);
}

guint
pieper_provider_get_retry_after (PieperProvider *self)
{
  PieperProviderInterface *iface;

  g_return_val_if_fail (PIEPER_IS_PROVIDER (self), 0);

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  if (iface->get_retry_after == NULL)
    return 0;

  return iface->get_retry_after (self);
}

void
pieper_provider_whoami_async (PieperProvider      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  PieperProviderInterface *iface;

  g_return_if_fail (PIEPER_IS_PROVIDER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  if (iface->whoami_async == NULL)
    {
      report_unsupported (self, callback, user_data,
                          pieper_provider_whoami_async, "asking who you are");
      return;
    }

  iface->whoami_async (self, cancellable, callback, user_data);
}

gboolean
pieper_provider_whoami_finish (PieperProvider  *self,
                               GAsyncResult    *result,
                               char           **user_id,
                               char           **user_name,
                               GError         **error)
{
  PieperProviderInterface *iface;

  g_return_val_if_fail (PIEPER_IS_PROVIDER (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);

  if (user_id != NULL)
    *user_id = NULL;
  if (user_name != NULL)
    *user_name = NULL;

  if (g_async_result_is_tagged (result, pieper_provider_whoami_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  g_return_val_if_fail (iface->whoami_finish != NULL, FALSE);

  return iface->whoami_finish (self, result, user_id, user_name, error);
}

void
pieper_provider_list_incidents_async (PieperProvider      *self,
                                      const char          *cursor,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  PieperProviderInterface *iface;

  g_return_if_fail (PIEPER_IS_PROVIDER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  if (iface->list_incidents_async == NULL)
    {
      report_unsupported (self, callback, user_data,
                          pieper_provider_list_incidents_async,
                          "listing incidents");
      return;
    }

  iface->list_incidents_async (self, cursor, cancellable, callback, user_data);
}

GPtrArray *
pieper_provider_list_incidents_finish (PieperProvider  *self,
                                       GAsyncResult    *result,
                                       char           **next_cursor,
                                       GError         **error)
{
  PieperProviderInterface *iface;

  g_return_val_if_fail (PIEPER_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  if (next_cursor != NULL)
    *next_cursor = NULL;

  if (g_async_result_is_tagged (result, pieper_provider_list_incidents_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  g_return_val_if_fail (iface->list_incidents_finish != NULL, NULL);

  return iface->list_incidents_finish (self, result, next_cursor, error);
}

void
pieper_provider_list_changes_async (PieperProvider      *self,
                                    gint64               since,
                                    const char          *cursor,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  PieperProviderInterface *iface;

  g_return_if_fail (PIEPER_IS_PROVIDER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  if (iface->list_changes_async == NULL)
    {
      report_unsupported (self, callback, user_data,
                          pieper_provider_list_changes_async,
                          "listing recent changes");
      return;
    }

  iface->list_changes_async (self, since, cursor, cancellable, callback, user_data);
}

/**
 * pieper_provider_list_changes_finish:
 * @change_ids: (out) (optional) (transfer full): the server's id of each
 *   change, in the order of the returned incident ids; "" where it has none
 * @next_cursor: (out) (optional) (transfer full): the next page's cursor,
 *   or %NULL after the last page
 *
 * Returns: (transfer full): the server id of the incident of each change
 *   on the page (an incident may be named more than once), or %NULL with
 *   @error set
 */
GStrv
pieper_provider_list_changes_finish (PieperProvider  *self,
                                     GAsyncResult    *result,
                                     GStrv           *change_ids,
                                     char           **next_cursor,
                                     GError         **error)
{
  PieperProviderInterface *iface;
  g_auto(GStrv) changes = NULL;
  g_autofree char *cursor = NULL;
  GStrv ids;

  g_return_val_if_fail (PIEPER_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  if (change_ids != NULL)
    *change_ids = NULL;
  if (next_cursor != NULL)
    *next_cursor = NULL;

  if (g_async_result_is_tagged (result, pieper_provider_list_changes_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  g_return_val_if_fail (iface->list_changes_finish != NULL, NULL);

  ids = iface->list_changes_finish (self, result, &changes, &cursor, error);
  if (ids == NULL)
    return NULL;

  /* One change id per incident id. A provider that breaks this is a bug;
   * its changes then count as never seen, which costs requests only. */
  if (changes == NULL || g_strv_length (changes) != g_strv_length (ids))
    {
      guint n = g_strv_length (ids);

      g_critical ("%s gave %u change ids for %u changes", G_OBJECT_TYPE_NAME (self),
                  changes != NULL ? g_strv_length (changes) : 0, n);
      g_strfreev (changes);
      changes = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        changes[i] = g_strdup ("");
    }

  if (change_ids != NULL)
    *change_ids = g_steal_pointer (&changes);
  if (next_cursor != NULL)
    *next_cursor = g_steal_pointer (&cursor);

  return ids;
}

void
pieper_provider_get_incident_async (PieperProvider      *self,
                                    const char          *incident,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  PieperProviderInterface *iface;

  g_return_if_fail (PIEPER_IS_PROVIDER (self));
  g_return_if_fail (incident != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  if (iface->get_incident_async == NULL)
    {
      report_unsupported (self, callback, user_data,
                          pieper_provider_get_incident_async,
                          "reading an incident");
      return;
    }

  iface->get_incident_async (self, incident, cancellable, callback, user_data);
}

PieperIncident *
pieper_provider_get_incident_finish (PieperProvider  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  PieperProviderInterface *iface;

  g_return_val_if_fail (PIEPER_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  if (g_async_result_is_tagged (result, pieper_provider_get_incident_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  g_return_val_if_fail (iface->get_incident_finish != NULL, NULL);

  return iface->get_incident_finish (self, result, error);
}

void
pieper_provider_list_timeline_async (PieperProvider      *self,
                                     const char          *incident,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  PieperProviderInterface *iface;

  g_return_if_fail (PIEPER_IS_PROVIDER (self));
  g_return_if_fail (incident != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  if (iface->list_timeline_async == NULL)
    {
      report_unsupported (self, callback, user_data,
                          pieper_provider_list_timeline_async,
                          "reading an incident's timeline");
      return;
    }

  iface->list_timeline_async (self, incident, cancellable, callback, user_data);
}

GPtrArray *
pieper_provider_list_timeline_finish (PieperProvider  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  PieperProviderInterface *iface;

  g_return_val_if_fail (PIEPER_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  if (g_async_result_is_tagged (result, pieper_provider_list_timeline_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  g_return_val_if_fail (iface->list_timeline_finish != NULL, NULL);

  return iface->list_timeline_finish (self, result, error);
}

void
pieper_provider_acknowledge_async (PieperProvider      *self,
                                   const char          *incident,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  PieperProviderInterface *iface;

  g_return_if_fail (PIEPER_IS_PROVIDER (self));
  g_return_if_fail (incident != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  if (iface->acknowledge_async == NULL)
    {
      report_unsupported (self, callback, user_data,
                          pieper_provider_acknowledge_async, "acknowledging");
      return;
    }

  iface->acknowledge_async (self, incident, cancellable, callback, user_data);
}

void
pieper_provider_resolve_async (PieperProvider      *self,
                               const char          *incident,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  PieperProviderInterface *iface;

  g_return_if_fail (PIEPER_IS_PROVIDER (self));
  g_return_if_fail (incident != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  if (iface->resolve_async == NULL)
    {
      report_unsupported (self, callback, user_data,
                          pieper_provider_resolve_async, "resolving");
      return;
    }

  iface->resolve_async (self, incident, cancellable, callback, user_data);
}

void
pieper_provider_escalate_async (PieperProvider      *self,
                                const char          *incident,
                                int                  level,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  PieperProviderInterface *iface;

  g_return_if_fail (PIEPER_IS_PROVIDER (self));
  g_return_if_fail (incident != NULL);
  g_return_if_fail (level >= 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  if (iface->escalate_async == NULL)
    {
      report_unsupported (self, callback, user_data,
                          pieper_provider_escalate_async, "escalating");
      return;
    }

  iface->escalate_async (self, incident, level, cancellable, callback, user_data);
}

void
pieper_provider_reassign_async (PieperProvider      *self,
                                const char          *incident,
                                const char          *user,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  PieperProviderInterface *iface;

  g_return_if_fail (PIEPER_IS_PROVIDER (self));
  g_return_if_fail (incident != NULL);
  g_return_if_fail (user != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  if (iface->reassign_async == NULL)
    {
      report_unsupported (self, callback, user_data,
                          pieper_provider_reassign_async, "reassigning");
      return;
    }

  iface->reassign_async (self, incident, user, cancellable, callback, user_data);
}

void
pieper_provider_snooze_async (PieperProvider      *self,
                              const char          *incident,
                              guint                seconds,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  PieperProviderInterface *iface;

  g_return_if_fail (PIEPER_IS_PROVIDER (self));
  g_return_if_fail (incident != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  if (iface->snooze_async == NULL)
    {
      report_unsupported (self, callback, user_data,
                          pieper_provider_snooze_async, "snoozing");
      return;
    }

  iface->snooze_async (self, incident, seconds, cancellable, callback, user_data);
}

PieperIncident *
pieper_provider_update_finish (PieperProvider  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  PieperProviderInterface *iface;

  g_return_val_if_fail (PIEPER_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  /* One finish serves five ops, so an "unsupported" report may carry the
   * source tag of any of them. */
  if (g_async_result_is_tagged (result, pieper_provider_acknowledge_async) ||
      g_async_result_is_tagged (result, pieper_provider_resolve_async) ||
      g_async_result_is_tagged (result, pieper_provider_escalate_async) ||
      g_async_result_is_tagged (result, pieper_provider_reassign_async) ||
      g_async_result_is_tagged (result, pieper_provider_snooze_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  g_return_val_if_fail (iface->update_finish != NULL, NULL);

  return iface->update_finish (self, result, error);
}

void
pieper_provider_add_note_async (PieperProvider      *self,
                                const char          *incident,
                                const char          *text,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  PieperProviderInterface *iface;

  g_return_if_fail (PIEPER_IS_PROVIDER (self));
  g_return_if_fail (incident != NULL);
  g_return_if_fail (text != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  if (iface->add_note_async == NULL)
    {
      report_unsupported (self, callback, user_data,
                          pieper_provider_add_note_async, "adding notes");
      return;
    }

  iface->add_note_async (self, incident, text, cancellable, callback, user_data);
}

PieperTimelineEntry *
pieper_provider_add_note_finish (PieperProvider  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  PieperProviderInterface *iface;

  g_return_val_if_fail (PIEPER_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  if (g_async_result_is_tagged (result, pieper_provider_add_note_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = PIEPER_PROVIDER_GET_IFACE (self);
  g_return_val_if_fail (iface->add_note_finish != NULL, NULL);

  return iface->add_note_finish (self, result, error);
}
