/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "PieperBench"

#include "config.h"

#include "bench-tap-provider.h"

struct _BenchTapProvider
{
  GObject         parent_instance;

  PieperProvider *inner;
  gint64          pull_started_at;
};

static void bench_tap_provider_iface_init (PieperProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BenchTapProvider, bench_tap_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PIEPER_TYPE_PROVIDER,
                                                      bench_tap_provider_iface_init))

#define INNER(p) (BENCH_TAP_PROVIDER (p)->inner)

static PieperCapabilities
tap_get_capabilities (PieperProvider *provider)
{
  return pieper_provider_get_capabilities (INNER (provider));
}

static guint
tap_get_retry_after (PieperProvider *provider)
{
  return pieper_provider_get_retry_after (INNER (provider));
}

static void
tap_whoami_async (PieperProvider      *provider,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  pieper_provider_whoami_async (INNER (provider), cancellable, callback, user_data);
}

static gboolean
tap_whoami_finish (PieperProvider  *provider,
                   GAsyncResult    *result,
                   char           **user_id,
                   char           **user_name,
                   GError         **error)
{
  return pieper_provider_whoami_finish (INNER (provider), result, user_id, user_name, error);
}

static void
tap_list_incidents_async (PieperProvider      *provider,
                          const char          *cursor,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  BenchTapProvider *self = BENCH_TAP_PROVIDER (provider);

  if (cursor == NULL && self->pull_started_at == 0)
    self->pull_started_at = g_get_monotonic_time ();

  pieper_provider_list_incidents_async (self->inner, cursor, cancellable, callback, user_data);
}

static GPtrArray *
tap_list_incidents_finish (PieperProvider  *provider,
                           GAsyncResult    *result,
                           char           **next_cursor,
                           GError         **error)
{
  return pieper_provider_list_incidents_finish (INNER (provider), result, next_cursor, error);
}

static void
tap_list_changes_async (PieperProvider      *provider,
                        gint64               since,
                        const char          *cursor,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  BenchTapProvider *self = BENCH_TAP_PROVIDER (provider);

  /* A round after a full pull starts its pull with the change feed. */
  if (cursor == NULL && self->pull_started_at == 0)
    self->pull_started_at = g_get_monotonic_time ();

  pieper_provider_list_changes_async (INNER (provider), since, cursor, cancellable, callback, user_data);
}

static GStrv
tap_list_changes_finish (PieperProvider  *provider,
                         GAsyncResult    *result,
                         GStrv           *change_ids,
                         char           **next_cursor,
                         GError         **error)
{
  return pieper_provider_list_changes_finish (INNER (provider), result, change_ids, next_cursor, error);
}

static void
tap_get_incident_async (PieperProvider      *provider,
                        const char          *incident,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  pieper_provider_get_incident_async (INNER (provider), incident, cancellable, callback, user_data);
}

static PieperIncident *
tap_get_incident_finish (PieperProvider  *provider,
                         GAsyncResult    *result,
                         GError         **error)
{
  return pieper_provider_get_incident_finish (INNER (provider), result, error);
}

static void
tap_list_timeline_async (PieperProvider      *provider,
                         const char          *incident,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  pieper_provider_list_timeline_async (INNER (provider), incident, cancellable, callback, user_data);
}

static GPtrArray *
tap_list_timeline_finish (PieperProvider  *provider,
                          GAsyncResult    *result,
                          GError         **error)
{
  return pieper_provider_list_timeline_finish (INNER (provider), result, error);
}

static void
tap_acknowledge_async (PieperProvider      *provider,
                       const char          *incident,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  pieper_provider_acknowledge_async (INNER (provider), incident, cancellable, callback, user_data);
}

static void
tap_resolve_async (PieperProvider      *provider,
                   const char          *incident,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  pieper_provider_resolve_async (INNER (provider), incident, cancellable, callback, user_data);
}

static void
tap_escalate_async (PieperProvider      *provider,
                    const char          *incident,
                    int                  level,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  pieper_provider_escalate_async (INNER (provider), incident, level, cancellable, callback, user_data);
}

static void
tap_reassign_async (PieperProvider      *provider,
                    const char          *incident,
                    const char          *user,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  pieper_provider_reassign_async (INNER (provider), incident, user, cancellable, callback, user_data);
}

static void
tap_snooze_async (PieperProvider      *provider,
                  const char          *incident,
                  guint                seconds,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  pieper_provider_snooze_async (INNER (provider), incident, seconds, cancellable, callback, user_data);
}

static PieperIncident *
tap_update_finish (PieperProvider  *provider,
                   GAsyncResult    *result,
                   GError         **error)
{
  return pieper_provider_update_finish (INNER (provider), result, error);
}

static void
tap_add_note_async (PieperProvider      *provider,
                    const char          *incident,
                    const char          *text,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  pieper_provider_add_note_async (INNER (provider), incident, text, cancellable, callback, user_data);
}

static PieperTimelineEntry *
tap_add_note_finish (PieperProvider  *provider,
                     GAsyncResult    *result,
                     GError         **error)
{
  return pieper_provider_add_note_finish (INNER (provider), result, error);
}

static void
bench_tap_provider_iface_init (PieperProviderInterface *iface)
{
  iface->get_capabilities = tap_get_capabilities;
  iface->get_retry_after = tap_get_retry_after;
  iface->whoami_async = tap_whoami_async;
  iface->whoami_finish = tap_whoami_finish;
  iface->list_incidents_async = tap_list_incidents_async;
  iface->list_incidents_finish = tap_list_incidents_finish;
  iface->list_changes_async = tap_list_changes_async;
  iface->list_changes_finish = tap_list_changes_finish;
  iface->get_incident_async = tap_get_incident_async;
  iface->get_incident_finish = tap_get_incident_finish;
  iface->list_timeline_async = tap_list_timeline_async;
  iface->list_timeline_finish = tap_list_timeline_finish;
  iface->acknowledge_async = tap_acknowledge_async;
  iface->resolve_async = tap_resolve_async;
  iface->escalate_async = tap_escalate_async;
  iface->reassign_async = tap_reassign_async;
  iface->snooze_async = tap_snooze_async;
  iface->update_finish = tap_update_finish;
  iface->add_note_async = tap_add_note_async;
  iface->add_note_finish = tap_add_note_finish;
}

static void
bench_tap_provider_dispose (GObject *object)
{
  BenchTapProvider *self = BENCH_TAP_PROVIDER (object);

  g_clear_object (&self->inner);

  G_OBJECT_CLASS (bench_tap_provider_parent_class)->dispose (object);
}

static void
bench_tap_provider_class_init (BenchTapProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = bench_tap_provider_dispose;
}

static void
bench_tap_provider_init (BenchTapProvider *self)
{
}

PieperProvider *
bench_tap_provider_new (PieperProvider *inner)
{
  BenchTapProvider *self;

  g_return_val_if_fail (PIEPER_IS_PROVIDER (inner), NULL);

  self = g_object_new (BENCH_TYPE_TAP_PROVIDER, NULL);
  self->inner = g_object_ref (inner);

  return PIEPER_PROVIDER (self);
}

void
bench_tap_provider_reset (BenchTapProvider *self)
{
  g_return_if_fail (BENCH_IS_TAP_PROVIDER (self));

  self->pull_started_at = 0;
}

gint64
bench_tap_provider_get_pull_started_at (BenchTapProvider *self)
{
  g_return_val_if_fail (BENCH_IS_TAP_PROVIDER (self), 0);

  return self->pull_started_at;
}
